/**
 * The fleet on the state database (see docs/shared-state.md). A due run is claimed by inserting
 * `(sync, instant)` into fleet_claims: the primary key lets exactly one host win (the runs due at
 * one instant are claimed in batches, one statement per batch). Hosts heartbeat
 * in fleet_hosts; a claim left unfinished by a host that stopped heartbeating, whose sync no
 * longer has a live lease, is re-claimed by a live host (FOR UPDATE SKIP LOCKED: one taker).
 * Each host records the hash of its version of every definition, so two live hosts following
 * different versions are found before either claims a run.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { ClaimResult, FleetCoordinator, FleetDefinition, FleetStats, HostVersion, TakenOver } from '../../state/fleet';
import type { SyncState } from '../../state/sync-state';
import { quoteIdent } from './migrations';
import type { Heartbeats } from './pg-heartbeats';
import { thisHost } from './pg-lease';
import { preparedQuery } from './prepared';

export interface FleetTables {
  pool: pg.Pool;
  schema: string;
  /** Heartbeats this host on a connection of its own (pg-heartbeats.ts). */
  heartbeats: Heartbeats;
  /** This host heartbeats three times per lease period; others count it dead after one period without. */
  leaseSeconds: number;
  ready(): Promise<void>;
}

const PRUNE_EVERY_MS = 3_600_000;

/** A host is alive while it has not left and its last heartbeat is younger than its own lease period. */
const ALIVE = `(h.left_at IS NULL AND h.heartbeat_at > now() - make_interval(secs => h.lease_seconds))`;

