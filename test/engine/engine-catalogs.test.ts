/**
 * Catalog syncs end to end on a real PostgreSQL and the local Braze server: rows become items,
 * DELETED removes them, bad rows are row errors while the run goes on, Braze faults are retried,
 * a missing catalog or used-up storage stops the run without moving the watermark, and ties,
 * lookback and preview hold as for user data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSource, syncSetup } from '../../core/src/app/open-sync';
import { previewSync } from '../../core/src/sync/preview';
import { catalogTables, type CatalogRow as Row } from '../support/catalog-tables';
import { harness } from '../support/sync-harness';
import { useEngineFixture } from '../support/engine-fixture';

const fx = useEngineFixture();
const { table: catalogTable, insert, create: createCatalog, items } = catalogTables(fx);

const FIELDS: [string, string][] = [['Name', 'string'], ['Rating', 'number']];

test('rows become items; DELETED = true deletes; bad rows are row errors and the run goes on', async () => {
  await createCatalog('restaurants', FIELDS);
  const t = await catalogTable();
  await insert(t, [
    { updated_at: '2026-06-01 10:00:00', id: 'r1', payload: '{"Name":"Ada","Rating":5}' },
    { updated_at: '2026-06-01 10:00:01', id: 'r2', payload: '{"Name":"Bo"}', deleted: false },
    { updated_at: '2026-06-01 10:00:02', id: 'bad id', payload: '{"Name":"x"}' },
    { updated_at: '2026-06-01 10:00:03', id: 'r4', payload: '{"id":"r4","Name":"x"}' },
    { updated_at: '2026-06-01 10:00:04', id: 'r5', payload: '{"Colour":"red"}' },
    { updated_at: '2026-06-01 10:00:05', id: 'r6', payload: '[1]' },
    { updated_at: '2026-06-01 10:00:06', id: 'r7', payload: '{"Name":"Cy"}' },
  ]);
  const h = harness(fx.db, { table: t, dataType: 'catalog_items', catalog: 'restaurants', brazeUrl: fx.braze.url });
  try {
    const run = await h.run();
    assert.equal(run.status, 'partial', run.error);
    assert.deepEqual([run.rows_read, run.rows_synced, run.rows_failed], [7, 3, 4]);
    assert.deepEqual(items('restaurants'), { r1: { id: 'r1', Name: 'Ada', Rating: 5 }, r2: { id: 'r2', Name: 'Bo' }, r7: { id: 'r7', Name: 'Cy' } });
    const errors = (await h.store.readRowErrors(run.id)).map((e) => [e.identifier, e.reason.replace(/:.*/s, '')]);
    assert.deepEqual(errors.sort(), [
      ['id=bad id', 'ID "bad id" has characters Braze rejects'],
      ['id=r4', 'PAYLOAD contains "id"'],
      ['id=r5', 'Braze rejected the item (invalid-fields)'],
      ['id=r6', "PAYLOAD must be a JSON object of the item's fields ({\"Name\""],
    ].sort());
    assert.equal((await h.store.readState())?.data_type, 'catalog_items');

    // Later rows update r1 and delete r2 and r7; a delete needs no payload.
    await insert(t, [
      { updated_at: '2026-06-01 11:00:00', id: 'r1', payload: '{"Name":"Ada","Rating":4}' },
      { updated_at: '2026-06-01 11:00:01', id: 'r2', payload: null, deleted: true },
      { updated_at: '2026-06-01 11:00:01', id: 'r7', payload: '{"Name":"Cy"}', deleted: true },
    ]);
    const second = await h.run();
    assert.equal(second.status, 'success', second.error);
    assert.equal(second.rows_read, 3, 'only the new rows are read');
    assert.deepEqual(items('restaurants'), { r1: { id: 'r1', Name: 'Ada', Rating: 4 } });
    assert.equal(fx.braze.stats().objects.catalog_deleted, 2);
  } finally {
    h.cleanup();
  }
});

test('exact at ties and lookback: a row added later at the watermark or inside the lookback is sent, the others are not sent again', async () => {
  await createCatalog('menus', FIELDS);
  const t = await catalogTable();
  await insert(t, [
    { updated_at: '2026-06-02 10:00:00', id: 'a', payload: '{"Name":"a"}' },
    { updated_at: '2026-06-02 10:00:00', id: 'b', payload: '{"Name":"b"}' },
  ]);
  const h = harness(fx.db, { table: t, dataType: 'catalog_items', catalog: 'menus', brazeUrl: fx.braze.url, lookback: '1 hours' });
  try {
    assert.equal((await h.run()).rows_synced, 2);
    await insert(t, [
      { updated_at: '2026-06-02 10:00:00', id: 'c', payload: '{"Name":"c"}' },
      { updated_at: '2026-06-02 09:30:00', id: 'late', payload: '{"Name":"late"}' },
      { updated_at: '2026-06-02 10:00:00', id: 'a', payload: null, deleted: true },
    ]);
    const run = await h.run();
    assert.equal(run.status, 'success', run.error);
    assert.deepEqual([run.rows_read, run.rows_skipped, run.rows_synced], [3, 2, 3]);
    assert.deepEqual(Object.keys(items('menus')).sort(), ['b', 'c', 'late']);
    assert.equal(fx.braze.stats().objects.catalog_items, 4, 'a and b were not sent again');
  } finally {
    h.cleanup();
  }
});

