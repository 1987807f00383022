/**
 * A host whose runs keep every pooled connection busy is still alive: its leases and its fleet
 * heartbeat are renewed on a connection of their own. Here the backend's pool has one connection,
 * and a read of the run history holds it, stuck behind a lock another session keeps on `runs`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { useStateDatabase } from '../support/state-db';
import { waitUntil } from '../support/wait-until';

const SCHEMA = 'heartbeat_test';
const LEASE_S = 3; // beats every second
const fx = useStateDatabase(SCHEMA, { poolSize: 1, leaseSeconds: LEASE_S });

const ref = (syncName: string) => ({ filePath: '/repo/crm.brazesync.yaml', stateRoot: '/unused', syncName });

test('leases and the fleet heartbeat are renewed while runs hold every pooled connection', async () => {
  const { db, backend } = fx;
  const stores = ['users', 'events', 'purchases'].map((name) => backend.storeFor(ref(name)));
  const held = await Promise.all(stores.map((store) => store.lock('scheduler')));
  await backend.fleet.join();
  const expiries = async () => (await db.query<{ sync_key: string; ms: string }>(`SELECT sync_key, (extract(epoch FROM expires_at) * 1000)::bigint::text AS ms FROM ${SCHEMA}.sync_leases ORDER BY 1`)).rows.map((r) => Number(r.ms));
  const heartbeatMs = async () => Number((await db.query<{ ms: string }>(`SELECT (extract(epoch FROM heartbeat_at) * 1000)::bigint::text AS ms FROM ${SCHEMA}.fleet_hosts WHERE left_at IS NULL`)).rows[0]?.ms);

  const locker = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${SCHEMA}.runs IN ACCESS EXCLUSIVE MODE`);
    const stuck = stores[0]!.listRuns(10);
    await waitUntil('the history read to wait on the lock', async () => (await db.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'`)).rowCount === 1, 10_000);
    const before = await expiries();
    const beatBefore = await heartbeatMs();

    await waitUntil('every lease and the host heartbeat to be renewed', async () => {
      const now = await expiries();
      return now.length === 3 && now.every((ms, i) => ms > before[i]!) && (await heartbeatMs()) > beatBefore;
    }, LEASE_S * 2_000);

    await locker.query('ROLLBACK');
    assert.deepEqual(await stuck, []);
  } finally {
    await locker.end();
  }
  await backend.fleet.leave();
  await Promise.all(held.map((lock) => lock.release()));
});
