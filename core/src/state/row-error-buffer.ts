/**
 * The row-error sink every store shares: records are buffered (at most MAX_ROW_ERRORS_PER_RUN per
 * run; the run still counts the rest), and `flush` hands what is buffered to the store's `write`,
 * one write at a time and in order, so the records are durable before a checkpoint passes them.
 */
import { MAX_ROW_ERRORS_PER_RUN } from './retention';
import type { RowErrorRecord } from './run-record';
import type { RowErrorSink } from './state-store';

export function bufferedErrorSink(write: (records: RowErrorRecord[]) => Promise<unknown>, closeStore: () => Promise<void> = async () => undefined): RowErrorSink {
  let buffered: RowErrorRecord[] = [];
  let written = 0;
  let chain: Promise<void> = Promise.resolve();
  const drain = () => {
    chain = chain.then(async () => {
      if (buffered.length === 0) return;
      const records = buffered;
      buffered = [];
      await write(records);
    });
    return chain;
  };
  return {
    append(records) {
      for (const r of records) {
        if (written >= MAX_ROW_ERRORS_PER_RUN) return;
        written++;
        buffered.push(r);
      }
    },
    flush: drain,
    async close() {
      await drain();
      await closeStore();
    },
  };
}
