/**
 * How long a run waited on the warehouse: until its first rows arrived (the scan and sort of the
 * window, on Redshift the part a SORTKEY or a cheaper view shortens), and in all while it had
 * nothing to work on. Time spent delivering to Braze while rows were already waiting is not here,
 * so a run can tell a user whether the table or Braze set its pace.
 */
import { performance } from 'node:perf_hooks';
import type { ReadTiming } from '../state/run-record';

/** Passes `source` through, adding to `timing` the time spent waiting on it. */
export async function* timedRead<T>(source: AsyncIterable<T>, timing: ReadTiming): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const start = performance.now();
  let first = true;
  try {
    for (;;) {
      const t0 = performance.now();
      const next = await it.next();
      const now = performance.now();
      timing.wait_ms += now - t0;
      if (first) timing.first_row_ms = now - start;
      first = false;
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await it.return?.();
  }
}
