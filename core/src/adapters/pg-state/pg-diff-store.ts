/**
 * `send: changed`'s hashes in the shared state database, so whichever host runs a sync next
 * compares its rows with what any host last had accepted. `diff_records` holds one row per item
 * (sync key, 16-byte item key, the item's record: the same bytes as the local LMDB store, hashes
 * only), `diff_meta` one row per sync (sequence number, fingerprint, undo of the last commit).
 *
 * Records are read a page of rows at a time (`prefetch`, one `= ANY($2)` query) and then served
 * synchronously from the last two batches (the page being planned, and the next one, loaded
 * meanwhile), so JS memory holds two pages' items whatever the table's size. What commits write is
 * applied to the batches too (also to one still loading, whose answer may predate the commit), so
 * a row is never planned against a record older than the store's. Writes run in one transaction
 * each, fenced by the sync's lease the run held when it opened the store: a run whose lease passed
 * to another host (or another run) can't record hashes for it any more.
 */
import type pg from 'pg';
import type { DiffStore, DiffStoreFactory, DiffStoreMeta, DiffWrite } from '../../diff/diff-store';
import { asBuffer, sameBytes, undoEntries, undoEntry } from '../../diff/undo-record';
import { quoteIdent } from './migrations';
import { fenced, type HeldLease } from './pg-lease';
import type { PgStateTables } from './pg-state-store';
import { inTransaction } from './pg-transaction';

type Records = Map<string, Buffer | null>;

/** Database access for one sync's hashes: every error leaves explained (no URL, no password). */
interface Access {
  readonly t: { records: string; meta: string };
  readonly syncKey: string;
  readonly location: string;
  /** A statement on its own, or on `c` inside a `write`. */
  query<R extends pg.QueryResultRow>(sql: string, params: unknown[], c?: pg.ClientBase): Promise<R[]>;
  /** One transaction, fenced by `lease` (the sync's, when this process holds it). */
  write<T>(lease: HeldLease | undefined, body: (c: pg.ClientBase) => Promise<T>): Promise<T>;
}

/** A key as a map key: one char per byte. */
const id = (key: Uint8Array) => asBuffer(key).toString('latin1');

export function pgDiffStoreFactory(tables: PgStateTables, syncKey: string, description: string, explain: (err: unknown) => Error): DiffStoreFactory {
  const s = quoteIdent(tables.schema);
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      await tables.ready();
      return await work();
    } catch (err) {
      throw explain(err);
    }
  };
  const db: Access = {
    t: { records: `${s}.diff_records`, meta: `${s}.diff_meta` },
    syncKey,
    location: `${description}, table diff_records, sync ${syncKey}`,
    query: async (sql, params, c) => (c ? (await c.query(sql, params)).rows : guard(async () => (await tables.pool.query(sql, params)).rows)),
    write: (lease, body) => guard(() => (lease ? fenced(tables, syncKey, lease.token, body) : inTransaction(tables.pool, body))),
  };
  return {
    location: db.location,
    async open() {
      const [row] = await db.query<{ seq: string; fingerprint: string }>(`SELECT seq::text, fingerprint FROM ${db.t.meta} WHERE sync_key = $1`, [syncKey]);
      // The lease the run holds now: should it pass to another run, even in this process, this store writes nothing more.
      return pgDiffStore(db, row ? { seq: Number(row.seq), fingerprint: row.fingerprint } : { seq: 0, fingerprint: undefined }, tables.leases.get(syncKey));
    },
    async exists() {
      return (await db.query(`SELECT 1 FROM ${db.t.meta} WHERE sync_key = $1`, [syncKey])).length > 0;
    },
    async discard() {
      await db.write(tables.leases.get(syncKey), async (c) => {
        await c.query(`DELETE FROM ${db.t.records} WHERE sync_key = $1`, [syncKey]);
        await c.query(`DELETE FROM ${db.t.meta} WHERE sync_key = $1`, [syncKey]);
      });
      return undefined;
    },
  };
}

