/**
 * Rows in flight, in read order. Batches complete out of order under concurrency; only the
 * contiguous prefix of finished rows (delivered, or recorded as failed) may move the watermark,
 * so a crash can only resend the unfinished tail.
 */
import type { RowDiff } from '../diff/diff-session';
import type { SourceRow } from './ports';

export interface TrackedRow {
  readonly row: SourceRow;
  done: boolean;
  /** Attributes its object carries (custom_attributes rows). */
  attributes?: number;
  /** With `send: changed`: the row's part in diffing. */
  diff?: RowDiff;
  /** A user delete's identity (forgotten from diff stores once Braze accepted it). */
  identity?: string;
}

/** What a taken row's slot holds until the queue is compacted. */
const TAKEN: TrackedRow = { row: { updatedAt: '', ids: {} }, done: true };

export class DeliveryTracker {
  private queue: TrackedRow[] = [];
  /** First row not yet taken by `takeFinishedPrefix`. */
  private head = 0;
  /** Every row before this one is finished (advanced lazily). */
  private open = 0;

  add(row: SourceRow): TrackedRow {
    const tracked: TrackedRow = { row, done: false };
    this.queue.push(tracked);
    return tracked;
  }

  private advance(): number {
    while (this.open < this.queue.length && this.queue[this.open]?.done) this.open++;
    return this.open;
  }

  /**
   * Rows from the first unfinished one on: what a crash now would send again (rows delivered
   * behind a slow request count too). Finished rows waiting for a checkpoint do not.
   */
  get unfinishedSpan(): number {
    return this.queue.length - this.advance();
  }

  /**
   * Removes and returns the source rows of the finished prefix (read order, so UPDATED_AT
   * ascending); `each` sees every taken row first.
   */
  takeFinishedPrefix(each?: (row: TrackedRow) => void): SourceRow[] {
    const end = this.advance();
    const out: SourceRow[] = new Array<SourceRow>(end - this.head);
    for (let i = this.head; i < end; i++) {
      const tracked = this.queue[i] as TrackedRow;
      each?.(tracked);
      out[i - this.head] = tracked.row;
      // Let the row go now rather than when the queue is next compacted: rows that linger
      // outlive the young generation and make the old one grow and be collected again and again.
      this.queue[i] = TAKEN;
    }
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.open -= this.head;
      this.head = 0;
    }
    return out;
  }
}