test('429 and 5xx answers are retried; every item arrives once the run succeeds', async () => {
  await createCatalog('shops', FIELDS);
  const t = await catalogTable();
  await insert(t, Array.from({ length: 120 }, (_, i): Row => ({ updated_at: `2026-06-03 10:00:${String(i % 60).padStart(2, '0')}`, id: `s${i}`, payload: `{"Rating":${i}}` })));
  fx.braze.setFaults({ next: [429, 500, 'drop', 503] });
  const h = harness(fx.db, { table: t, dataType: 'catalog_items', catalog: 'shops', brazeUrl: fx.braze.url });
  try {
    const run = await h.run();
    assert.equal(run.status, 'success', run.error);
    assert.equal(Object.keys(items('shops')).length, 120);
    assert.ok(fx.braze.state().requests.every((r) => r.objects <= 50), 'at most 50 items per request');
  } finally {
    h.cleanup();
  }
});

test('a missing catalog and used-up storage stop the run with the fix; the watermark does not move', async () => {
  await createCatalog('tiny', FIELDS, 1);
  const t = await catalogTable();
  await insert(t, [
    { updated_at: '2026-06-04 10:00:00', id: 'x', payload: '{"Name":"x"}' },
    { updated_at: '2026-06-04 10:00:01', id: 'y', payload: '{"Name":"y"}' },
  ]);
  const missing = harness(fx.db, { table: t, dataType: 'catalog_items', catalog: 'nowhere', brazeUrl: fx.braze.url });
  const full = harness(fx.db, { table: t, dataType: 'catalog_items', catalog: 'tiny', brazeUrl: fx.braze.url });
  try {
    const run = await missing.run();
    assert.equal(run.status, 'error');
    assert.match(run.error ?? '', /Braze has no catalog "nowhere" \(404 catalog-not-found\): create it in Braze/);
    assert.equal(run.watermark_after, null);
    assert.equal((await missing.store.readState())?.watermark, undefined);
    const refused = await full.run();
    assert.equal(refused.status, 'error');
    assert.match(refused.error ?? '', /catalog storage is used up/);
    assert.equal((await full.store.readState())?.watermark, undefined);
    assert.deepEqual(fx.braze.catalogItems('tiny'), []);
  } finally {
    missing.cleanup();
    full.cleanup();
  }
});

test('the contract is checked before reading: user identifier columns on a catalog table stop the run', async () => {
  await createCatalog('withids', FIELDS);
  const t = await catalogTable();
  await fx.db.query(`ALTER TABLE ${t} ADD COLUMN external_id varchar(256)`);
  const h = harness(fx.db, { table: t, dataType: 'catalog_items', catalog: 'withids', brazeUrl: fx.braze.url });
  try {
    const run = await h.run();
    assert.equal(run.status, 'error');
    assert.match(run.error ?? '', /does not fit catalog_items: The table has user identifier column\(s\) EXTERNAL_ID/);
  } finally {
    h.cleanup();
  }
});

test('preview shows the items rows become, those to delete, and the row errors', async () => {
  await createCatalog('previewed', FIELDS);
  const t = await catalogTable();
  await insert(t, [
    { updated_at: '2026-06-05 10:00:00', id: 'p1', payload: '{"Name":"One"}' },
    { updated_at: '2026-06-05 10:00:01', id: 'p2', payload: null, deleted: true },
    { updated_at: '2026-06-05 10:00:02', id: '', payload: '{}' },
  ]);
  const h = harness(fx.db, { table: t, dataType: 'catalog_items', catalog: 'previewed', brazeUrl: fx.braze.url });
  const setup = syncSetup(h.target);
  const source = openSource(h.target, setup, (n) => h.env[n]);
  try {
    const preview = await previewSync({ definition: setup.definition, state: undefined, reader: source.reader });
    assert.deepEqual(preview.objects.map((o) => [o.kind, o.identifier, o.object]), [
      ['catalog_item', 'id=p1', { id: 'p1', Name: 'One' }],
      ['catalog_delete', 'id=p2', { id: 'p2' }],
    ]);
    assert.deepEqual(preview.row_errors.map((e) => [e.identifier, e.reason.slice(0, 14)]), [['(no id)', 'ID is missing:']]);
    assert.equal(preview.estimated_requests, 1);
    assert.deepEqual(fx.braze.catalogItems('previewed'), [], 'nothing sent');
  } finally {
    await source.reader.close();
    h.cleanup();
  }
});

test('a SUPER ID is read as JSON: a string id is an item, any other value a row error', async () => {
  await createCatalog('superids', FIELDS);
  await fx.db.query('CREATE SCHEMA IF NOT EXISTS ingestion');
  await fx.db.query('CREATE TABLE ingestion.supercat (updated_at timestamptz NOT NULL, id super NOT NULL, payload varchar(65535))');
  await fx.db.query(`INSERT INTO ingestion.supercat VALUES ('2026-06-06 10:00:00', json_parse('"s1"'), '{"Name":"S"}'), ('2026-06-06 10:00:01', json_parse('42'), '{"Name":"N"}')`);
  const h = harness(fx.db, { table: 'ingestion.supercat', dataType: 'catalog_items', catalog: 'superids', brazeUrl: fx.braze.url });
  try {
    const run = await h.run();
    assert.equal(run.status, 'partial', run.error);
    assert.deepEqual(items('superids'), { s1: { id: 's1', Name: 'S' } });
    assert.deepEqual((await h.store.readRowErrors(run.id)).map((e) => [e.identifier, e.reason]), [['id=42', 'ID must be a string, but it is number 42: cast it, e.g. CAST(id AS VARCHAR) AS id.']]);
  } finally {
    h.cleanup();
  }
});

test('a catalog sync without catalog is refused before anything runs', async () => {
  const t = await catalogTable();
  const h = harness(fx.db, { table: t, dataType: 'catalog_items', brazeUrl: fx.braze.url });
  try {
    await assert.rejects(h.run(), { name: 'SyncConfigError', message: /catalog sync without `catalog`/ });
    assert.equal(await h.store.readState(), undefined);
  } finally {
    h.cleanup();
  }
});
