/**
 * `send: changed` on a catalog sync, end to end on a real PostgreSQL and the local Braze server:
 * per item, an unchanged item sends nothing, changed fields go by PATCH and the item keeps its
 * other fields, a dropped field or an unknown item goes whole by PUT, a delete forgets the item,
 * a crash between the two commits or a failed request never marks an unsent field as sent, and
 * preview shows the fields each item would send.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSource, syncSetup } from '../../core/src/app/open-sync';
import { previewSync } from '../../core/src/sync/preview';
import { catalogTables } from '../support/catalog-tables';
import { crashingStore } from '../support/crashing-store';
import { harness, type Harness } from '../support/sync-harness';
import { brazeDownFrom, useEngineFixture } from '../support/engine-fixture';

const fx = useEngineFixture();
const catalogs = catalogTables(fx, 'dcat');
const FIELDS: [string, string][] = [['Name', 'string'], ['Rating', 'number'], ['Tags', 'array']];

async function setUp(catalog: string): Promise<{ t: string; h: Harness }> {
  await catalogs.create(catalog, FIELDS);
  const t = await catalogs.table();
  return { t, h: harness(fx.db, { table: t, dataType: 'catalog_items', catalog, brazeUrl: fx.braze.url, batchSize: 10, extra: { send: 'changed' } }) };
}

const writes = () => fx.braze.state().requests.filter((r) => r.method !== 'GET' && r.method !== 'POST');
const fields = () => fx.braze.stats().catalogFields;

test('first run sends every item; a rebuild with nothing changed sends nothing; one changed field goes alone and the item keeps the others', async () => {
  const { t, h } = await setUp('dishes');
  try {
    await catalogs.rebuild(t, 30);
    const first = await h.run();
    assert.equal(first.status, 'success', first.error);
    assert.deepEqual([fx.braze.stats().objects.catalog_items, fields()], [30, 90]);
    assert.deepEqual([first.objects_sent, first.attributes_sent, first.attributes_unchanged], [30, 90, 0]);
    assert.match(first.warnings.join(' '), /No hashes recorded yet/);

    const before = writes().length;
    await catalogs.rebuild(t, 30);
    const unchanged = await h.run();
    assert.equal(unchanged.status, 'success', unchanged.error);
    assert.deepEqual([unchanged.rows_read, unchanged.rows_synced], [30, 30]);
    assert.equal(writes().length, before, 'no catalog request at all');
    assert.deepEqual([unchanged.objects_sent, unchanged.attributes_sent, unchanged.attributes_unchanged, unchanged.data_points_saved], [0, 0, 90, 90]);
    assert.ok((unchanged.watermark_after ?? '') > (first.watermark_after ?? ''), 'the watermark still moves');

    await catalogs.rebuild(t, 30, (i) => (i === 7 ? { Rating: 700 } : {}));
    const one = await h.run();
    assert.equal(one.status, 'success', one.error);
    assert.deepEqual(writes().slice(before).map((r) => [r.method, r.objects]), [['PATCH', 1]]);
    assert.equal(fields(), 91, 'exactly the changed field');
    assert.deepEqual([one.objects_sent, one.attributes_sent, one.attributes_unchanged], [1, 1, 89]);
    assert.deepEqual(catalogs.items('dishes').i7, { id: 'i7', Name: 'item 7', Rating: 700, Tags: ['a'] }, 'the stored item still has all its fields');

    // A field the row no longer has: only a PUT clears it, as send: all would.
    await catalogs.rebuild(t, 30, (i) => (i === 7 ? { Rating: 700 } : i === 3 ? { Tags: undefined } : {}));
    const dropped = await h.run();
    assert.deepEqual(writes().slice(before + 1).map((r) => [r.method, r.objects]), [['PUT', 1]]);
    assert.deepEqual([dropped.attributes_sent, catalogs.items('dishes').i3], [2, { id: 'i3', Name: 'item 3', Rating: 3 }]);
  } finally {
    h.cleanup();
  }
});

test('a deleted item forgets its hashes: re-created, in a later run or the same one, it is sent whole', async () => {
  const { t, h } = await setUp('menus');
  try {
    await catalogs.rebuild(t, 4);
    await h.run();
    await catalogs.rebuild(t, 4, (i) => (i === 1 ? 'deleted' : {}));
    const deleted = await h.run();
    assert.equal(deleted.status, 'success', deleted.error);
    assert.equal(catalogs.items('menus').i1, undefined);
    assert.deepEqual([deleted.objects_sent, fx.braze.stats().objects.catalog_deleted], [1, 1]);

    const puts = fx.braze.stats().objects.catalog_items;
    await catalogs.rebuild(t, 4);
    const again = await h.run();
    assert.deepEqual([fx.braze.stats().objects.catalog_items - puts, again.attributes_sent, again.attributes_unchanged], [1, 3, 9]);
    assert.deepEqual(catalogs.items('menus').i1, { id: 'i1', Name: 'item 1', Rating: 1, Tags: ['a'] });

    // Deleted and re-created within one run (the same values as before): whole again, and recorded.
    await catalogs.rebuild(t, 4, (i) => (i === 2 ? 'deleted' : {}));
    await catalogs.rebuild(t, 4);
    const both = await h.run();
    assert.equal(both.status, 'success', both.error);
    assert.deepEqual(catalogs.items('menus').i2, { id: 'i2', Name: 'item 2', Rating: 2, Tags: ['a'] });
    assert.equal(fx.braze.stats().objects.catalog_items - puts, 2);
    await catalogs.rebuild(t, 4);
    assert.equal((await h.run()).objects_sent, 0, 'the re-created item was recorded after its delete');
  } finally {
    h.cleanup();
  }
});

test('a crash between the diff commit and the watermark, then a rerun: every changed field arrives', async () => {
  const { t, h } = await setUp('shops');
  try {
    await catalogs.rebuild(t, 40);
    await h.run();
    await catalogs.rebuild(t, 40, (i) => ({ Rating: 500 + i }));
    const seqBefore = (await h.store.readState())?.diff_seq ?? 0;
    const crashed = await h.run({ store: crashingStore(h.store, seqBefore + 1), concurrency: 1 });
    assert.equal(crashed.status, 'error');
    assert.ok((crashed.objects_sent ?? 0) > 0, 'the crashed run delivered some fields');
    const before = fields();
    const rerun = await h.run();
    assert.equal(rerun.status, 'success', rerun.error);
    assert.doesNotMatch(rerun.warnings.join(' '), /forgotten|missing/, 'lined up by undoing, not by starting over');
    assert.equal(rerun.rows_read, 40);
    assert.equal(fields() - before, 40, 'compared with the hashes from before the crash: every Rating again');
    const held = catalogs.items('shops');
    for (let i = 0; i < 40; i++) assert.deepEqual(held[`i${i}`], { id: `i${i}`, Name: `item ${i}`, Rating: 500 + i, Tags: ['a'] });
  } finally {
    h.cleanup();
  }
});

test('requests failing for good mid-run: nothing unsent is recorded, and the next run sends each changed field once', async () => {
  const { t, h } = await setUp('stores');
  try {
    await catalogs.rebuild(t, 60);
    await h.run();
    await catalogs.rebuild(t, 60, (i) => ({ Rating: i + 1000 }));
    const failed = await brazeDownFrom(fx, 3, () => h.run({ brazeOptions: { maxRetries: 1 } }));
    assert.equal(failed.status, 'error');
    const after = await h.run();
    assert.equal(after.status, 'success', after.error);
    const held = catalogs.items('stores');
    for (let i = 0; i < 60; i++) assert.equal(held[`i${i}`]?.Rating, i + 1000, `i${i}`);
    assert.equal((failed.attributes_sent ?? 0) + (after.attributes_sent ?? 0), 60, 'each changed Rating accepted exactly once across the two runs');
  } finally {
    h.cleanup();
  }
});

test('preview shows which fields of each item would be sent, the items left alone and the deletes', async () => {
  const { t, h } = await setUp('previewed');
  try {
    await catalogs.rebuild(t, 3);
    await h.run();
    await catalogs.rebuild(t, 3, (i) => (i === 0 ? { Rating: 9 } : i === 2 ? 'deleted' : {}));
    const setup = syncSetup(h.target);
    const source = openSource(h.target, setup, (n) => h.env[n]);
    try {
      const preview = await previewSync({ definition: setup.definition, state: await h.store.readState(), reader: source.reader, diff: { store: setup.diff.diffStore, file: h.target.file } });
      assert.equal(preview.diff_notice, undefined);
      assert.deepEqual(preview.objects.map((o) => [o.kind, o.identifier, o.object, o.unchanged_attributes]), [
        ['catalog_item', 'id=i0', { id: 'i0', Rating: 9 }, ['Name', 'Tags']],
        ['catalog_item', 'id=i1', undefined, ['Name', 'Rating', 'Tags']],
        ['catalog_delete', 'id=i2', { id: 'i2' }, undefined],
      ]);
    } finally {
      await source.reader.close();
    }
    assert.equal(catalogs.items('previewed').i0?.Rating, 0, 'nothing sent');
  } finally {
    h.cleanup();
  }
});
