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

/**
 * The Braze REST API as the engine sees it. Implementations handle rate limits (429 and
 * `X-RateLimit-*`), retries with backoff for 5xx and network errors, and throw a descriptive error
 * when the request cannot succeed (bad key, retries exhausted, aborted).
 */
export interface BrazeClient {
  track(body: TrackRequest, signal?: AbortSignal): Promise<TrackResult>;
  deleteUsers(body: DeleteRequest, signal?: AbortSignal): Promise<DeleteResult>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type { DataType };
