/**
 * Checkpoints: what moves the recorded watermark over the contiguous prefix of finished rows.
 *
 * A checkpoint records the keys the boundary (and lookback window) needs, makes the row errors of
 * those rows durable, then appends only what changed to the store's watermark journal, so its cost
 * follows what was delivered since the previous one, even when millions of rows share one
 * UPDATED_AT. Once the journal holds as much as the last snapshot, the record is written whole
 * again and the journal starts over: each key is rewritten a bounded number of times on average,
 * and a reader never replays more than about one snapshot's worth. A store without a journal gets
 * the whole record at every checkpoint.
 */
import type { RowErrorSink, SyncStateStore } from '../state/state-store';
import type { SyncState } from '../state/sync-state';
import type { DeliveryRecord } from './delivery-record';
import type { SourceRow } from './ports';
import { rowKey } from './row-key';

/** Journal entries (keys, plus one per checkpoint) allowed before the first snapshot, however small it is. */
const MIN_JOURNAL_ENTRIES = 8192;

export class Checkpoints {
  /** Journal entries since the last snapshot. */
  private journalled = 0;
  /** Keys in the last snapshot. */
  private snapshotKeys: number;

  constructor(
    private readonly store: SyncStateStore,
    private readonly state: SyncState,
    private readonly record: DeliveryRecord,
    private readonly sink: RowErrorSink,
    /** UPDATED_AT text → µs. */
    private readonly micros: (text: string) => number,
  ) {
    this.snapshotKeys = record.size;
  }

  /**
   * Records finished rows (read order, so UPDATED_AT ascending) and makes the checkpoint durable.
   * False when nothing changed (no rows), in which case nothing was written.
   */
  async commit(rows: readonly SourceRow[]): Promise<boolean> {
    const last = rows[rows.length - 1];
    if (!last) return false;
    const { record, micros } = this;
    // Only the tail inside the boundary/window needs keys.
    const cutoff = record.recordFrom(Math.max(micros(last.updatedAt), record.watermarkMicros));
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i];
      if (!row) break;
      const m = micros(row.updatedAt);
      if (m < cutoff) break;
      record.add(row.updatedAt, m, rowKey(row, m));
    }
    await this.sink.flush(); // failed rows are on disk before the watermark passes them
    const delta = record.takeDelta();
    if (!delta) return false;
    if (!this.store.appendWatermark || this.journalled >= Math.max(MIN_JOURNAL_ENTRIES, this.snapshotKeys)) {
      await this.snapshot();
    } else {
      await this.store.appendWatermark(delta);
      this.journalled += 1 + delta.groups.reduce((n, g) => n + g.keys.length, 0);
    }
    return true;
  }

  /** Writes the whole record if the journal holds anything, so state.json alone says where the sync is. */
  async compact(): Promise<void> {
    if (this.journalled > 0) await this.snapshot();
  }

  private async snapshot(): Promise<void> {
    this.state.watermark = this.record.toWatermark();
    await this.store.writeState(this.state);
    this.snapshotKeys = this.record.size;
    this.journalled = 0;
  }
}
