/**
 * How long run history is kept, whichever store holds it (Braze keeps row logs 30 days, run
 * metadata a year), and how a run left `running` by a dead process is recorded.
 */
import type { RunRecord } from './run-record';

export const RUN_RETENTION_DAYS = 400;
export const MAX_RUNS = 1000;
export const ROW_ERROR_RETENTION_DAYS = 30;
export const MAX_RUNS_WITH_ERRORS = 50;
export const MAX_ROW_ERRORS_PER_RUN = 10_000;
export const DAY_MS = 86_400_000;

/**
 * Where the shared store trims a count limit's overflow to: 90% of it, at once. A sync at its
 * limit would otherwise pay a delete at every start (each run pushes one past the limit); this
 * way it pays one per tenth of the limit.
 */
export function trimmedTo(limit: number): number {
  return Math.floor(limit * 0.9);
}

/**
 * What housekeeping does with one earlier run of a sync, whichever store holds it: drop it, drop
 * only its row errors (a no-op for a run without any), or keep it. `ageMs` is on the run's own
 * clock; the counts say whether it is past the newest MAX_RUNS, or MAX_RUNS_WITH_ERRORS.
 */
export function retentionVerdict(run: { ageMs: number; overCount: boolean; overErrorCount: boolean }): 'drop' | 'drop-errors' | 'keep' {
  if (run.overCount || run.ageMs > RUN_RETENTION_DAYS * DAY_MS) return 'drop';
  if (run.overErrorCount || run.ageMs > ROW_ERROR_RETENTION_DAYS * DAY_MS) return 'drop-errors';
  return 'keep';
}

/** The record of a run whose process stopped before it finished (killed, crashed, host lost). */
export function interruptedRun(run: RunRecord): RunRecord {
  return {
    ...run,
    status: 'error',
    interrupted: true,
    error: 'The process running this job stopped before it finished (killed or crashed). Rows delivered before its last checkpoint were kept; later runs resumed from there.',
  };
}