function pgDiffStore(db: Access, initial: DiffStoreMeta, lease: HeldLease | undefined): DiffStore {
  const { t, syncKey } = db;
  let meta = initial;
  /** The last prefetched batch (null: no record), plus what commits wrote since; and the batch before it. */
  let loaded: Records = new Map();
  let previous: Records = new Map();
  /** Writes committed while a batch loads, applied over its answer. */
  const loading = new Set<Records>();
  /** The last prefetch: batches load one after another, so they take their place in call order. */
  let lastLoad: Promise<unknown> = Promise.resolve();
  const forgetLoaded = () => {
    loaded = new Map();
    previous = new Map();
  };
  const remember = (key: Uint8Array, value: Buffer | null) => {
    loaded.set(id(key), value);
    for (const since of loading) since.set(id(key), value);
  };
  return {
    location: db.location,
    meta: () => meta,
    get: (key) => {
      const k = id(key);
      return (loaded.has(k) ? loaded.get(k) : previous.get(k)) ?? undefined;
    },
    prefetch(keys) {
      const load = async () => {
        const since: Records = new Map();
        loading.add(since);
        try {
          const next = await recordsOf(db, keys);
          for (const [k, v] of since) next.set(k, v);
          previous = loaded;
          loaded = next;
        } finally {
          loading.delete(since);
        }
      };
      const done = lastLoad.then(load, load);
      lastLoad = done;
      return done;
    },
    async commit(seq, writes) {
      await db.write(lease, async (c) => {
        const before = await recordsOf(db, writes.map((w) => w.key), c);
        const undo = Buffer.concat(writes.map((w) => undoEntry(w, before.get(id(w.key)) ?? undefined)));
        await apply(c, db, writes);
        const moved = await c.query(`UPDATE ${t.meta} SET seq = $2, undo = $3, updated_at = now() WHERE sync_key = $1 AND seq = $4`, [syncKey, seq, undo, meta.seq]);
        // Only one writer holds the lease; this catches a store changed behind it all the same.
        if (moved.rowCount !== 1) throw new Error(`The diff store at ${db.location} is no longer at checkpoint ${meta.seq} (changed by another host?); nothing was recorded.`);
      });
      meta = { ...meta, seq };
      for (const w of writes) remember(w.key, w.value ? asBuffer(w.value) : null);
    },
    async rollback() {
      await db.write(lease, async (c) => {
        const [row] = (await c.query<{ undo: Buffer | null }>(`SELECT undo FROM ${t.meta} WHERE sync_key = $1 AND seq = $2 FOR UPDATE`, [syncKey, meta.seq])).rows;
        if (!row?.undo || meta.seq === 0) throw new Error('nothing to undo');
        const entries = [...undoEntries(row.undo)];
        const now = await recordsOf(db, entries.map((e) => e.key), c);
        // Only where the record is still what that commit wrote (a user delete may have forgotten it since).
        const restore = entries.filter((e) => sameBytes(now.get(id(e.key)) ?? undefined, e.after));
        await apply(c, db, restore.map((e) => ({ key: e.key, value: e.before ?? null })));
        await c.query(`UPDATE ${t.meta} SET seq = seq - 1, undo = NULL, updated_at = now() WHERE sync_key = $1`, [syncKey]);
      });
      meta = { ...meta, seq: meta.seq - 1 };
      forgetLoaded();
    },
    async reset(fingerprint, seq) {
      await db.write(lease, async (c) => {
        await c.query(`DELETE FROM ${t.records} WHERE sync_key = $1`, [syncKey]);
        await c.query(
          `INSERT INTO ${t.meta} (sync_key, seq, fingerprint) VALUES ($1, $2, $3) ON CONFLICT (sync_key) DO UPDATE SET seq = excluded.seq, fingerprint = excluded.fingerprint, undo = NULL, updated_at = now()`,
          [syncKey, seq, fingerprint],
        );
      });
      meta = { seq, fingerprint };
      forgetLoaded();
    },
    async forget(keys) {
      if (keys.length === 0) return;
      // Another sync's deletes: under that sync's lease, not this one's.
      await db.query(`DELETE FROM ${t.records} WHERE sync_key = $1 AND key = ANY($2::bytea[])`, [syncKey, keys.map(asBuffer)]);
      for (const k of keys) remember(k, null);
    },
    async sizeBytes() {
      const [row] = await db.query<{ n: string }>(`SELECT coalesce(sum(pg_column_size(d.*)), 0)::text AS n FROM ${t.records} d WHERE sync_key = $1`, [syncKey]);
      return Number(row?.n ?? 0);
    },
    close: async () => forgetLoaded(),
  };
}

/** The records `keys` hold now (in `c`'s transaction, when given); one query. */
async function recordsOf(db: Access, keys: readonly Uint8Array[], c?: pg.ClientBase): Promise<Records> {
  const rows = await db.query<{ key: Buffer; record: Buffer }>(`SELECT key, record FROM ${db.t.records} WHERE sync_key = $1 AND key = ANY($2::bytea[])`, [db.syncKey, keys.map(asBuffer)], c);
  return new Map(rows.map((r) => [id(r.key), r.record]));
}

/** Writes records (a null value removes the item), two statements whatever their number. */
async function apply(c: pg.ClientBase, db: Access, writes: readonly DiffWrite[]): Promise<void> {
  const puts = writes.filter((w) => w.value !== null);
  const removes = writes.filter((w) => w.value === null);
  if (puts.length > 0) {
    await c.query(
      `INSERT INTO ${db.t.records} (sync_key, key, record) SELECT $1, k, r FROM unnest($2::bytea[], $3::bytea[]) AS u(k, r) ON CONFLICT (sync_key, key) DO UPDATE SET record = excluded.record`,
      [db.syncKey, puts.map((w) => asBuffer(w.key)), puts.map((w) => asBuffer(w.value as Uint8Array))],
    );
  }
  if (removes.length > 0) await c.query(`DELETE FROM ${db.t.records} WHERE sync_key = $1 AND key = ANY($2::bytea[])`, [db.syncKey, removes.map((w) => asBuffer(w.key))]);
}