export function createPgFleet(tables: FleetTables): FleetCoordinator {
  const s = quoteIdent(tables.schema);
  const me = thisHost();
  const host = `${me.host} (pid ${me.pid})`;
  const hostId = `${me.host}:${me.pid}:${randomBytes(4).toString('hex')}`;
  let stopHeartbeat: (() => void) | undefined;
  let pruned = Date.now();
  /** Claims (one per sync and instant: about 100 a day per sync) and departed hosts are kept a week. */
  const prune = async () => {
    await query(`DELETE FROM ${s}.fleet_claims WHERE scheduled_for < now() - interval '7 days' AND finished_at IS NOT NULL`, []);
    await query(`DELETE FROM ${s}.fleet_definitions d USING ${s}.fleet_hosts h WHERE d.host_id = h.host_id AND NOT ${ALIVE}`, []);
    await query(`DELETE FROM ${s}.fleet_hosts h WHERE coalesce(h.left_at, h.heartbeat_at) < now() - interval '7 days'`, []);
  };
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[]) => {
    await tables.ready();
    return (await preparedQuery<R>(tables.pool, text, values)).rows;
  };

  return {
    host,
    async join() {
      await prune();
      await query(`INSERT INTO ${s}.fleet_hosts (host_id, host, lease_seconds) VALUES ($1, $2, $3)`, [hostId, host, tables.leaseSeconds]);
      stopHeartbeat = tables.heartbeats.beatForHost(hostId);
    },
    async publish(definitions: readonly FleetDefinition[]) {
      const keys = definitions.map((d) => d.syncKey);
      await query(`DELETE FROM ${s}.fleet_definitions WHERE host_id = $1 AND NOT (sync_key = ANY($2))`, [hostId, keys]);
      if (definitions.length === 0) return;
      await query(
        `INSERT INTO ${s}.fleet_definitions (sync_key, host_id, def_hash) SELECT k, $1, h FROM unnest($2::text[], $3::text[]) AS d(k, h)
         ON CONFLICT (sync_key, host_id) DO UPDATE SET def_hash = excluded.def_hash, seen_at = now()`,
        [hostId, keys, definitions.map((d) => d.defHash)],
      );
    },
    async claim(requests): Promise<ClaimResult[]> {
      if (requests.length === 0) return [];
      // One round trip for many runs: each is inserted only when no live host follows another
      // version of its sync. Answers name requests by their position (`i`), never by a
      // timestamp sent back and parsed again, and a run asked twice in one batch is won once
      // (by its first request): no request is answered 'claimed' for a row another one won.
      const rows = await query<{ i: number | null; sync_key: string; host: string | null; def_hash: string | null; last_test: SyncState['last_test'] }>(
        `WITH wanted AS (SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[]) WITH ORDINALITY AS w(sync_key, scheduled_for, def_hash, i)),
         others AS (
           SELECT DISTINCT w.sync_key, h.host, d.def_hash FROM wanted w JOIN ${s}.fleet_definitions d ON d.sync_key = w.sync_key JOIN ${s}.fleet_hosts h ON h.host_id = d.host_id
           WHERE d.host_id <> $4 AND d.def_hash <> w.def_hash AND ${ALIVE}),
         won AS (
           INSERT INTO ${s}.fleet_claims (sync_key, scheduled_for, host_id, host, def_hash)
           SELECT DISTINCT ON (w.sync_key, w.scheduled_for) w.sync_key, w.scheduled_for, $4, $5, w.def_hash FROM wanted w
           WHERE NOT EXISTS (SELECT 1 FROM others o WHERE o.sync_key = w.sync_key)
           -- Rows go in key order: a host that meets another's uncommitted claim waits for it, and
           -- two hosts with overlapping batches wait in the same order, so they never deadlock.
           ORDER BY w.sync_key, w.scheduled_for, w.i
           ON CONFLICT DO NOTHING RETURNING sync_key, scheduled_for)
         -- A won run's test record comes along: the scheduler checks it before the run, with no read of its own.
         SELECT min(w.i)::int AS i, won.sync_key, NULL AS host, NULL AS def_hash, (SELECT st.state->'last_test' FROM ${s}.sync_state st WHERE st.sync_key = won.sync_key) AS last_test
           FROM won JOIN wanted w USING (sync_key, scheduled_for) GROUP BY won.sync_key, won.scheduled_for
         UNION ALL SELECT NULL, sync_key, host, def_hash, NULL FROM others`,
        [requests.map((r) => r.syncKey), requests.map((r) => r.scheduledFor), requests.map((r) => r.defHash), hostId, host],
      );
      const won = new Map(rows.flatMap((row) => (row.i === null ? [] : [[row.i - 1, row.last_test ?? null] as const])));
      const others = new Map<string, HostVersion[]>();
      for (const row of rows) if (row.host && row.def_hash) others.set(row.sync_key, [...(others.get(row.sync_key) ?? []), { host: row.host, defHash: row.def_hash }]);
      return requests.map((r, index): ClaimResult => {
        if (won.has(index)) return { kind: 'claimed', tested: { last_test: won.get(index) ?? null } };
        const versions = others.get(r.syncKey);
        return versions ? { kind: 'mismatch', others: versions } : { kind: 'taken' };
      });
    },
    async finish(syncKey, scheduledFor, outcome, runId) {
      // Also closes this host's earlier claims of the sync whose end could not be recorded (the
      // state database was away then): this host runs one job per sync, so none is still going.
      await query(
        `UPDATE ${s}.fleet_claims SET outcome = CASE WHEN scheduled_for = $2 THEN $4 ELSE 'unrecorded' END, run_id = CASE WHEN scheduled_for = $2 THEN $5 ELSE run_id END, finished_at = now()
         WHERE sync_key = $1 AND host_id = $3 AND (scheduled_for = $2 OR (scheduled_for < $2 AND finished_at IS NULL))`,
        [syncKey, scheduledFor, hostId, outcome, runId ?? null],
      );
    },
    async takeOver(syncKeys): Promise<TakenOver[]> {
      if (Date.now() - pruned >= PRUNE_EVERY_MS) {
        pruned = Date.now();
        await prune();
      }
      if (syncKeys.length === 0) return [];
      const rows = await query<{ sync_key: string; scheduled_for: Date; taken_over_from: string }>(
        `UPDATE ${s}.fleet_claims c SET host_id = $1, host = $2, attempts = c.attempts + 1, taken_over_from = c.host, claimed_at = now()
         FROM (SELECT o.sync_key, o.scheduled_for FROM ${s}.fleet_claims o LEFT JOIN ${s}.fleet_hosts h USING (host_id)
               WHERE o.finished_at IS NULL AND o.host_id <> $1 AND o.sync_key = ANY($3)
                 AND (h.host_id IS NULL OR NOT (${ALIVE}))
                 AND NOT EXISTS (SELECT 1 FROM ${s}.sync_leases l WHERE l.sync_key = o.sync_key AND l.expires_at > now())
                 AND NOT EXISTS (SELECT 1 FROM ${s}.fleet_claims n WHERE n.sync_key = o.sync_key AND n.scheduled_for > o.scheduled_for)
               FOR UPDATE OF o SKIP LOCKED) AS orphan
         WHERE c.sync_key = orphan.sync_key AND c.scheduled_for = orphan.scheduled_for
         RETURNING c.sync_key, c.scheduled_for, c.taken_over_from`,
        [hostId, host, syncKeys],
      );
      return rows.map((r) => ({ syncKey: r.sync_key, scheduledFor: r.scheduled_for, fromHost: r.taken_over_from }));
    },
    async stats(since): Promise<FleetStats> {
      const hosts = await query<{ host: string; host_id: string; heartbeat_at: Date; alive: boolean; running: string }>(
        `SELECT h.host, h.host_id, h.heartbeat_at, ${ALIVE} AS alive,
                (SELECT count(*) FROM ${s}.fleet_claims c WHERE c.host_id = h.host_id AND c.finished_at IS NULL)::text AS running
         FROM ${s}.fleet_hosts h WHERE h.left_at IS NULL OR h.left_at > $1 ORDER BY h.host`,
        [since],
      );
      const runs = await query<{ host_id: string; outcome: string; count: string; late: string }>(
        `SELECT host_id, coalesce(outcome, 'running') AS outcome, count(*)::text AS count, count(*) FILTER (WHERE claimed_at - scheduled_for > interval '2 seconds')::text AS late
         FROM ${s}.fleet_claims WHERE scheduled_for >= $1 GROUP BY 1, 2 ORDER BY 1, 2`,
        [since],
      );
      return {
        hosts: hosts.map((h) => ({ host: h.host, host_id: h.host_id, heartbeat_at: h.heartbeat_at.toISOString(), alive: h.alive, running: Number(h.running) })),
        runs: runs.map((r) => ({ host_id: r.host_id, outcome: r.outcome, count: Number(r.count), late: Number(r.late) })),
      };
    },
    async leave() {
      stopHeartbeat?.();
      await query(`UPDATE ${s}.fleet_hosts SET left_at = now() WHERE host_id = $1`, [hostId]);
    },
  };
}
