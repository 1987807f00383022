/**
 * The engine's view of recorded state for one sync. `file-state-store.ts` is the real adapter
 * (files under the sync's state directory); the VS Code client reads through the same interface.
 */
import type { HeldLock } from './lock-file';
import type { RowErrorRecord, RunRecord } from './run-record';
import type { SyncState } from './sync-state';

export interface RowErrorSink {
  /** Buffers records; the count beyond the per-run cap is dropped but still counted by the run. */
  append(records: RowErrorRecord[]): void;
  /** Makes every appended record durable (called before the watermark moves past them). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface SyncStateStore {
  readonly dir: string;
  readState(): Promise<SyncState | undefined>;
  writeState(state: SyncState): Promise<void>;
  /** Throws JobInProgressError while another live process holds the sync. */
  lock(command?: string): Promise<HeldLock>;
  saveRun(run: RunRecord): Promise<void>;
  /** Newest first. */
  listRuns(limit?: number): Promise<RunRecord[]>;
  rowErrorSink(runId: string): Promise<RowErrorSink>;
  readRowErrors(runId: string, limit?: number): Promise<RowErrorRecord[]>;
  /** Marks runs left `running` by a dead process and drops history past retention. Needs the lock. */
  housekeeping(now: Date): Promise<void>;
}
