/**
 * What each row's object carries, and what its outcome counts: the delivery's hooks for diffing
 * (`send: changed`) and for the run's send counters (objects, attributes or catalog fields,
 * those skipped as unchanged, data points saved). It is called at five points: a page of rows
 * read (`prefetch`, by the engine, when a remote diff store `loadsAhead`), and by Delivery: a row
 * mapped (`prepare`, `prepareItem`), a request answered (`accepted`, `deleted`), a row leaving
 * the finished prefix (`stage`).
 */
import type { CheckpointPart, DiffSession } from '../diff/diff-session';
import { countAttributes } from '../diff/row-plan';
import type { RunRecord } from '../state/run-record';
import type { OkRow } from './batcher';
import type { CatalogMappedRow } from './catalog-mapping';
import type { CatalogOp } from './catalog-requests';
import type { TrackedRow } from './delivery-tracker';
import { diffIdentities, diffIdentity } from './diff-identity';
import { JsonMembers } from './json-members';
import { scanJson } from './json-scan';
import { trackObjectBytes } from './json-texts';
import type { SourceRow } from './ports';
import { lastPayloadMembers } from './row-mapping';

/** Forgets deleted users' hashes in the diff stores of the file's `send: changed` syncs. */
export type ForgetUsers = (identities: readonly string[]) => Promise<void>;

const nested = new JsonMembers();
/** Members of a nested object value (one at a time: the next call reuses them). */
export const scanObject = (text: string) => {
  const scan = scanJson(text, nested);
  return scan.ok && scan.type === 'object' ? nested : undefined;
};

/** Fields of the catalog item being planned (its own members: row mapping's are not touched). */
const itemFields = new JsonMembers();

export class SendPlan {
  constructor(
    private readonly run: RunRecord,
    private readonly diff: DiffSession | undefined,
    private readonly forgetUsers: ForgetUsers | undefined,
  ) {
    run.objects_sent ??= 0;
    run.attributes_sent ??= 0;
    run.attributes_unchanged ??= 0;
    run.data_points_saved ??= 0;
  }

  /** Recorded with each checkpoint, when diffing. */
  get checkpointPart(): CheckpointPart | undefined {
    return this.diff;
  }

  /** Whether pages of rows must be loaded ahead (`prefetch`) before they are mapped. */
  get loadsAhead(): boolean {
    return this.diff?.loadsAhead === true;
  }

  /** Before a page of rows is mapped: a remote diff store loads their items' records (one query). */
  prefetch(rows: readonly SourceRow[]): Promise<void> | undefined {
    const diff = this.diff;
    return diff?.prefetch(diffIdentities(rows, diffIdentity(diff.items)));
  }

  /**
   * The object to send for a mapped row (right after `mapRow`, whose PAYLOAD members are still at
   * hand), or undefined when nothing in it changed: the row is then finished as delivered.
   */
  prepare(mapped: OkRow, tracked: TrackedRow): OkRow | undefined {
    if (mapped.kind === 'delete') {
      if (this.forgetUsers) tracked.identity = mapped.identity;
      return mapped;
    }
    if (mapped.kind !== 'attributes') return mapped;
    const members = lastPayloadMembers();
    if (!this.diff) {
      tracked.attributes = countAttributes(members);
      return mapped;
    }
    const { plan, diff } = this.diff.plan(mapped.identity, members, scanObject);
    if (diff) tracked.diff = diff;
    tracked.attributes = plan.sent;
    if (plan.payload === undefined) return this.unchanged(plan.skipped);
    if (plan.skipped === 0) return mapped;
    const bytes = trackObjectBytes(Buffer.byteLength(mapped.head), Buffer.byteLength(plan.payload), mapped.time);
    return { ...mapped, payload: plan.payload, bytes };
  }

  /**
   * What to send for a mapped catalog row: the item whole (`put`), its changed fields (`patch`), or
   * its delete; undefined when none of its fields changed (finished as delivered, like `prepare`).
   */
  prepareItem(mapped: Extract<CatalogMappedRow, { ok: true }>, tracked: TrackedRow): CatalogOp | undefined {
    if (mapped.op === 'delete') {
      if (this.diff) tracked.diff = this.diff.forgetting(mapped.id);
      return mapped;
    }
    tracked.attributes = mapped.fields;
    if (!this.diff) return mapped;
    // The mapping parsed PAYLOAD already, so the scan succeeds; should it not, the item goes whole and is then known no better than deleted.
    if (!scanJson(mapped.item.payload || '{}', itemFields).ok) {
      tracked.diff = this.diff.forgetting(mapped.id);
      return mapped;
    }
    const { plan, diff } = this.diff.planItem(mapped.id, itemFields);
    if (diff) tracked.diff = diff;
    tracked.attributes = plan.sent;
    if (plan.payload === undefined) return this.unchanged(plan.skipped);
    if (!plan.edit) return mapped;
    const { head } = mapped.item;
    const bytes = trackObjectBytes(Buffer.byteLength(head), Buffer.byteLength(plan.payload), undefined);
    return { op: 'patch', id: mapped.id, item: { head, payload: plan.payload, time: undefined, bytes } };
  }

  /** A row with nothing changed: its attributes count as left out, and nothing goes. */
  private unchanged(skipped: number): undefined {
    this.run.attributes_unchanged = (this.run.attributes_unchanged ?? 0) + skipped;
    this.run.data_points_saved = (this.run.data_points_saved ?? 0) + skipped;
    return undefined;
  }

  /** Braze answered a track or catalog request: `failed` rows got per-object errors, the others were accepted. */
  accepted(rows: readonly TrackedRow[], failed: ReadonlySet<TrackedRow> | undefined): void {
    const run = this.run;
    for (const row of rows) {
      if (failed?.has(row)) {
        if (row.diff) this.diff?.failed(row.diff);
        continue;
      }
      run.objects_sent = (run.objects_sent ?? 0) + 1;
      run.attributes_sent = (run.attributes_sent ?? 0) + (row.attributes ?? 0);
      if (!row.diff) continue;
      this.diff?.delivered(row.diff);
      run.attributes_unchanged = (run.attributes_unchanged ?? 0) + row.diff.skipped;
      run.data_points_saved = (run.data_points_saved ?? 0) + row.diff.skipped;
    }
  }

  /** Braze accepted a delete request: its users' hashes are forgotten before the watermark passes them. */
  async deleted(rows: readonly TrackedRow[]): Promise<void> {
    this.run.objects_sent = (this.run.objects_sent ?? 0) + rows.length;
    if (!this.forgetUsers) return;
    await this.forgetUsers(rows.flatMap((r) => (r.identity === undefined ? [] : [r.identity])));
  }

  /** A row leaves the finished prefix (its checkpoint is next). */
  readonly stage = (row: TrackedRow): void => {
    if (row.diff) this.diff?.stage(row.diff);
  };
}
