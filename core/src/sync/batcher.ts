/**
 * Groups mapped rows into Braze requests: at most `maxObjects` objects and `MAX_REQUEST_BYTES`
 * per `/users/track` body, at most `MAX_DELETE_IDS` identifiers per `/users/delete` body. Each
 * request keeps its rows in body order so per-object errors (`errors[].index`) map back to rows.
 */
import { MAX_DELETE_IDS, MAX_REQUEST_BYTES, type TrackArray } from './braze-contract';
import { preparedTrackBody, type TrackObjectText } from './json-texts';
import type { DeleteRequest, TrackRequest } from './ports';
import type { DeleteTarget, MappedRow } from './row-mapping';

export type OkRow = Extract<MappedRow, { ok: true }>;

export type Batch<T> =
  | { kind: 'track'; array: TrackArray; body: TrackRequest; rows: T[] }
  | { kind: 'delete'; body: DeleteRequest; rows: T[] };

export const DEFAULT_BATCH_SIZE = 75;

/** Nothing closed: the common answer, shared so adding a row allocates nothing for it. */
const NONE: readonly never[] = [];

/** Room left for `{"attributes":[` … `]}`, commas and the other arrays. */
const ENVELOPE_BYTES = 1024;

export class Batcher<T> {
  private texts: TrackObjectText[] = [];
  private targets: DeleteTarget[] = [];
  private rows: T[] = [];
  private bytes = 0;
  private array: TrackArray | undefined;
  private readonly maxObjects: number;

  constructor(maxObjects: number, private readonly deletes: boolean) {
    this.maxObjects = deletes ? Math.min(maxObjects, MAX_DELETE_IDS) : maxObjects;
  }

  /** Adds a row; returns the batches it closed (full, or closed to make room for it). */
  add(mapped: OkRow, row: T): readonly Batch<T>[] {
    let closed: readonly Batch<T>[] = NONE;
    const sameArray = mapped.kind === 'delete' || this.array === undefined || this.array === mapped.kind;
    if (this.rows.length > 0 && (!sameArray || this.bytes + mapped.bytes + 1 > MAX_REQUEST_BYTES - ENVELOPE_BYTES)) closed = this.close();
    if (mapped.kind === 'delete') this.targets.push(mapped.target);
    else {
      this.texts.push(mapped);
      this.array = mapped.kind;
    }
    this.rows.push(row);
    this.bytes += mapped.bytes + 1;
    if (this.rows.length >= this.maxObjects) closed = [...closed, ...this.close()];
    return closed;
  }

  /** Closes the open batch (end of input); returns it, or nothing when empty. */
  close(): Batch<T>[] {
    if (this.rows.length === 0) return [];
    const rows = this.rows;
    let batch: Batch<T>;
    if (this.deletes) {
      batch = { kind: 'delete', body: deleteBody(this.targets), rows };
    } else {
      const array = this.array ?? 'attributes';
      batch = { kind: 'track', array, body: preparedTrackBody(array, this.texts), rows };
    }
    this.texts = [];
    this.targets = [];
    this.rows = [];
    this.bytes = 0;
    this.array = undefined;
    return [batch];
  }
}

function deleteBody(targets: DeleteTarget[]): DeleteRequest {
  const body: DeleteRequest = {};
  for (const t of targets) {
    if ('external_id' in t) (body.external_ids ??= []).push(t.external_id);
    else if ('braze_id' in t) (body.braze_ids ??= []).push(t.braze_id);
    else (body.user_aliases ??= []).push(t.user_alias);
  }
  return body;
}
