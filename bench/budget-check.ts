/**
 * The run against Braze's real `/users/track` budget (3,000 requests / 3 s), long enough for many
 * full windows: the engine should use nearly all of the budget and almost never be answered 429.
 * Small requests (BENCH_BUDGET_BATCH objects) make the budget, not this machine's CPU, the limit.
 */
import type { TestPostgres } from '../test/support/postgres';
import type { BenchOptions } from './bench-options';
import { createIndexedTable } from './relations';
import { definition, runSync, startServerProcess, type SyncMeasure } from './sync-process';

const BRAZE_BUDGET = { limit: 3000, seconds: 3 };
const BUDGET_CONCURRENCY = 32;

export interface BudgetResult {
  rows: number;
  run: SyncMeasure;
  windows: number;
  budgetUse: number;
  requests: number;
  rate429: number;
}

/** Rows that keep the budget busy for `budgetSeconds` at `budgetBatch` objects per request. */
export const budgetRows = (o: BenchOptions) => Math.ceil(((o.budgetSeconds * BRAZE_BUDGET.limit) / BRAZE_BUDGET.seconds) * o.budgetBatch);

export async function budgetCheck(db: TestPostgres, options: BenchOptions, tmp: string, stateDir: string): Promise<BudgetResult> {
  const rows = budgetRows(options);
  const table = `bench.budget_${rows}`;
  await createIndexedTable(db, table, rows);
  const server = await startServerProcess(`${BRAZE_BUDGET.limit}/${BRAZE_BUDGET.seconds}`);
  let run: SyncMeasure;
  let stats: Awaited<ReturnType<typeof server.stats>>;
  try {
    const file = definition(tmp, db, server.url, table, { batchSize: options.budgetBatch });
    run = await runSync(db, { file, stateDir, server, concurrency: BUDGET_CONCURRENCY, timeoutSeconds: options.timeoutSeconds });
    stats = await server.stats();
  } finally {
    await server.stop();
  }
  // Whole windows only: the first and last are cut by the run's start and end.
  const windows = stats.trackWindows.filter((w) => w.used + w.rejected > 0).slice(1, -1);
  const used = windows.reduce((n, w) => n + w.used, 0);
  return {
    rows,
    run,
    windows: windows.length,
    budgetUse: windows.length > 0 ? used / (windows.length * BRAZE_BUDGET.limit) : 0,
    requests: stats.requests,
    rate429: stats.requests > 0 ? stats.rateLimited / stats.requests : 0,
  };
}

/** The budget lines of the report: [label, value, verdict]. */
export function budgetLines(b: BudgetResult, batch: number): [string, string, boolean][] {
  return [
    [
      `Braze budget ${BRAZE_BUDGET.limit.toLocaleString('en-US')} req / ${BRAZE_BUDGET.seconds} s used (target ≥ 95%)`,
      `${(b.budgetUse * 100).toFixed(1)}% over ${b.windows} full windows (${b.rows.toLocaleString('en-US')} rows, ${batch} per request, ${b.run.seconds.toFixed(1)} s)`,
      !b.run.timedOut && b.windows >= 3 && b.budgetUse >= 0.95,
    ],
    ['requests answered 429 (target < 1%)', `${(b.rate429 * 100).toFixed(2)}% of ${b.requests.toLocaleString('en-US')}`, b.rate429 < 0.01],
  ];
}
