import { setFlagsFromString } from 'node:v8';

/**
 * Makes V8 grow the heap by at most 2× per collection instead of its throughput default (up to
 * 4×). Both long-running processes here keep a small live heap but churn through garbage (the
 * language server parsing, a sync streaming rows), and the default lets them grow far beyond what
 * they need. Measured with `npm run bench:sync`: the default gave 1M/100k-row RSS ratios of
 * 1.14–1.39; growing by 2× keeps it at ~1.0 and costs ~4% of a sync's CPU, where growing by a
 * quarter (what this was first) kept it as flat but cost ~15%. The flag is read at every
 * collection, so setting it at startup takes effect.
 */
export function limitHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=100');
}
