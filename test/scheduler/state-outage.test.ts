/**
 * The shared state database goes away for 30 s while a scheduler host runs a sync (a loopback
 * proxy in front of it drops every connection and refuses new ones, as a stopped database or a
 * lost network would): the run fails saying what happened (never the URL or its password), the
 * scheduler keeps going, and once the database is back the next run resumes from the committed
 * watermark: every row reaches Braze, at most the unsaved tail twice, and the state reads whole.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createJobRunner } from '../../core/src/app/job-runner';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import { loadDefinitionFile } from '../../core/src/lang/load-definition';
import { Scheduler } from '../../core/src/scheduler/scheduler';
import { connectionFingerprint } from '../../core/src/state/connection-fingerprint';
import { startCutProxy, type CutProxy } from '../support/cut-proxy';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { LogRecorder, ManualClock } from '../support/scheduler-doubles';
import { openTestStateBackend, stateUrl } from '../support/state-db';
import { secretsFor, writeDefinition } from './support';

const OUTAGE_MS = 30_000;
const ROWS = 3000;
const PASSWORD = 'outage-state-pw-5d1';

let db: TestPostgres;
let braze: BrazeServer;
let proxy: CutProxy;
let requestHook: (() => void) | undefined;
const cleanup: string[] = [];

before(async () => {
  [db, braze] = await Promise.all([
    startTestPostgres(),
    startBrazeServer({ port: 0, apiKeys: ['braze-key-3c9a1f77e2'], budget: { limit: 1_000_000, windowMs: 1000 }, onRequest: () => requestHook?.() }),
  ]);
  proxy = await startCutProxy({ host: db.host, port: db.port });
});
after(async () => {
  await proxy?.close();
  await braze?.close();
  await db?.stop();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

function afterRequests(count: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    requestHook = () => {
      if (++seen === count) {
        requestHook = undefined;
        resolve();
      }
    };
  });
}

test('the state database stopped for 30 s mid-run: the run fails saying so, the next run resumes, no row lost', { timeout: 120_000 }, async () => {
  await db.query('CREATE SCHEMA outage');
  await db.createExampleTable('outage', 'users');
  await db.query(`INSERT INTO outage.users (updated_at, external_id, payload) SELECT now() - interval '1 hour' + g * interval '1 ms', 'out-' || g, '{"n":1}' FROM generate_series(1, ${ROWS}) g`);
  await db.query(`CREATE ROLE outage_state LOGIN PASSWORD '${PASSWORD}'`);
  await db.query(`GRANT CREATE ON DATABASE ${db.database} TO outage_state`);
  const env = secretsFor(db);
  const def = writeDefinition({ brazeUrl: braze.url, db, syncs: { users: { table: 'outage.users', schedule: 'every 15 minutes', batchSize: 5 } } });
  cleanup.push(def.dir);
  const url = stateUrl({ ...db, port: proxy.port }, { user: 'outage_state', password: PASSWORD });
  const state = openTestStateBackend(url, 'outage_state');
  const loaded = await loadDefinitionFile(def.filePath, { env });
  assert.ok(loaded.file);
  const store = state.storeFor({ filePath: def.filePath, stateRoot: def.stateDir, syncName: 'users' });
  await store.writeState({ version: 1, sync: 'users', last_test: { at: new Date().toISOString(), fingerprint: connectionFingerprint(loaded.file.connections.warehouse ?? {}, 'outage.users', 'custom_attributes') } });

  const clock = new ManualClock(new Date(Date.UTC(2026, 5, 1, 10, 14)));
  const log = new LogRecorder();
  const scheduler = new Scheduler({
    discover: async () => ({ files: [def.filePath], unreadable: [] }),
    env,
    clock,
    state,
    runJob: createJobRunner({ env: (k) => env[k], owner: 'scheduler' }),
    notifier: { notify: async () => ({ outcome: 'none' }) },
    log: log.log,
  });
  try {
    await scheduler.start();
    const midRun = afterRequests(60);
    const failed = log.waitFor((e) => e.event === 'run-failed' || e.event === 'run-finished');
    const unrecorded = log.waitFor((e) => e.event === 'fleet-unavailable');
    clock.advanceTo(new Date(Date.UTC(2026, 5, 1, 10, 15)));
    await midRun;
    proxy.cut();
    const cutAt = Date.now();
    const ended = await failed;
    // The run stops at its first checkpoint that cannot be recorded, and says why.
    assert.equal(ended.level, 'error');
    assert.match(ended.message, /^users: run \S+ of Mon 2026-06-01 10:15 UTC failed: (Lost|Cannot reach) the state database \(PostgreSQL 127\.0\.0\.1:\d+\/brazesync_test, schema outage_state\)/);
    assert.match((await unrecorded).message, /^users: could not record in the fleet how the run of Mon 2026-06-01 10:15 UTC ended \((Lost|Cannot reach) the state database .*\); the next run of this sync on this host records it\.$/);
    const during = braze.stats().objects.attributes;
    assert.ok(during < ROWS, `the run stopped before the end (${during} of ${ROWS} sent)`);

    // The outage itself: the database stays away 30 s whatever the run did.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - cutAt))));
    assert.equal(braze.stats().objects.attributes, during, 'nothing more was sent while the state could not be recorded');
    proxy.restore();

    // The next instant: the scheduler, still running, resumes from the committed watermark.
    const next = log.waitFor((e) => e.event === 'run-finished' && e.status === 'success', log.entries.length);
    clock.advanceTo(new Date(Date.UTC(2026, 5, 1, 10, 30)));
    const resumed = await next;
    assert.ok((resumed.rows_read ?? 0) > 0 && (resumed.rows_read ?? 0) < ROWS, `the next run read only what was not committed (${resumed.rows_read})`);
    assert.equal(new Set(braze.profiles().map((p) => p.external_id)).size, ROWS, 'no row lost');
    const resent = braze.stats().objects.attributes - ROWS;
    assert.ok(resent <= 16 * 5 * 4, `only the unsaved tail was sent again (${resent})`);

    // Nothing corrupt: the state and history read whole; the cut run is marked interrupted.
    const runs = await store.listRuns();
    assert.deepEqual(runs.map((r) => [r.status, r.interrupted ?? false]), [['success', false], ['error', true]]);
    assert.ok((await store.readState())?.watermark?.updated_at, 'the state reads whole, with its watermark');
    await scheduler.stop(); // waits for the run to record its end in the fleet
    const claims = await db.query<{ outcome: string | null }>(`SELECT outcome FROM outage_state.fleet_claims ORDER BY scheduled_for`);
    assert.deepEqual(claims.rows.map((r) => r.outcome), ['unrecorded', 'success'], 'no claim left open for ever');
    for (const e of log.entries) assert.ok(!JSON.stringify(e).includes(PASSWORD) && !JSON.stringify(e).includes(url), `no secret in: ${e.message}`);
  } finally {
    await scheduler.stop();
    await state.close();
  }
});
