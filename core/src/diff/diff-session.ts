/**
 * One run's diffing (`send: changed`): plans each attributes row against what Braze last
 * accepted, follows the row until it is delivered or fails, and records delivered rows' hashes
 * with the checkpoint that moves the watermark past them (`take`, in read order).
 *
 * What a row is compared with: the item's record as committed, overlaid with rows of this run
 * Braze accepted but no checkpoint has recorded yet. While an earlier row of the same item is
 * still in flight, a row goes whole and both are marked uncertain (two requests for one item may
 * be applied in either order): their attributes are then forgotten rather than recorded, so the
 * next row sends them again. A failed row records nothing.
 */
import type { DiffStore } from './diff-store';
import { itemKey, itemKeyInto } from './hashing';
import { ItemRecord } from './item-record';
import { applyOps, copyOps, planRow, uncertain, type MemberSpans, type ObjectScanner, type RowOps, type RowPlan } from './row-plan';

/** A planned row's part in diffing, carried with the row until it finishes. */
export interface RowDiff {
  /** The item's identity text (keys this run's maps). */
  readonly id: string;
  /** Its key in the store. */
  readonly key: Buffer;
  /** The record the row was planned against (read once: delivery starts from it). */
  readonly base: ItemRecord | undefined;
  readonly ops: RowOps;
  readonly sent: number;
  readonly skipped: number;
  uncertain: boolean;
  state: 'in-flight' | 'delivered' | 'failed';
}

export interface DiffSessionOptions {
  /** `resend_every` in minutes: an item last sent whole longer ago goes whole again. */
  resendEveryMinutes?: number;
  nowMinutes: () => number;
}

/** Something committed with each checkpoint before the watermark moves (see sync/checkpoints.ts). */
export interface CheckpointPart {
  /** Takes what the rows staged so far record; the returned write commits it and gives the sequence number. */
  take(): () => Promise<number>;
}

export class DiffSession implements CheckpointPart {
  private readonly inflight = new Map<string, RowDiff[]>();
  /**
   * Accepted rows' effect on their items (`record`), until a checkpoint has recorded every one of
   * them; `stored` is what the store holds for the item meanwhile, so a checkpoint that records
   * only some of them never reads the store (a remote one may no longer have the item loaded).
   */
  private readonly accepted = new Map<string, { record: ItemRecord; stored: ItemRecord; pending: number }>();
  private staged: RowDiff[] = [];
  private seq: number;
  /** Where a stored record is decoded for planning (most rows need it no longer). */
  private readonly scratch = ItemRecord.empty();
  private readonly scratchKey = Buffer.alloc(16);

  constructor(private readonly store: DiffStore, private readonly options: DiffSessionOptions) {
    this.seq = store.meta().seq;
  }

  /** Loads the records of these items (the rows about to be planned) when the store is remote. */
  prefetch(identities: readonly string[]): Promise<void> | undefined {
    return this.store.prefetch?.(identities.map(itemKey));
  }

  /**
   * The identity of the item (as delivered) and its PAYLOAD members → what to send, and the row's
   * part in diffing when it sends anything (a row with nothing changed has none: nothing to record).
   */
  plan(identity: string, members: MemberSpans, scan: ObjectScanner): { plan: RowPlan; diff: RowDiff | undefined } {
    const key = itemKeyInto(identity, this.scratchKey);
    const racing = this.inflight.get(identity);
    const base = this.accepted.get(identity)?.record ?? ItemRecord.decodeInto(this.store.get(key), this.scratch);
    const every = this.options.resendEveryMinutes;
    const due = base !== undefined && every !== undefined && this.options.nowMinutes() - base.fullAtMinutes >= every;
    const plan = planRow(members, base, racing !== undefined || due, scan);
    if (plan.payload === undefined) return { plan, diff: undefined };
    const kept = base === this.scratch ? this.scratch.clone() : base;
    const diff: RowDiff = { id: identity, key: Buffer.from(key), base: kept, ops: copyOps(plan.ops), sent: plan.sent, skipped: plan.skipped, uncertain: racing !== undefined, state: 'in-flight' };
    if (racing) {
      for (const d of racing) d.uncertain = true;
      racing.push(diff);
    } else this.inflight.set(identity, [diff]);
    return { plan, diff };
  }

  /** Braze accepted the row's object. */
  delivered(diff: RowDiff): void {
    this.leave(diff);
    diff.state = 'delivered';
    let entry = this.accepted.get(diff.id);
    // Without an entry nothing of this item was accepted since the plan, so the store still holds its base.
    if (!entry) {
      const stored = diff.base?.clone() ?? ItemRecord.empty();
      this.accepted.set(diff.id, (entry = { record: stored.clone(), stored, pending: 0 }));
    }
    applyOps(entry.record, diff.uncertain ? uncertain(diff.ops) : diff.ops, this.options.nowMinutes());
    entry.pending++;
  }

  /** The row failed (Braze rejected its object): nothing of it is recorded. */
  failed(diff: RowDiff): void {
    this.leave(diff);
    diff.state = 'failed';
  }

  /** The row is in the finished prefix: its hashes go with the next checkpoint. */
  stage(diff: RowDiff): void {
    if (diff.state === 'delivered') this.staged.push(diff);
  }

  take(): () => Promise<number> {
    const rows = this.staged;
    this.staged = [];
    return async () => {
      if (rows.length === 0) return this.seq;
      const items = new Map<string, RowDiff[]>();
      for (const d of rows) {
        const list = items.get(d.id);
        if (list) list.push(d);
        else items.set(d.id, [d]);
      }
      const writes = [...items.values()].map((list) => this.recordAfter(list));
      const seq = this.seq + 1;
      await this.store.commit(seq, writes);
      this.seq = seq;
      for (const [id, list] of items) {
        const entry = this.accepted.get(id);
        if (entry && (entry.pending -= list.length) <= 0) this.accepted.delete(id);
      }
      return seq;
    };
  }

  /**
   * An item's record once its rows in a checkpoint are applied in read order. When they are all
   * of its accepted rows, that is the overlay itself (rows of one item are accepted in read order,
   * except racing ones, whose forgetting commutes); otherwise the stored record with them applied,
   * which the store then holds.
   */
  private recordAfter(rows: readonly RowDiff[]): { key: Buffer; value: Uint8Array } {
    const first = rows[0] as RowDiff;
    // Every staged row was delivered, and its item's entry lives until a checkpoint records it.
    const entry = this.accepted.get(first.id) as { record: ItemRecord; stored: ItemRecord; pending: number };
    if (entry.pending === rows.length) return { key: first.key, value: entry.record.encode() };
    const now = this.options.nowMinutes();
    for (const d of rows) applyOps(entry.stored, d.uncertain ? uncertain(d.ops) : d.ops, now);
    return { key: first.key, value: entry.stored.encode() };
  }

  private leave(diff: RowDiff): void {
    const list = this.inflight.get(diff.id);
    if (!list) return;
    const i = list.indexOf(diff);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.inflight.delete(diff.id);
  }
}
