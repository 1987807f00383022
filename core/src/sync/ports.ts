/**
 * The sync engine's ports: the engine depends on these interfaces only; real adapters live in
 * `core/src/adapters/` (pg, HTTP, files) and tests plug in the same adapters against real servers.
 */
import type { DataType } from '../model/sync-file';

/** Identifier columns of a source row; absent columns are `undefined`, SQL NULL is `null`. */
export interface RowIdentifiers {
  external_id?: string | null;
  alias_name?: string | null;
  alias_label?: string | null;
  braze_id?: string | null;
  email?: string | null;
  phone?: string | null;
}

/** One row read from the source table. */
export interface SourceRow {
  /** `UPDATED_AT` as the database's text form, full microsecond precision (never a JS Date). */
  updatedAt: string;
  ids: RowIdentifiers;
  /** Raw `PAYLOAD` text; `undefined` when the table has no PAYLOAD column (user deletes). */
  payload?: string | null;
  /**
   * Set when PAYLOAD was too large to read at all (a SUPER value past what it can be serialised
   * to): its size in bytes. `payload` is then null, and the row fails with this size.
   */
  payloadBytes?: number;
  /** Catalog syncs only: the ID and DELETED columns. */
  item?: CatalogItemColumns;
}

/** A catalog row's own columns (braze-cdi.md §1.3). */
export interface CatalogItemColumns {
  /** ID as read: text, or a SUPER value's JSON text when `idIsJson`; null for SQL NULL. */
  id: string | null;
  /** The ID column is SUPER: `id` is JSON (a string id is `"…"`). */
  idIsJson?: boolean;
  /** DELETED; undefined when the table has no such column. */
  deleted?: boolean | null;
}

/** A per-object error Braze reported inside a 201 response (`errors[]`). */
export interface BrazeObjectError {
  type: string;
  input_array: 'attributes' | 'events' | 'purchases' | string;
  index: number;
}

/** Body of `POST /users/track`; at most 75 objects in total. */
export interface TrackRequest {
  attributes?: Record<string, unknown>[];
  events?: Record<string, unknown>[];
  purchases?: Record<string, unknown>[];
}

export interface TrackResult {
  status: number;
  objectErrors: BrazeObjectError[];
}

/** Body of `POST /users/delete`; at most 50 identifiers in total. */
export interface DeleteRequest {
  external_ids?: string[];
  user_aliases?: { alias_name: string; alias_label: string }[];
  braze_ids?: string[];
}

export interface DeleteResult {
  status: number;
  deleted: number;
}

/** Body of `PUT` / `PATCH` / `DELETE /catalogs/{catalog}/items`; at most 50 items. */
export interface CatalogItemsRequest {
  items: Record<string, unknown>[];
}

/** What Braze said about one item of a rejected catalog request (`errors[]` of a 400). */
export interface CatalogItemError {
  /** Braze's error id, e.g. `invalid-fields`, `ids-too-large`. */
  type: string;
  message: string;
  /** Item ids the error names (`parameter_values`), when it names any. */
  ids: string[];
}

export interface CatalogResult {
  /** 202 when queued. */
  status: number;
  /**
   * Set when Braze rejected the request for what its items hold (400): nothing in it was applied,
   * and these errors say which items (by id) were wrong.
   */
  rejected?: CatalogItemError[];
}

/** A catalog-level failure that no retry or other item can fix (catalog not found, out of storage). */
export class CatalogUnavailableError extends Error {
  override readonly name = 'CatalogUnavailableError';
  constructor(
    message: string,
    readonly reason: 'catalog-not-found' | 'storage',
  ) {
    super(message);
  }
}

/**
 * The Braze REST API as the engine sees it. Implementations handle rate limits (429 and
 * `X-RateLimit-*`), retries with backoff for 5xx and network errors, and throw a descriptive error
 * when the request cannot succeed (bad key, retries exhausted, aborted).
 */
export interface BrazeClient {
  track(body: TrackRequest, signal?: AbortSignal): Promise<TrackResult>;
  deleteUsers(body: DeleteRequest, signal?: AbortSignal): Promise<DeleteResult>;
  /** `PUT /catalogs/{catalog}/items`: replaces (or creates) the items. Throws CatalogUnavailableError. */
  replaceCatalogItems(catalog: string, body: CatalogItemsRequest, signal?: AbortSignal): Promise<CatalogResult>;
  /** `PATCH /catalogs/{catalog}/items`: sets the given fields of existing items, leaving the others. Throws CatalogUnavailableError. */
  editCatalogItems(catalog: string, body: CatalogItemsRequest, signal?: AbortSignal): Promise<CatalogResult>;
  /** `DELETE /catalogs/{catalog}/items` with `{"items":[{"id":…}]}`. Throws CatalogUnavailableError. */
  deleteCatalogItems(catalog: string, body: CatalogItemsRequest, signal?: AbortSignal): Promise<CatalogResult>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type { DataType };
