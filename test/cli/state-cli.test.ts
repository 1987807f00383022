/**
 * The built CLI on shared state: `state import` moves a sync's state from files to PostgreSQL
 * without a re-sync, `history`, `watermark` and `watermark --reset` work on it, Sync Now while
 * another host runs the sync says who and since when, `state export`
 * moves it back; and a wrong URL, a wrong password, a user who may not create the schema, or a
 * schema written by a newer brazesync each get a clear message, never the URL or its password,
 * and change nothing; a state database that goes away mid-run fails the run cleanly, and the next
 * run resumes without losing a row.
 */
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import { test } from 'node:test';
import { useCliFixture } from '../support/cli-fixture';
import { startCutProxy } from '../support/cut-proxy';
import { openTestStateBackend, stateUrl } from '../support/state-db';

const fx = useCliFixture();
const STATE_PASSWORD = 'state-pw-7e1d0c9b';

async function stateRole(name: string, mayCreate: boolean): Promise<string> {
  await fx.db.query(`CREATE ROLE ${name} LOGIN PASSWORD '${STATE_PASSWORD}'`);
  if (mayCreate) await fx.db.query(`GRANT CREATE ON DATABASE ${fx.db.database} TO ${name}`);
  return stateUrl(fx.db, { user: name, password: STATE_PASSWORD });
}

function assertNoSecret(text: string, url: string): void {
  assert.ok(!text.includes(STATE_PASSWORD), `no password in: ${text}`);
  assert.ok(!text.includes(url), 'no URL');
}

test('state import, history, watermark and export on PostgreSQL: no re-sync, same answers as files', async () => {
  const url = await stateRole('state_owner', true);
  const table = await fx.table('moved');
  await fx.db.query(`INSERT INTO ${table} SELECT now() - g * interval '1 minute', 'moved-' || g, '{"n":1}' FROM generate_series(1, 20) g`);
  const file = fx.definition(table);
  const first = await fx.run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(first.code, 0, first.stderr);
  const onFiles = await fx.run(['watermark', file, '--sync', 'users', '--json']);

  const imported = await fx.run(['state', 'import', file, '--state-url', url]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /^users: copied \(watermark \S+, 1 run\(s\), 0 row error\(s\)\)\.$/m);
  const again = await fx.run(['state', 'import', file, '--state-url', url]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /users in PostgreSQL 127\.0\.0\.1:\d+\/brazesync_test, schema brazesync already has state \(watermark \S+\); nothing was copied\. Pass --replace/);

  const shared = { BRAZESYNC_STATE_URL: url };
  assert.equal((await fx.run(['watermark', file, '--sync', 'users', '--json'], shared)).stdout, onFiles.stdout, 'the same watermark on both stores');
  const rerun = await fx.run(['sync', file, '--sync', 'users', '--json'], shared);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal((JSON.parse(rerun.stdout) as { rows_read: number }).rows_read, 0, 'no row sent again after the move');
  const history = await fx.run(['history', file, '--sync', 'users', '--json'], shared);
  const runs = JSON.parse(history.stdout) as { status: string; host?: string }[];
  assert.deepEqual(runs.map((r) => r.status), ['success', 'success']);
  assert.ok(runs[0]?.host, 'runs on shared state name their host');

  // Sync Now while a scheduler on another host holds the sync (this test process plays that host).
  const backend = openTestStateBackend(url, 'brazesync');
  const held = await backend.storeFor({ filePath: file, stateRoot: fx.dir, syncName: 'users' }).lock('scheduler');
  const busy = await fx.run(['sync', file, '--sync', 'users'], shared);
  await held.release();
  await backend.close();
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, new RegExp(`^brazesync sync: \\S+/users is already running on host ${os.hostname()} \\(pid ${process.pid}, scheduler\\) since \\d{4}-\\d\\d-\\d\\dT[^ ]+Z\\. Wait for it to finish`));

  const reset = await fx.run(['watermark', file, '--sync', 'users', '--reset'], shared);
  assert.equal(reset.code, 0, reset.stderr);
  assert.match((await fx.run(['watermark', file, '--sync', 'users'], shared)).stdout, /watermark \(none: the next run reads every row\)/);
  const exported = await fx.run(['state', 'export', file, '--replace'], shared);
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal((await fx.recordedState(file))?.watermark ?? null, null, 'export brought the reset watermark back to the files');
  for (const out of [imported, again, history, reset, exported]) assertNoSecret(out.stdout + out.stderr, url);
});

