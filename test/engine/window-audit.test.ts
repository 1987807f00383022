/**
 * Honest checks: every pending row is checked by one aggregate query (not the previewed sample),
 * bad rows past the preview are counted and named by their identifiers, and only what was checked
 * for every row gets `ok`. On a real PostgreSQL through the Redshift shims (whose IS_VALID_JSON
 * and IS_OBJECT follow Redshift: a JSON object only).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { syncSetup, openSource } from '../../core/src/app/open-sync';
import { testConnection, testedSource } from '../../core/src/app/test-connection';
import { previewSync } from '../../core/src/sync/preview';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { harness } from '../support/sync-harness';

let db: TestPostgres;
const NOW = new Date('2026-06-01T00:00:00Z');
const clock = { now: () => NOW };

before(async () => {
  db = await startTestPostgres();
  await db.query(`CREATE SCHEMA ingestion`);
  await db.query(`CREATE TABLE ingestion.attrs (updated_at timestamptz, external_id varchar(256), alias_name varchar(256), alias_label varchar(256),
    braze_id varchar(256), email varchar(256), phone varchar(256), payload varchar(65535))`);
  await db.query(`CREATE TABLE ingestion.supers (updated_at timestamptz, external_id varchar(256), payload super)`);
  // 24 good rows first, so every bad row lies past a 20-row preview.
  await db.query(`INSERT INTO ingestion.attrs (updated_at, external_id, payload)
    SELECT timestamptz '2026-01-01 00:00:00+00' + make_interval(mins => i), 'ok-' || i, '{"plan":"gold"}' FROM generate_series(1, 24) AS i`);
  const bad: [string | null, Record<string, string>, string | null][] = [
    ['2026-01-02 00:00:01+00', { external_id: 'null-payload' }, null],
    ['2026-01-02 00:00:02+00', { external_id: 'broken-json' }, '{"plan": '],
    ['2026-01-02 00:00:03+00', { external_id: 'an-array' }, '[1,2,3]'],
    ['2026-01-02 00:00:04+00', { external_id: '  ' }, '{"plan":"gold"}'],
    ['2026-01-02 00:00:05+00', { external_id: 'two-kinds', braze_id: 'b-1' }, '{}'],
    ['2026-01-02 00:00:06+00', { alias_name: 'half' }, '{}'],
    [null, { external_id: 'no-time' }, '{}'],
    ['2027-01-01 00:00:00+00', { external_id: 'future' }, '{}'],
  ];
  for (const [at, ids, payload] of bad) {
    const cols = Object.keys(ids);
    await db.query(`INSERT INTO ingestion.attrs (updated_at, ${cols.join(', ')}, payload) VALUES ($1, ${cols.map((_, i) => `$${i + 3}`).join(', ')}, $2)`, [at, payload, ...Object.values(ids)]);
  }
  await db.query(`CREATE TABLE ingestion.items (updated_at timestamptz, id varchar(256), payload varchar(65535), deleted boolean)`);
  await db.query(`INSERT INTO ingestion.items VALUES ('2026-01-01 00:00:01+00', 'pizza', '{"Name":"Pizza"}', NULL), ('2026-01-01 00:00:02+00', 'gone', NULL, TRUE),
    ('2026-01-01 00:00:03+00', NULL, '{"Name":"No id"}', NULL), ('2026-01-01 00:00:04+00', 'soup', 'not json', FALSE)`);
  await db.query(`INSERT INTO ingestion.supers VALUES ('2026-01-01 00:00:00+00', 'obj', json_parse('{"a":1}')), ('2026-01-01 00:00:01+00', 'arr', json_parse('[1]')), ('2026-01-01 00:00:02+00', 'nul', NULL)`);
});
after(async () => {
  await db?.stop();
});

async function preview(table: string, limit: number, catalog?: string) {
  const h = harness(db, { table, dataType: catalog ? 'catalog_items' : 'custom_attributes', ...(catalog ? { catalog } : {}), brazeUrl: 'http://127.0.0.1:9' });
  const source = openSource(h.target, syncSetup(h.target), (n) => h.env[n]);
  try {
    return await previewSync({ definition: h.target.file.syncs.s!, state: undefined, reader: source.reader, limit, clock });
  } finally {
    await source.reader.close();
    h.cleanup();
  }
}

test("the shims' IS_VALID_JSON and IS_OBJECT accept a JSON object only, as Redshift's do", async () => {
  const { rows } = await db.query(`SELECT is_valid_json('{"a":2}') AS o, is_valid_json('[1,2,3]') AS a, is_valid_json('{{}}') AS b, is_valid_json('1') AS n,
    is_object(json_parse('{"a":1}')) AS so, is_object(json_parse('"x"')) AS ss`);
  assert.deepEqual(rows[0], { o: true, a: false, b: false, n: false, so: true, ss: false });
});

test('every pending row is checked: bad rows past the first 20 are counted once each and named by identifier', async () => {
  const p = await preview('ingestion.attrs', 20);
  assert.equal(p.scanned, 20);
  assert.equal(p.row_errors.length, 0, 'the first 20 rows are all fine');
  assert.deepEqual(p.audit?.counts, {
    'payload-null': 1,
    'payload-not-json': 2,
    'no-identifier': 1,
    'several-identifiers': 1,
    'half-alias': 1,
    'updated-at-null': 1,
    'updated-at-future': 1,
  });
  assert.equal(p.audit?.rows, 30);
  assert.deepEqual(p.audit?.samples.map((s) => `${s.identifier}:${s.problem}`), [
    'external_id=null-payload:payload-null',
    'external_id=broken-json:payload-not-json',
    'external_id=an-array:payload-not-json',
    '(no identifier):no-identifier',
    'external_id=two-kinds braze_id=b-1:several-identifiers',
  ]);
  assert.equal(p.audit?.samples[0]?.updated_at, '2026-01-02T00:00:01.000000Z');
});

test('Test Connection gives no check mark to rows it did not check, and counts the failing ones', async () => {
  const h = harness(db, { table: 'ingestion.attrs', dataType: 'custom_attributes', brazeUrl: 'http://127.0.0.1:9' });
  const setup = syncSetup(h.target);
  try {
    const result = await testConnection({ file: h.target.file, syncName: 's', table: setup.table, store: h.store, limit: 20, clock, openReader: () => testedSource(openSource(h.target, setup, (n) => h.env[n])) });
    const rows = result.checks.find((c) => c.name === 'preview');
    assert.equal(rows?.status, 'warning');
    assert.match(rows?.message ?? '', /^6 of 30 pending row\(s\) would fail: 1 with PAYLOAD NULL; 2 whose PAYLOAD is not a JSON object;/);
    assert.match(rows?.message ?? '', /First: external_id=null-payload at 2026-01-02T00:00:01\.000000Z \(PAYLOAD is NULL\)/);
    const contents = result.checks.find((c) => c.name === 'contents');
    assert.equal(contents?.status, 'skipped');
    assert.match(contents?.message ?? '', /^Checked in the first 20 row\(s\) only \(all valid\); not checked in the other 10/);
  } finally {
    h.cleanup();
  }
});

test('SUPER payloads are checked with IS_OBJECT', async () => {
  const p = await preview('ingestion.supers', 20);
  assert.deepEqual(p.audit?.counts, { 'payload-not-json': 1, 'payload-null': 1 });
  assert.equal(p.audit?.rows, 3);
});

test('a clean window whose rows were all previewed gets ok on both row checks', async () => {
  await db.query(`CREATE TABLE ingestion.clean AS SELECT * FROM ingestion.attrs WHERE external_id LIKE 'ok-%'`);
  const h = harness(db, { table: 'ingestion.clean', dataType: 'custom_attributes', brazeUrl: 'http://127.0.0.1:9' });
  const setup = syncSetup(h.target);
  try {
    const result = await testConnection({ file: h.target.file, syncName: 's', table: setup.table, store: h.store, limit: 30, clock, openReader: () => testedSource(openSource(h.target, setup, (n) => h.env[n])) });
    assert.deepEqual(result.checks.filter((c) => c.name === 'preview' || c.name === 'contents').map((c) => `${c.name}:${c.status}`), ['preview:ok', 'contents:ok']);
  } finally {
    h.cleanup();
  }
});

test('a catalog table is checked by its ID, and a DELETED row needs no PAYLOAD; the item rules say they are not checked in SQL', async () => {
  const { audit } = await preview('ingestion.items', 10, 'restaurants');
  assert.ok(audit, 'the audit ran');
  assert.equal(audit.rows, 4);
  assert.deepEqual(audit.counts, { 'no-identifier': 1, 'payload-not-json': 1 });
  assert.deepEqual(audit.samples.map((s) => [s.identifier, s.problem]), [['(no id)', 'no-identifier'], ['id=soup', 'payload-not-json']]);
  assert.match(audit.notChecked.join(' '), /Catalog item rules/);
});
