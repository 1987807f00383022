/**
 * One job per sync across every host sharing the state database: a lease row per sync with an
 * expiry the holder pushes forward three times per lease period. A holder that dies (kill -9, lost
 * network) stops heartbeating and its lease lapses `leaseSeconds` later, measured on the database's
 * clock so hosts' clocks never matter. Each grant gets a new token from a sequence; the store
 * writes only while its token still holds the lease (see `fence`), so a host that lost its lease
 * can never move a watermark that another host now owns.
 */
import * as os from 'node:os';
import type pg from 'pg';
import { JobInProgressError, type HeldLock, type LockOwner } from '../../state/lock-file';
import { quoteIdent } from './migrations';
import { inTransaction } from './pg-transaction';
import { preparedQuery } from './prepared';

/** How long a lease outlives its holder's last heartbeat, by default; heartbeats come three times as often. */
export const DEFAULT_LEASE_TTL_S = 30;

export class LeaseLostError extends Error {
  constructor(syncKey: string) {
    super(`This host no longer holds the lease on ${syncKey} (it was not renewed in time: the state database was unreachable or this host stalled), so nothing more was recorded. Another host may have taken the sync over; the next run resumes from the last recorded watermark.`);
    this.name = 'LeaseLostError';
  }
}

export interface LeaseTable {
  pool: pg.Pool;
  schema: string;
  leaseSeconds: number;
  /**
   * The leases this process holds, by sync key, from grant to release: the heartbeats renew them
   * (pg-heartbeats.ts) and a sync's diff store fences its writes with them too.
   */
  leases: Map<string, HeldLease>;
}

export interface HeldLease extends HeldLock {
  readonly token: string;
}

interface LeaseRow {
  token: string;
  host: string;
  pid: number;
  command: string | null;
  started_at: Date;
  expires_at: Date;
  live: boolean;
}

/**
 * A holder on this machine whose process is gone (killed, crashed) holds nothing: as with the file
 * lock, its lease is taken over at once instead of after it lapses. Other machines' holders are
 * judged by their lease alone.
 */