test('bad state databases get clear messages, never the URL or password, and change nothing', async () => {
  const file = fx.definition('ingestion.users');
  const good = await stateRole('state_user', false);
  const cases: { url: string; message: RegExp }[] = [
    { url: good.replace(`:${fx.db.port}/`, ':1/'), message: /Cannot reach the state database \(PostgreSQL 127\.0\.0\.1:1\/brazesync_test, schema brazesync\): connection refused\. Check the host and port/ },
    { url: good.replace(STATE_PASSWORD, 'wrong-pw-0000'), message: /refused the login of user "state_user": wrong password/ },
    { url: good, message: /User "state_user" may not use the tables of schema "brazesync" in the state database .*Have its owner run GRANT USAGE ON SCHEMA brazesync TO "state_user"/ },
    { url: 'mysql://root:hunter2-secret@db/x', message: /--state-url must be a postgres:\/\/ URL, not mysql:\/\/… \(the rest is not shown/ },
  ];
  for (const c of cases) {
    const out = await fx.run(['history', file, '--sync', 'users', '--state-url', c.url]);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, c.message);
    assertNoSecret(out.stdout + out.stderr, c.url);
    assert.ok(!out.stderr.includes('hunter2-secret') && !out.stderr.includes('wrong-pw-0000'));
  }
  const denied = await fx.run(['state', 'migrate', '--state-url', good, '--schema', 'denied']);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /User "state_user" may not create schema "denied" in the state database \(PostgreSQL 127\.0\.0\.1:\d+\/brazesync_test, schema denied\); nothing was changed\. Ask an administrator to run CREATE SCHEMA denied AUTHORIZATION "state_user"/);
  assertNoSecret(denied.stderr, good);
  assert.equal((await fx.db.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'denied'`)).rowCount, 0, 'no schema was created');

  // A schema a newer brazesync migrated: refused, and not written to.
  const owner = await stateRole('state_newer', true);
  const migrated = await fx.run(['state', 'migrate', '--state-url', owner, '--schema', 'newer']);
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.match(migrated.stdout, /schema newer: applied 0001-sync-state, 0002-fleet, 0003-diff-records, 0004-runs-running\./);
  await fx.db.query(`INSERT INTO newer.schema_migrations (name) VALUES ('0099-from-the-future')`);
  const before = await fx.db.query(`SELECT count(*)::int AS n FROM newer.sync_state`);
  writeFileSync(file, readFileSync(file, 'utf8') + `state:\n  url: \${env:MY_STATE_URL}\n  schema: newer\n`);
  const refused = await fx.run(['watermark', file, '--sync', 'users', '--reset'], { MY_STATE_URL: owner });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /The state schema "newer" was written by a newer brazesync \(it has migration 0099-from-the-future, which this version does not know\)\. Upgrade brazesync on this host .*; nothing was written\./);
  assertNoSecret(refused.stderr, owner);
  assert.deepEqual((await fx.db.query(`SELECT count(*)::int AS n FROM newer.sync_state`)).rows, before.rows);
});

test('the state database goes away mid-run: the run fails saying so, nothing is lost, the next run resumes', async () => {
  const table = await fx.table('outage');
  await fx.db.query(`INSERT INTO ${table} SELECT now() - interval '1 hour' + g * interval '1 ms', 'out-' || g, '{"n":1}' FROM generate_series(1, 1500) g`);
  const file = fx.definition(table, { batchSize: 5 });
  const proxy = await startCutProxy({ host: fx.db.host, port: fx.db.port });
  const url = stateUrl({ ...fx.db, port: proxy.port }, fx.db);
  const env = { BRAZESYNC_STATE_URL: url };
  try {
    fx.braze.reset();
    const midRun = fx.afterRequests(40);
    const cut = fx.run(['sync', file, '--sync', 'users', '--json'], env);
    await midRun;
    proxy.cut();
    const failed = await cut;
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /(Lost|Cannot reach) the state database \(PostgreSQL 127\.0\.0\.1:\d+\/brazesync_test, schema brazesync\)/);
    assertNoSecret(failed.stdout + failed.stderr, url);

    proxy.restore();
    const resumed = await fx.run(['sync', file, '--sync', 'users', '--json'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(new Set(fx.braze.profiles().map((p) => p.external_id)).size, 1500, 'no row lost');
    const resent = fx.braze.stats().objects.attributes - 1500;
    assert.ok((JSON.parse(resumed.stdout) as { rows_read: number }).rows_read > 0, 'the cut came before the run had committed everything');
    // The unsaved tail, as after a kill -9 (three rounds of 16 requests of 5 rows), plus the round
    // still in flight when the failed checkpoint stopped the run (those requests finish).
    assert.ok(resent <= 16 * 5 * 4, `only the unsaved tail was sent again (${resent})`);
    const history = await fx.run(['history', file, '--sync', 'users', '--json'], env);
    assertNoSecret(history.stdout, url);
    const runs = JSON.parse(history.stdout) as { status: string; interrupted?: boolean }[];
    assert.deepEqual(runs.map((r) => [r.status, r.interrupted ?? false]), [['success', false], ['error', true]], 'the cut run is recorded as interrupted, the next one succeeded');
  } finally {
    await proxy.close();
  }
});
