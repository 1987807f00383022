/**
 * The built CLI (`node dist/cli.js`, run `npm run build` first) against a real PostgreSQL and the
 * local Braze server: JSON output and exit codes, config errors, test-connection diagnoses,
 * preview, watermark and history. Crashes and the job lock are in cli-crash.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { API_KEY, READER_PASSWORD, useCliFixture } from '../support/cli-fixture';

const fx = useCliFixture();
const { definition, run } = fx;

function stateFiles(): string[] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(path.join(d, n)).isDirectory() ? walk(path.join(d, n)) : [path.join(d, n)]));
  return existsSync(path.join(fx.dir, 'state')) ? walk(path.join(fx.dir, 'state')) : [];
}

function assertNoSecrets(...texts: string[]): void {
  for (const t of [...texts, ...stateFiles().map((f) => readFileSync(f, 'utf8'))]) {
    for (const secret of [API_KEY, READER_PASSWORD, fx.db.password]) assert.ok(!t.includes(secret), 'a secret leaked');
  }
}

test('sync --json prints exactly the promised shape; exit codes for success and partial', async () => {
  fx.braze.reset();
  await fx.db.query(`INSERT INTO ingestion.users (external_id, payload) SELECT 'cli-' || g, '{"n":' || g || '}' FROM generate_series(1, 200) g`);
  const file = definition('ingestion.users');
  const first = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['sync', 'status', 'rows_read', 'rows_synced', 'rows_failed', 'objects_sent', 'attributes_sent', 'attributes_unchanged', 'data_points_saved', 'watermark']);
  assert.deepEqual([out.sync, out.status, out.rows_read, out.rows_synced, out.rows_failed], ['users', 'success', 200, 200, 0]);
  assert.deepEqual([out.objects_sent, out.attributes_sent, out.attributes_unchanged, out.data_points_saved], [200, 200, 0, 0], 'send: all counts what it sent too');
  assert.match(String(out.watermark), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);

  await fx.db.query(`INSERT INTO ingestion.users (external_id, payload) VALUES ('cli-bad', 'not json'), ('cli-201', '{}')`);
  const partial = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(partial.code, 3);
  assert.deepEqual(JSON.parse(partial.stdout), { ...JSON.parse(partial.stdout), status: 'partial', rows_read: 2, rows_synced: 1, rows_failed: 1 });

  await fx.db.query(`INSERT INTO ingestion.users (external_id, payload) VALUES ('cli-202', '{}')`);
  const human = await run(['sync', file, '--sync', 'users']);
  assert.equal(human.code, 0, human.stderr);
  // Where the time went, so a user can tell a slow table from a slow Braze.
  assert.match(human.stdout, /\n  read 3 rows in \d+\.\d s \([\d,]+ rows\/s\) · first rows after \d+\.\d s · waited \d+\.\d s on the warehouse in all\n/);

  const history = await run(['history', file, '--sync', 'users', '--json']);
  const runs = JSON.parse(history.stdout) as { status: string; id: string; read?: { first_row_ms: number; wait_ms: number } }[];
  assert.deepEqual(runs.map((r) => r.status), ['success', 'partial', 'success']);
  assert.ok(runs.every((r) => r.read && Number.isInteger(r.read.first_row_ms) && r.read.wait_ms >= r.read.first_row_ms), 'history records the read timing');
  runs.shift();
  const errors = await run(['history', file, '--sync', 'users', '--run', runs[0]?.id ?? '', '--json']);
  assert.match(errors.stdout, /not valid JSON/);
  assertNoSecrets(first.stdout, first.stderr, partial.stdout, history.stdout, errors.stdout);
});

test('config problems exit 2: validation errors, unknown sync, missing environment variable', async () => {
  const bad = path.join(fx.dir, 'bad.brazesync.yaml');
  writeFileSync(bad, readFileSync(definition('ingestion.users'), 'utf8').replace('custom_attributes', 'custom_atributes'));
  const invalid = await run(['sync', bad, '--sync', 'users']);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /validation errors/);

  const file = definition('ingestion.users');
  const unknown = await run(['sync', file, '--sync', 'nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /No sync named "nope"/);

  const missing = await run(['sync', file, '--sync', 'users'], { TEST_PG_PASSWORD: '' });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /TEST_PG_PASSWORD is not set/);
});

test('test-connection passes, records the test, and turns failures into fixes', async () => {
  const file = definition('ingestion.users');
  const ok = await run(['test-connection', file, '--sync', 'users', '--json', '--limit', '3']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const result = JSON.parse(ok.stdout) as { ok: boolean; recorded: boolean; preview: { objects: unknown[] } };
  assert.equal(result.ok, true);
  assert.equal(result.recorded, true);
  assert.equal(result.preview.objects.length <= 3, true);

  const auth = await run(['test-connection', file, '--sync', 'users'], { TEST_PG_PASSWORD: 'wrong-password' });
  assert.equal(auth.code, 1);
  assert.match(auth.stdout, /Authentication failed for user braze_user/);

  const missingTable = await run(['test-connection', definition('ingestion.nowhere'), '--sync', 'users']);
  assert.match(missingTable.stdout, /CREATE TABLE "ingestion"\."nowhere"/);

  await fx.db.query('CREATE TABLE ingestion.secret_table (updated_at timestamptz, external_id varchar(256), payload varchar(65535))');
  const denied = await run(['test-connection', definition('ingestion.secret_table'), '--sync', 'users']);
  assert.match(denied.stdout, /GRANT SELECT ON TABLE "ingestion"\."secret_table" TO "braze_user"/);

  const tls = await run(['test-connection', definition('ingestion.users', { ssl: 'require' }), '--sync', 'users']);
  assert.match(tls.stdout, /does not accept TLS/);

  await fx.db.query('CREATE TABLE ingestion.no_payload (updated_at timestamptz, external_id varchar(256))');
  await fx.db.query('GRANT SELECT ON ingestion.no_payload TO braze_user');
  const columns = await run(['test-connection', definition('ingestion.no_payload'), '--sync', 'users']);
  assert.match(columns.stdout, /no PAYLOAD column/);
  assertNoSecrets(ok.stdout, auth.stdout, auth.stderr);
});

test('preview sends nothing and leaves the watermark; watermark --set/--reset move it', async () => {
  fx.braze.reset();
  await fx.db.query('CREATE TABLE ingestion.pv (updated_at timestamptz, external_id varchar(256), payload varchar(65535))');
  await fx.db.query('GRANT SELECT ON ingestion.pv TO braze_user');
  await fx.db.query(`INSERT INTO ingestion.pv VALUES ('2026-05-01 00:00:00.5+00', 'p1', '{"a":1}'), ('2026-05-02 00:00:00+00', 'p2', '{"a":2}'), ('2026-05-03 00:00:00+00', 'p3', 'oops')`);
  const file = definition('ingestion.pv');
  const preview = await run(['preview', file, '--sync', 'users', '--json']);
  assert.equal(preview.code, 0, preview.stderr);
  const p = JSON.parse(preview.stdout) as { pending_rows: number; objects: unknown[]; row_errors: unknown[]; watermark: unknown };
  assert.deepEqual([p.pending_rows, p.objects.length, p.row_errors.length, p.watermark], [3, 2, 1, null]);
  assert.equal(fx.braze.stats().requests, 0);
  // The bad row lies past a one-row preview: the check of every pending row still counts and names it.
  const text = await run(['preview', file, '--sync', 'users', '--limit', '1']);
  assert.match(text.stdout, /\n  WARN 1 of 3 pending row\(s\) would fail: 1 whose PAYLOAD is not a JSON object\. First: external_id=p3 at 2026-05-03T00:00:00\.000000Z/);
  assert.match(text.stdout, /\n  SKIP Checked in the first 1 row\(s\) only \(all valid\); not checked in the other 2/);

  const set = await run(['watermark', file, '--sync', 'users', '--set', '2026-05-02T00:00:00Z', '--json']);
  assert.deepEqual(JSON.parse(set.stdout), { sync: 'users', watermark: '2026-05-02T00:00:00.000000Z' });
  const after = await run(['sync', file, '--sync', 'users', '--json']);
  assert.deepEqual(JSON.parse(after.stdout), { sync: 'users', status: 'partial', rows_read: 2, rows_synced: 1, rows_failed: 1, objects_sent: 1, attributes_sent: 1, attributes_unchanged: 0, data_points_saved: 0, watermark: '2026-05-03T00:00:00.000000Z' });
  assert.equal(fx.braze.profiles({ external_id: 'p1' }).length, 0);
  await run(['watermark', file, '--sync', 'users', '--reset']);
  const shown = await run(['watermark', file, '--sync', 'users', '--json']);
  assert.deepEqual(JSON.parse(shown.stdout), { sync: 'users', watermark: null });
});

test('catalogs from the CLI: test-connection checks the contract with the catalog DDL as fix; preview shows items and deletes; sync delivers them', async () => {
  fx.braze.reset();
  await fetch(`${fx.braze.url}/catalogs`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ catalogs: [{ name: 'users', fields: [{ name: 'Name', type: 'string' }] }] }) });
  await fx.db.query('CREATE TABLE ingestion.cli_cat (updated_at timestamptz NOT NULL, id varchar(256) NOT NULL, payload varchar(65535), deleted boolean)');
  await fx.db.query('GRANT SELECT ON ingestion.cli_cat TO braze_user');
  await fx.db.query(`INSERT INTO ingestion.cli_cat VALUES ('2026-10-01 10:00:00', 'i1', '{"Name":"One"}', NULL), ('2026-10-01 10:00:01', 'i2', NULL, true)`);
  const file = definition('ingestion.cli_cat', { dataType: 'catalog_items', catalog: 'users' });
  const tested = await run(['test-connection', file, '--sync', 'users']);
  assert.equal(tested.code, 0, tested.stdout + tested.stderr);
  const preview = await run(['preview', file, '--sync', 'users']);
  assert.equal(preview.code, 0, preview.stderr);
  assert.match(preview.stdout, /users \(catalog_items\): 2 row\(s\) would be sent to catalog users in about 1 request\(s\)/);
  assert.match(preview.stdout, /item \{"id":"i1","Name":"One"\}\n.*delete item \{"id":"i2"\}/);
  const synced = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(synced.code, 0, synced.stderr);
  assert.deepEqual(fx.braze.catalogItems('users'), [{ id: 'i1', Name: 'One' }]);

  await fx.db.query('ALTER TABLE ingestion.cli_cat ADD COLUMN email varchar(256)');
  const refused = await run(['test-connection', file, '--sync', 'users']);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout + refused.stderr, /user identifier column\(s\) EMAIL/);
  assert.match(refused.stdout + refused.stderr, /id varchar not null,\s+payload varchar\(max\),\s+deleted boolean/);
});
