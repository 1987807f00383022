/**
 * Checkpoints: what moves the recorded watermark over the contiguous prefix of finished rows.
 *
 * Finished rows are absorbed as requests complete: the delivery record takes the keys the boundary
 * (and lookback window) needs, and the rows themselves are let go at once. Saving is separate and
 * paced by the caller: it makes the row errors durable, then appends only what changed since the
 * previous save to the store's watermark journal, so its cost follows what was delivered in
 * between, even when millions of rows share one UPDATED_AT. Once the journal holds as much as the
 * last snapshot, the record is written whole again and the journal starts over: each key is
 * rewritten a bounded number of times on average, and a reader never replays more than about one
 * snapshot's worth. A store without a journal gets the whole record at every save.
 */
import type { CheckpointPart } from '../diff/diff-session';
import type { RowErrorSink, SyncStateStore } from '../state/state-store';
import type { SyncState } from '../state/sync-state';
import type { DeliveryRecord } from './delivery-record';
import type { SourceRow } from './ports';
import { rowKey } from './row-key';

/** Journal entries (keys, plus one per save) allowed before the first snapshot, however small it is. */
const MIN_JOURNAL_ENTRIES = 8192;

export class Checkpoints {
  /** Journal entries since the last snapshot. */
  private journalled = 0;
  /** Keys in the last snapshot. */
  private snapshotKeys: number;
  private absorbed = 0;

  constructor(
    private readonly store: SyncStateStore,
    private readonly state: SyncState,
    private readonly record: DeliveryRecord,
    private readonly sink: RowErrorSink,
    /** UPDATED_AT text → µs. */
    private readonly micros: (text: string) => number,
    /** Committed first in every save (the diff store's hashes), so the watermark never passes rows it has not recorded. */
    private readonly part?: CheckpointPart,
  ) {
    this.snapshotKeys = record.size;
  }

  /** Rows absorbed since the last save began: what a crash now would send again. */
  get unsaved(): number {
    return this.absorbed;
  }

  /**
   * Adds the next finished rows (read order, so UPDATED_AT ascending) to the record. Their row
   * errors must already be in the sink: the next save flushes it before it moves the watermark.
   */
  absorb(rows: readonly SourceRow[]): void {
    const last = rows[rows.length - 1];
    if (!last) return;
    const { record, micros } = this;
    // Only the tail inside the boundary/window needs keys.
    const cutoff = record.recordFrom(Math.max(micros(last.updatedAt), record.watermarkMicros));
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i] as SourceRow;
      const m = micros(row.updatedAt);
      if (m < cutoff) break;
      record.add(row.updatedAt, m, rowKey(row, m));
    }
    this.absorbed += rows.length;
  }

  /** Makes everything absorbed so far durable; false when nothing changed since the last save. */
  async save(): Promise<boolean> {
    this.absorbed = 0;
    // Taken before any await: rows absorbed meanwhile (their errors not flushed yet) wait for the next save.
    const delta = this.record.takeDelta();
    if (!delta) return false;
    const whole = !this.store.appendWatermark || this.journalled >= Math.max(MIN_JOURNAL_ENTRIES, this.snapshotKeys) ? this.wholeRecord() : undefined;
    const commitPart = this.part?.take();
    await this.sink.flush(); // failed rows are on disk before the watermark passes them
    if (commitPart) {
      // The part's commit carries a sequence number the watermark then records: a crash between
      // the two leaves the part one ahead, which the next run undoes (diff/open-diff.ts).
      const seq = await commitPart();
      delta.diff_seq = seq;
      this.state.diff_seq = seq;
    }
    if (whole) {
      await this.writeSnapshot(whole);
    } else if (this.store.appendWatermark) {
      await this.store.appendWatermark(delta);
      this.journalled += 1 + delta.groups.reduce((n, g) => n + g.keys.length, 0);
    }
    return true;
  }

  /** Writes the whole record if the journal holds anything, so state.json alone says where the sync is. */
  async compact(): Promise<void> {
    if (this.journalled > 0) await this.writeSnapshot(this.wholeRecord());
  }

  private wholeRecord(): { watermark: SyncState['watermark']; keys: number } {
    return { watermark: this.record.toWatermark(), keys: this.record.size };
  }

  private async writeSnapshot(whole: { watermark: SyncState['watermark']; keys: number }): Promise<void> {
    this.state.watermark = whole.watermark;
    await this.store.writeState(this.state);
    this.snapshotKeys = whole.keys;
    this.journalled = 0;
  }
}
