/**
 * Rows in flight, in read order. Batches complete out of order under concurrency; only the
 * contiguous prefix of finished rows (delivered, or recorded as failed) may move the watermark,
 * so a crash can only resend the unfinished tail.
 */
import type { SourceRow } from './ports';

export interface TrackedRow {
  readonly row: SourceRow;
  done: boolean;
}

export class DeliveryTracker {
  private queue: TrackedRow[] = [];
  private head = 0;

  add(row: SourceRow): TrackedRow {
    const tracked: TrackedRow = { row, done: false };
    this.queue.push(tracked);
    return tracked;
  }

  /** Rows read but not yet part of the finished prefix. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Removes and returns the finished prefix (in read order, so UPDATED_AT ascending). */
  takeFinishedPrefix(): TrackedRow[] {
    const start = this.head;
    while (this.head < this.queue.length && this.queue[this.head]?.done) this.head++;
    const out = this.queue.slice(start, this.head);
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}
