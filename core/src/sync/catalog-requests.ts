/**
 * The catalog side of a Delivery: items (catalog-mapping.ts, then send-plan.ts) are batched into
 * `PUT` (replace), `PATCH` (edit the given fields: `send: changed`) and `DELETE
 * /catalogs/{catalog}/items` requests, and requests are sent so that the last row read for an item
 * wins.
 *
 * - A request holds at most 50 items, one operation, and each id once (Braze's `ids-not-unique`).
 * - Requests run concurrently, but one that names an id waits for the earlier requests naming it:
 *   rows arrive in UPDATED_AT order, so a later update or delete of an item lands after an earlier
 *   one, in a run and when a crashed run is read again.
 * - Braze rejects a whole request (400) for one bad item. The items it names are row errors; the
 *   rest are sent again without them. When it names none, the request is split in halves until the
 *   bad item is alone, so one item never costs its neighbours.
 */
import { MAX_CATALOG_ITEMS, MAX_REQUEST_BYTES } from './braze-contract';
import { preparedItemsBody, type TrackObjectText } from './json-texts';
import type { BrazeClient, CatalogItemError, CatalogItemsRequest, CatalogResult } from './ports';

/** What goes for one item: all of it (`put`), its changed fields (`patch`), or its deletion. */
export type CatalogOp = { op: 'put' | 'patch'; id: string; item: TrackObjectText } | { op: 'delete'; id: string; bytes: number };

export interface CatalogBatch<T> {
  kind: 'catalog';
  op: CatalogOp['op'];
  /** Item ids in body order. */
  ids: string[];
  texts: TrackObjectText[];
  rows: T[];
}

export interface CatalogRowFailure<T> {
  row: T;
  reason: string;
  identifier: string;
}

const ENVELOPE_BYTES = 1024;
const NONE: readonly never[] = [];

export class CatalogRequests<T> {
  private open: CatalogBatch<T> | undefined;
  private bytes = 0;
  private readonly maxItems: number;
  /** The last request sent for each id still in flight: the next request naming the id waits for it. */
  private readonly lastRequest = new Map<string, Promise<unknown>>();

  constructor(
    private readonly catalog: string,
    private readonly braze: BrazeClient,
    batchSize: number,
  ) {
    this.maxItems = Math.max(1, Math.min(batchSize, MAX_CATALOG_ITEMS));
  }

  /** Adds an item's operation; returns the batches it closed. */
  add(mapped: CatalogOp, tracked: T): readonly CatalogBatch<T>[] {
    const bytes = mapped.op === 'delete' ? mapped.bytes : mapped.item.bytes;
    let closed: readonly CatalogBatch<T>[] = NONE;
    const open = this.open;
    if (open && (open.op !== mapped.op || open.ids.includes(mapped.id) || this.bytes + bytes + 1 > MAX_REQUEST_BYTES - ENVELOPE_BYTES)) closed = this.close();
    const batch = (this.open ??= { kind: 'catalog', op: mapped.op, ids: [], texts: [], rows: [] });
    batch.ids.push(mapped.id);
    if (mapped.op !== 'delete') batch.texts.push(mapped.item);
    batch.rows.push(tracked);
    this.bytes += bytes + 1;
    if (batch.rows.length >= this.maxItems) closed = [...closed, ...this.close()];
    return closed;
  }

  /** The open batch, if any (end of input, or to make room). */
  close(): CatalogBatch<T>[] {
    const batch = this.open;
    this.open = undefined;
    this.bytes = 0;
    return batch ? [batch] : [];
  }

  /**
   * Sends `batch` after the earlier requests for its ids; resolves with its rows that failed.
   * Throws what the client throws (catalog not found, out of storage, retries used up, aborted).
   */
  send(batch: CatalogBatch<T>, signal?: AbortSignal): Promise<CatalogRowFailure<T>[]> {
    const before = [...new Set(batch.ids.map((id) => this.lastRequest.get(id)).filter((p) => p !== undefined))];
    const sent = Promise.allSettled(before).then(() => this.sendItems(batch, signal));
    const settled = sent.catch(() => undefined);
    for (const id of batch.ids) this.lastRequest.set(id, settled);
    void settled.then(() => {
      for (const id of batch.ids) if (this.lastRequest.get(id) === settled) this.lastRequest.delete(id);
    });
    return sent;
  }

  private async sendItems(batch: CatalogBatch<T>, signal: AbortSignal | undefined): Promise<CatalogRowFailure<T>[]> {
    const result = await this.request(batch, signal);
    if (!result.rejected) return [];
    return this.resendWithout(batch, result.rejected, signal);
  }

  private request(batch: CatalogBatch<T>, signal: AbortSignal | undefined): Promise<CatalogResult> {
    if (batch.op === 'delete') return this.braze.deleteCatalogItems(this.catalog, { items: batch.ids.map((id) => ({ id })) }, signal);
    const body: CatalogItemsRequest = preparedItemsBody(batch.texts);
    return batch.op === 'put' ? this.braze.replaceCatalogItems(this.catalog, body, signal) : this.braze.editCatalogItems(this.catalog, body, signal);
  }

  /** A rejected request: its named items fail; the others go again (split when none was named). */
  private async resendWithout(batch: CatalogBatch<T>, errors: CatalogItemError[], signal: AbortSignal | undefined): Promise<CatalogRowFailure<T>[]> {
    const named = new Map<string, string>();
    for (const e of errors) for (const id of e.ids) if (batch.ids.includes(id) && !named.has(id)) named.set(id, `Braze rejected the item (${e.type}): ${e.message}`);
    if (named.size === 0 && batch.rows.length === 1) {
      const reason = errors.map((e) => `${e.type}: ${e.message}`).join('; ') || 'Braze rejected the item.';
      return [failure(batch, 0, `Braze rejected the item (${reason}).`)];
    }
    const failures: CatalogRowFailure<T>[] = [];
    const keep: number[] = [];
    batch.ids.forEach((id, i) => {
      const reason = named.get(id);
      if (reason !== undefined) failures.push(failure(batch, i, reason));
      else keep.push(i);
    });
    const parts = named.size > 0 ? [keep] : [keep.slice(0, keep.length >> 1), keep.slice(keep.length >> 1)];
    for (const part of parts.filter((p) => p.length > 0)) failures.push(...(await this.sendItems(subBatch(batch, part), signal)));
    return failures;
  }
}

function failure<T>(batch: CatalogBatch<T>, i: number, reason: string): CatalogRowFailure<T> {
  return { row: batch.rows[i] as T, reason, identifier: `id=${batch.ids[i] ?? ''}` };
}

function subBatch<T>(batch: CatalogBatch<T>, indexes: number[]): CatalogBatch<T> {
  return {
    kind: 'catalog',
    op: batch.op,
    ids: indexes.map((i) => batch.ids[i] as string),
    texts: batch.op !== 'delete' ? indexes.map((i) => batch.texts[i] as TrackObjectText) : [],
    rows: indexes.map((i) => batch.rows[i] as T),
  };
}
