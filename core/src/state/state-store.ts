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

/**
 * What one checkpoint adds to the recorded watermark (see `SyncStateStore.appendWatermark`): the
 * watermark after it, and the keys of rows recorded since the previous checkpoint, by UPDATED_AT.
 */
export interface WatermarkDelta {
  /** The watermark after this checkpoint (UPDATED_AT text, full precision). */
  updated_at: string;
  /** With lookback: the new start of the window the record is complete for (`Watermark.recent.from`). */
  recent_from?: string;
  groups: { updated_at: string; keys: string[] }[];
  /** The diff store's checkpoint committed with this one (`SyncState.diff_seq`). */
  diff_seq?: number;
}

export interface SyncStateStore {
  readonly dir: string;
  readState(): Promise<SyncState | undefined>;
  /** Replaces the recorded state as a whole (and starts an empty watermark journal). */
  writeState(state: SyncState): Promise<void>;
  /**
   * Durably records a checkpoint as a delta on top of the state last read or written, at a cost
   * that depends on the delta only: `readState` returns the state with every recorded delta
   * applied. Needs the lock. Optional: the engine writes whole states to a store without it.
   */
  appendWatermark?(delta: WatermarkDelta): Promise<void>;
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
