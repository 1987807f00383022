/** What the History panel shows of one sync, read from its state store (files or shared PostgreSQL). */
import type { RowErrorRecord, RunRecord } from '../../../core/src/state/run-record';
import type { SyncStateStore } from '../../../core/src/state/state-store';

const HISTORY_RUNS = 200;
const ROW_ERRORS_PER_RUN = 200;

export interface HistoryData {
  /** Newest first. */
  runs: RunRecord[];
  rowErrors: Map<string, RowErrorRecord[]>;
}

export async function readHistory(store: SyncStateStore): Promise<HistoryData> {
  const runs = await store.listRuns(HISTORY_RUNS);
  const rowErrors = new Map<string, RowErrorRecord[]>();
  for (const run of runs) {
    if (run.rows_failed > 0) rowErrors.set(run.id, await store.readRowErrors(run.id, ROW_ERRORS_PER_RUN).catch(() => []));
  }
  return { runs, rowErrors };
}
