/**
 * One run's diffing (`send: changed`): plans each attributes row (or catalog item row) against
 * what Braze last accepted, follows the row until it is delivered or fails, and records delivered
 * rows' hashes with the checkpoint that moves the watermark past them (`take`, in read order).
 *
 * What a row is compared with: the item's record as committed, overlaid with rows of this run
 * Braze accepted but no checkpoint has recorded yet (a deleted catalog item overlays as absent).
 * While an earlier row of the same item is still in flight, a row goes whole. Two track requests
 * for one profile may be applied in either order, so both rows are marked uncertain: their
 * attributes are then forgotten rather than recorded, and the next row sends them again. Requests
 * for one catalog item go one after the other, so its rows are recorded in read order. A failed
 * row records nothing.
 */
import type { DiffStore } from './diff-store';
import { itemKey, itemKeyInto } from './hashing';
import { ItemRecord } from './item-record';
import { applyOps, CLEAR_OPS, copyOps, planItem, planRow, uncertain, type ItemPlan, type MemberSpans, type ObjectScanner, type RowOps, type RowPlan } from './row-plan';

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
  /** Catalog items (`PUT` replaces, `PATCH` edits, `DELETE` removes) instead of profiles. */
  items?: boolean;
}

/** Something committed with each checkpoint before the watermark moves (see sync/checkpoints.ts). */
export interface CheckpointPart {
  /** Takes what the rows staged so far record; the returned write commits it and gives the sequence number. */
  take(): () => Promise<number>;
}

/** An item's accepted rows not yet all recorded: their effect, and the store's record meanwhile. */
interface AcceptedItem {
  record: ItemRecord | null;
  stored: ItemRecord | null;
  pending: number;
}

export class DiffSession implements CheckpointPart {
  private readonly inflight = new Map<string, RowDiff[]>();
  /**
   * Accepted rows' effect on their items (`record`; null: deleted), until a checkpoint has recorded
   * every one of them; `stored` is what the store holds for the item meanwhile (null: nothing), so
   * a checkpoint that records only some of them never reads the store (a remote one may no longer
   * have the item loaded).
   */
  private readonly accepted = new Map<string, AcceptedItem>();
  private staged: RowDiff[] = [];
  private seq: number;
  /** Where a stored record is decoded for planning (most rows need it no longer). */
  private readonly scratch = ItemRecord.empty();
  private readonly scratchKey = Buffer.alloc(16);

  constructor(private readonly store: DiffStore, private readonly options: DiffSessionOptions) {
    this.seq = store.meta().seq;
  }

  /** Whether the items are catalog items (whose ids key them) rather than profiles. */
  get items(): boolean {
    return this.options.items === true;
  }

  /** Whether the store must load items' records before their rows are planned (a remote one). */
  get loadsAhead(): boolean {
    return this.store.prefetch !== undefined;
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
    const base = this.baseOf(identity, key);
    const plan = planRow(members, base, racing !== undefined || this.due(base), scan);
    return { plan, diff: plan.payload === undefined ? undefined : this.follow(identity, key, base, plan, racing) };
  }

  /** A catalog item row (its id and PAYLOAD members): the fields to send, and how (ItemPlan.edit). */
  planItem(id: string, members: MemberSpans): { plan: ItemPlan; diff: RowDiff | undefined } {
    const key = itemKeyInto(id, this.scratchKey);
    const racing = this.inflight.get(id);
    const base = this.baseOf(id, key);
    const plan = planItem(members, base, racing !== undefined || this.due(base));
    return { plan, diff: plan.payload === undefined ? undefined : this.follow(id, key, base, plan, racing) };
  }

  /**
   * A catalog row after which nothing is known of the item (a delete; an item sent whole unplanned):
   * once Braze accepted it, the item's record is dropped, so its next row goes whole.
   */
  forgetting(id: string): RowDiff {
    const key = itemKeyInto(id, this.scratchKey);
    return this.follow(id, key, undefined, { sent: 0, skipped: 0, ops: CLEAR_OPS }, this.inflight.get(id));
  }

  /** The record a row is compared with: this run's accepted rows, else the store (decoded into scratch). */
  private baseOf(identity: string, key: Buffer): ItemRecord | undefined {
    const entry = this.accepted.get(identity);
    if (entry) return entry.record ?? undefined;
    return ItemRecord.decodeInto(this.store.get(key), this.scratch);
  }

  /** With `resend_every`: the item was last sent whole that long ago. */
  private due(base: ItemRecord | undefined): boolean {
    const every = this.options.resendEveryMinutes;
    return base !== undefined && every !== undefined && this.options.nowMinutes() - base.fullAtMinutes >= every;
  }

  private follow(identity: string, key: Buffer, base: ItemRecord | undefined, plan: Pick<RowPlan, 'sent' | 'skipped' | 'ops'>, racing: RowDiff[] | undefined): RowDiff {
    const kept = base === this.scratch ? this.scratch.clone() : base;
    // Requests naming one catalog item are sent one after the other, in read order (catalog-requests.ts): not uncertain.
    const uncertainOrder = racing !== undefined && this.options.items !== true;
    const diff: RowDiff = { id: identity, key: Buffer.from(key), base: kept, ops: copyOps(plan.ops), sent: plan.sent, skipped: plan.skipped, uncertain: uncertainOrder, state: 'in-flight' };
    if (racing) {
      if (uncertainOrder) for (const d of racing) d.uncertain = true;
      racing.push(diff);
    } else this.inflight.set(identity, [diff]);
    return diff;
  }

  /** Braze accepted the row's object. */
  delivered(diff: RowDiff): void {
    this.leave(diff);
    diff.state = 'delivered';
    let entry = this.accepted.get(diff.id);
    // Without an entry nothing of this item was accepted since the plan, so the store still holds its base.
    if (!entry) {
      // A forgetting row carries no base, but its clear comes first: what the store held no longer matters.
      const stored = diff.base?.clone() ?? null;
      this.accepted.set(diff.id, (entry = { record: stored?.clone() ?? null, stored, pending: 0 }));
    }
    entry.record = this.apply(entry.record, diff);
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
  private recordAfter(rows: readonly RowDiff[]): { key: Buffer; value: Uint8Array | null } {
    const first = rows[0] as RowDiff;
    // Every staged row was delivered, and its item's entry lives until a checkpoint records it.
    const entry = this.accepted.get(first.id) as AcceptedItem;
    if (entry.pending === rows.length) return { key: first.key, value: entry.record?.encode() ?? null };
    for (const d of rows) entry.stored = this.apply(entry.stored, d);
    return { key: first.key, value: entry.stored?.encode() ?? null };
  }

  /** A delivered row's effect on its item's record (null: no record), in place where there is one. */
  private apply(record: ItemRecord | null, diff: RowDiff): ItemRecord | null {
    const ops = diff.uncertain ? uncertain(diff.ops) : diff.ops;
    if (ops.clear) return null;
    const next = record ?? ItemRecord.empty();
    applyOps(next, ops, this.options.nowMinutes());
    return next;
  }

  private leave(diff: RowDiff): void {
    const list = this.inflight.get(diff.id);
    if (!list) return;
    const i = list.indexOf(diff);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.inflight.delete(diff.id);
  }
}