function deadHereAndNow(row: LeaseRow): boolean {
  if (row.host !== os.hostname() || row.pid === process.pid) return false;
  try {
    process.kill(row.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** This process as lease holders and fleet hosts name it. */
export function thisHost(): { host: string; pid: number } {
  return { host: os.hostname(), pid: process.pid };
}

type LeaseJson = Omit<LeaseRow, 'started_at' | 'expires_at'> & { started_at: string; expires_at: string };

function leaseRow(json: LeaseJson): LeaseRow {
  return { ...json, started_at: new Date(json.started_at), expires_at: new Date(json.expires_at) };
}

function owner(row: LeaseRow): LockOwner {
  return { pid: row.pid, host: row.host, started_at: row.started_at.toISOString(), ...(row.command ? { command: row.command } : {}) };
}

function busy(syncKey: string, row: LeaseRow, where: string, ttl: number): JobInProgressError {
  return new JobInProgressError(
    owner(row),
    where,
    `${syncKey} is already running on host ${row.host} (pid ${row.pid}${row.command ? `, ${row.command}` : ''}) since ${row.started_at.toISOString()}. ` +
      `Wait for it to finish; if that host died, its lease lapses at ${row.expires_at.toISOString()} at the latest (${ttl} s after its last heartbeat) and the sync can run again.`,
  );
}

/**
 * `readAtGrant`: a select list (its `$1` is the sync key) evaluated in the statement that takes the
 * lease, so a run's first reads cost no round trip of their own. Its values come back only when
 * they are what a read after the grant would see: the lease row was absent or lapsed in the
 * statement's snapshot, so no earlier holder could still commit a write after it. Otherwise (a
 * holder released between the snapshot and the insert, or a dead holder's lease taken over) the
 * caller reads again.
 */
export async function acquireLease(table: LeaseTable, syncKey: string, command: string | undefined, readAtGrant?: string): Promise<HeldLease & { readAtGrant?: Record<string, unknown> }> {
  const t = `${quoteIdent(table.schema)}.sync_leases`;
  const where = `${table.schema}.sync_leases`;
  const me = thisHost();
  // One statement (the lease is on every run's path): take the lease if it is free or lapsed (or
  // held by `override`, a dead holder on this machine), and say who held it before.
  const take = async (override: string | null) => {
    const reading = override === null ? readAtGrant : undefined;
    const res = await preparedQuery<{ got: { token: string; started_at: string } | null; prev: LeaseJson | null } & Record<string, unknown>>(
      table.pool,
      `WITH prev AS (SELECT token::text, host, pid, command, started_at, expires_at, expires_at > now() AS live FROM ${t} WHERE sync_key = $1),
       got AS (
         INSERT INTO ${t} (sync_key, token, host, pid, command, started_at, expires_at)
         VALUES ($1, nextval('${quoteIdent(table.schema)}.lease_tokens'), $2, $3, $4, now(), now() + make_interval(secs => $5))
         ON CONFLICT (sync_key) DO UPDATE SET token = excluded.token, host = excluded.host, pid = excluded.pid, command = excluded.command, started_at = excluded.started_at, expires_at = excluded.expires_at
         WHERE ${t}.expires_at <= now() OR ${t}.token::text = $6
         RETURNING token::text, started_at)
       SELECT (SELECT row_to_json(got) FROM got) AS got, (SELECT row_to_json(prev) FROM prev) AS prev${reading ? `, ${reading}` : ''}`,
      [syncKey, me.host, me.pid, command ?? null, table.leaseSeconds, override],
    );
    const row = res.rows[0];
    const read = reading && row?.got && !row.prev?.live ? row : undefined;
    return { got: row?.got ?? undefined, previous: row?.prev ? leaseRow(row.prev) : undefined, read };
  };
  let { got, previous, read } = await take(null);
  if (!got && previous && deadHereAndNow(previous)) ({ got, previous, read } = await take(previous.token));
  if (!got) {
    // Held by a live process (or first taken by another host between our read and our insert).
    const holder = previous ?? (await table.pool.query<LeaseRow>(`SELECT token::text, host, pid, command, started_at, expires_at, true AS live FROM ${t} WHERE sync_key = $1`, [syncKey])).rows[0];
    throw busy(syncKey, holder ?? { token: '0', host: 'another host', pid: 0, command: null, started_at: new Date(), expires_at: new Date(), live: true }, where, table.leaseSeconds);
  }
  const granted = got;
  const token = granted.token;
  const held: HeldLease = {
    file: where,
    token,
    ...(previous ? { tookOver: owner(previous) } : {}),
    async release() {
      if (table.leases.get(syncKey) === held) table.leases.delete(syncKey);
      // Unreachable database: the lease lapses on its own, and the error that matters came earlier.
      await preparedQuery(table.pool, `DELETE FROM ${t} WHERE sync_key = $1 AND token = $2`, [syncKey, token]).catch(() => undefined);
    },
  };
  table.leases.set(syncKey, held);
  return read ? { ...held, readAtGrant: read } : held;
}

/**
 * One statement that writes only while `token` holds the lease, renewing it: `sql` reads from a
 * CTE named `lease` (one row while the lease holds, none otherwise) and its `$1` is the sync key.
 * A single statement is atomic on its own, so this costs one round trip instead of a transaction's
 * four. Throws LeaseLostError (nothing written) when no row came back.
 */
export async function fencedStatement(table: LeaseTable, token: string, sql: string, params: unknown[]): Promise<void> {
  const n = params.length;
  const lease = `WITH lease AS (UPDATE ${quoteIdent(table.schema)}.sync_leases SET expires_at = now() + make_interval(secs => $${n + 2}) WHERE sync_key = $1 AND token = $${n + 1} AND expires_at > now() RETURNING 1) `;
  const result = await preparedQuery(table.pool, lease + sql, [...params, token, table.leaseSeconds]);
  if (!result.rowCount) throw new LeaseLostError(String(params[0]));
}

/**
 * Runs `write` in a transaction that first renews the lease held with `token`; throws
 * LeaseLostError (and writes nothing) when the lease has passed to someone else or lapsed.
 */
export function fenced<T>(table: LeaseTable, syncKey: string, token: string, write: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(table.pool, async (client) => {
    const renewed = await client.query(`UPDATE ${quoteIdent(table.schema)}.sync_leases SET expires_at = now() + make_interval(secs => $3) WHERE sync_key = $1 AND token = $2 AND expires_at > now()`, [syncKey, token, table.leaseSeconds]);
    if (renewed.rowCount !== 1) throw new LeaseLostError(syncKey);
    return write(client);
  });
}
