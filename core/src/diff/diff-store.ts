/**
 * The diff store port: per item (a Braze profile, keyed by a hash of its identifier as delivered;
 * later a catalog item), the hashes of the attribute values Braze last accepted. The engine only
 * sees this interface; `adapters/lmdb-diff-store.ts` is the local adapter, and
 * `adapters/pg-state/pg-diff-store.ts` the shared one (PostgreSQL: one table keyed by sync and
 * item, loaded a batch of rows' items at a time through `prefetch`).
 *
 * Crash safety rests on three things the store provides (see docs/diffing.md):
 * - `commit` is one durable transaction holding the records, the checkpoint's sequence number and
 *   what undoes it; the watermark journal records the same number right after it;
 * - `rollback` undoes the last commit when the watermark never recorded it (a crash between the
 *   two writes), restoring a record only where it still holds what that commit wrote;
 * - anything else that does not line up (a deleted, restored or foreign store) is `reset`.
 */

/** A store's own record of where it is. */
export interface DiffStoreMeta {
  /** Sequence number of the last commit (0 for a new or reset store). */
  seq: number;
  /** What the hashes were recorded for (`diffFingerprint`); undefined for a new store. */
  fingerprint: string | undefined;
}

/** One item's new record, or null to forget the item. */
export interface DiffWrite {
  key: Uint8Array;
  value: Uint8Array | null;
}

export interface DiffStore {
  /** Where it lives, for messages (a directory, a table). */
  readonly location: string;
  meta(): DiffStoreMeta;
  /**
   * The item's record; synchronous, so mapping a row never waits (a remote store would serve from
   * a batch it loaded ahead). The bytes may be reused by the next `get`: decode them at once.
   */
  get(key: Uint8Array): Uint8Array | undefined;
  /**
   * A remote store: loads these items' records in one round trip, so `get` can answer them
   * synchronously (along with what commits wrote since) until two later prefetches have loaded:
   * the engine loads the next page of rows while it plans the current one. A key not loaded reads
   * as absent (its item is sent whole, never skipped). A local store reads in place and has none.
   */
  prefetch?(keys: readonly Uint8Array[]): Promise<void>;
  /** Durably writes `writes`, sequence `seq`, and what undoes them, in one transaction. */
  commit(seq: number, writes: readonly DiffWrite[]): Promise<void>;
  /** Undoes the last commit (whose sequence is meta().seq), leaving records changed since as they are. */
  rollback(): Promise<void>;
  /** Forgets every record (and any undo); starts over at `seq` for `fingerprint`. */
  reset(fingerprint: string, seq: number): Promise<void>;
  /** Forgets these items outside any checkpoint (a user delete); never touches `seq`. */
  forget(keys: readonly Uint8Array[]): Promise<void>;
  /** Bytes on disk (or in the table), for reports. */
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}

/** Opens a sync's diff store, and sets an unreadable one aside so a new one can start. */
export interface DiffStoreFactory {
  readonly location: string;
  /** Throws DiffStoreUnreadableError when the store exists but can't be read. */
  open(): Promise<DiffStore>;
  /** Whether a store exists (a `send: all` run drops it; `diff reset` reports it). */
  exists(): Promise<boolean>;
  /** Removes the store; returns where an unreadable one was moved, when it was kept for inspection. */
  discard(keepAs?: 'corrupt'): Promise<string | undefined>;
}

export class DiffStoreUnreadableError extends Error {
  constructor(readonly location: string, cause: string) {
    super(`The diff store at ${location} can't be read (${cause}).`);
    this.name = 'DiffStoreUnreadableError';
  }
}
