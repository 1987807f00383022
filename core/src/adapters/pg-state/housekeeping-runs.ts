/**
 * Which earlier runs of a sync housekeeping acts on, chosen in SQL so that a run's start never
 * carries the sync's whole history: a sync on a 15-minute schedule keeps up to 1,000 runs, and at
 * nearly every start none of them needs anything. Every part reads an index, never the rows of
 * the sync's runs (only the runs picked are fetched):
 * - past MAX_RUNS (dropped): counted on the primary key (an index-only scan of the sync's entries,
 *   about 0.1 ms for 1,000); once a 1,001st run exists, every run past the newest
 *   `trimmedTo(MAX_RUNS)` goes at once, so the next hundred starts have nothing to delete;
 * - with row errors, past MAX_RUNS_WITH_ERRORS (their errors dropped), trimmed the same way; the
 *   runs with errors are found by skipping through row_errors' index, one probe per such run;
 * - past RUN_RETENTION_DAYS (dropped) or, with row errors, ROW_ERROR_RETENTION_DAYS: preselected
 *   by the start time every run id begins with (`newRunId`), on the database's clock a day early;
 *   housekeeping applies the exact age on the run's clock (a run clock more than a day ahead of the
 *   database only defers it);
 * - left `running` by a process that stopped (closed), through the partial index `runs_running`.
 */
import type { RunRecord } from '../../state/run-record';
import { MAX_RUNS, MAX_RUNS_WITH_ERRORS, ROW_ERROR_RETENTION_DAYS, RUN_RETENTION_DAYS, trimmedTo } from '../../state/retention';

/** A run housekeeping may act on; `record` only for a run left `running`. */
export interface HousekeepingRun {
  id: string;
  started_at: Date;
  record: RunRecord | null;
  has_errors: boolean;
  /** Past the count limit of runs: dropped whatever its age. */
  over_count: boolean;
  /** Past the count limit of runs with row errors: its errors dropped whatever its age. */
  over_error_count: boolean;
}

/** The statement for sync `$1` (unordered: callers order by id); `s` is the quoted schema. */
export function housekeepingRunsQuery(s: string): string {
  // Run ids begin `YYYYMMDDTHHMMSS` (UTC): comparing an id with this prefix compares start times.
  const startedBefore = (days: number) => `to_char((now() - ${days - 1} * interval '1 day') AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS')`;
  const nth = (n: number) => `(SELECT id FROM ${s}.runs WHERE sync_key = $1 ORDER BY id DESC OFFSET ${n - 1} LIMIT 1)`;
  return `WITH RECURSIVE erred(run_id) AS (
      SELECT min(run_id) FROM ${s}.row_errors WHERE sync_key = $1
      UNION ALL SELECT (SELECT min(e.run_id) FROM ${s}.row_errors e WHERE e.sync_key = $1 AND e.run_id > erred.run_id) FROM erred WHERE erred.run_id IS NOT NULL),
    bounds AS (SELECT
      CASE WHEN (SELECT count(*) FROM ${s}.runs WHERE sync_key = $1) > ${MAX_RUNS} THEN ${nth(trimmedTo(MAX_RUNS))} END AS keep_runs_from,
      CASE WHEN EXISTS (SELECT 1 FROM erred WHERE run_id < ${nth(MAX_RUNS_WITH_ERRORS)}) THEN ${nth(trimmedTo(MAX_RUNS_WITH_ERRORS))} END AS keep_errors_from,
      ${startedBefore(RUN_RETENTION_DAYS)} AS runs_age, ${startedBefore(ROW_ERROR_RETENTION_DAYS)} AS errors_age),
    picked AS (
      SELECT id FROM ${s}.runs WHERE sync_key = $1 AND status = 'running'
      UNION SELECT id FROM ${s}.runs, bounds WHERE sync_key = $1 AND (id < keep_runs_from OR id < runs_age)
      UNION SELECT run_id FROM erred, bounds WHERE run_id < keep_errors_from OR run_id < errors_age)
    SELECT r.id, r.started_at, CASE WHEN r.status = 'running' THEN r.record END AS record,
      r.id IN (SELECT run_id FROM erred WHERE run_id IS NOT NULL) AS has_errors,
      coalesce(r.id < b.keep_runs_from, false) AS over_count, coalesce(r.id < b.keep_errors_from, false) AS over_error_count
    -- One lookup per picked run (LIMIT 1 keeps the planner from joining against all of the sync's runs).
    FROM picked CROSS JOIN LATERAL (SELECT * FROM ${s}.runs WHERE sync_key = $1 AND id = picked.id LIMIT 1) r CROSS JOIN bounds b`;
}
