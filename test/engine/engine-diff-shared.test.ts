/**
 * `send: changed` on the shared PostgreSQL state: the hashes live in the state database, so a
 * sync that runs on another host (its own local state directory) compares with what the first
 * host had accepted and sends nothing unchanged; a crash between the two commits is undone there;
 * a changed definition forgets them; a user delete forgets them; they are hashes, never values;
 * a catalog sync's items are loaded by id, so they too are compared across hosts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { openSource, syncSetup, type SyncTarget } from '../../core/src/app/open-sync';
import { previewSync } from '../../core/src/sync/preview';
import type { PgStateBackend } from '../../core/src/adapters/pg-state/pg-state-backend';
import { catalogTables } from '../support/catalog-tables';
import { useEngineFixture } from '../support/engine-fixture';
import { crashingStore } from '../support/crashing-store';
import { openTestStateBackend, stateUrl } from '../support/state-db';
import { harness, type Harness } from '../support/sync-harness';

const fx = useEngineFixture();
const catalogs = catalogTables(fx, 'shcat');
let seq = 0;

/**
 * Two hosts: each its own pool on the state database and its own (empty) local state directory;
 * syncing profiles, or the items of `catalog` (made afresh on the Braze server).
 */
async function twoHosts(catalog?: string): Promise<{ t: string; schema: string; a: Harness; b: Harness; close(): Promise<void> }> {
  const name = `sh${++seq}`;
  const schema = `shared_${name}`;
  let t = `ingestion.${name}`;
  if (catalog) {
    await catalogs.create(catalog, [['Name', 'string'], ['Rating', 'number'], ['Tags', 'array']]);
    t = await catalogs.table();
  } else await fx.db.createExampleTable('ingestion', name, {});
  const backends: PgStateBackend[] = [0, 1].map(() => openTestStateBackend(stateUrl(fx.db, fx.db), schema));
  const kind = catalog ? { dataType: 'catalog_items' as const, catalog } : { dataType: 'custom_attributes' as const };
  const spec = { table: t, ...kind, brazeUrl: fx.braze.url, batchSize: 10, extra: { send: 'changed' as const } };
  const [a, b] = backends.map((backend) => harness(fx.db, spec, fx.db.password, backend)) as [Harness, Harness];
  return {
    t,
    schema,
    a,
    b,
    async close() {
      a.cleanup();
      b.cleanup();
      await Promise.all(backends.map((x) => x.close()));
    },
  };
}

async function load(t: string, n: number, change: (i: number) => Record<string, unknown> = () => ({})): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => JSON.stringify({ tier: 'gold', score: i, city: 'Oslo', ...change(i) }));
  await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) SELECT clock_timestamp(), 'u' || (g - 1), p FROM unnest($1::text[]) WITH ORDINALITY AS x(p, g)`, [rows]);
}

const dataPoints = () => fx.braze.stats().dataPoints;
const localDiff = (h: Harness) => path.join(h.stateRoot, 'test', 's', 'diff');

test('shared state: the next run on another host compares with the first host\'s hashes and sends nothing unchanged', async () => {
  fx.braze.reset();
  const { t, schema, a, b, close } = await twoHosts();
  try {
    // Many small pages: each page's records load while the one before is planned.
    await load(t, 400);
    const first = await a.run({ chunkRows: 7 });
    assert.equal(first.status, 'success', first.error);
    assert.equal(dataPoints(), 1200);

    await load(t, 400);
    const onB = await b.run({ chunkRows: 7 });
    assert.equal(onB.status, 'success', onB.error);
    assert.deepEqual(onB.warnings, [], 'lined up with the watermark the other host recorded');
    assert.deepEqual([onB.rows_read, onB.objects_sent, onB.attributes_unchanged], [400, 0, 1200]);
    assert.equal(dataPoints(), 1200, 'nothing reached Braze');

    await load(t, 400, (i) => (i % 50 === 7 ? { city: 'Bergen' } : {}));
    const backOnA = await a.run({ chunkRows: 7 });
    assert.deepEqual([backOnA.objects_sent, backOnA.attributes_sent, backOnA.attributes_unchanged], [8, 8, 1192]);
    assert.equal(fx.braze.profiles({ external_id: 'u7' })[0]?.attributes.city, 'Bergen');

    assert.ok(!existsSync(localDiff(a)) && !existsSync(localDiff(b)), 'no local store on either host');
    const stored = await fx.db.query<{ n: number; values: number; keys: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE position('Oslo'::bytea IN record) > 0 OR position('gold'::bytea IN record) > 0)::int AS values,
              count(*) FILTER (WHERE position('u7'::bytea IN key) > 0)::int AS keys FROM ${schema}.diff_records`,
    );
    assert.deepEqual(stored.rows[0], { n: 400, values: 0, keys: 0 }, 'one record per profile: hashes only, no values or identifiers');
  } finally {
    await close();
  }
});

test('shared state: a crash between the diff commit and the watermark is undone by whichever host runs next', async () => {
  fx.braze.reset();
  const { t, a, b, close } = await twoHosts();
  try {
    await load(t, 40);
    await a.run();
    await load(t, 40, (i) => ({ score: 500 + i }));
    const seqBefore = (await a.store.readState())?.diff_seq ?? 0;
    const crashed = await a.run({ store: crashingStore(a.store, seqBefore + 1), concurrency: 1 });
    assert.equal(crashed.status, 'error');
    assert.equal((await b.store.readState())?.diff_seq, seqBefore, 'the watermark never recorded the crashed commit');
    const before = dataPoints();
    const rerun = await b.run();
    assert.equal(rerun.status, 'success', rerun.error);
    assert.doesNotMatch(rerun.warnings.join(' '), /forgotten|missing/, 'lined up by undoing, not by starting over');
    assert.equal(dataPoints() - before, 40, 'compared with the hashes from before the crash');
    assert.deepEqual([rerun.attributes_sent, rerun.attributes_unchanged], [40, 80]);
    for (let i = 0; i < 40; i += 9) assert.equal(fx.braze.profiles({ external_id: `u${i}` })[0]?.attributes.score, 500 + i);

    await load(t, 40, (i) => ({ score: 500 + i }));
    const quiet = await a.run();
    assert.deepEqual([quiet.objects_sent, quiet.warnings], [0, []]);
  } finally {
    await close();
  }
});

test('shared state: a changed definition forgets the hashes; a user delete forgets its profile on every host', async () => {
  fx.braze.reset();
  const { t, a, b, close } = await twoHosts();
  try {
    await load(t, 10);
    await a.run();
    const sync = b.target.file.syncs.s;
    assert.ok(sync);
    sync.table = t.toUpperCase();
    await load(t, 10);
    const remapped = await b.run();
    assert.match(remapped.warnings.join(' '), /table, connection, Braze workspace or send mode changed since its hashes were recorded/);
    assert.deepEqual([remapped.objects_sent, remapped.attributes_sent], [10, 30]);

    // A user_deletes sync on host A forgets u3 in the shared hashes: host B then sends it whole.
    const deletes = `${t}_del`;
    await fx.db.query(`CREATE TABLE ${deletes} (updated_at timestamptz NOT NULL, external_id varchar)`);
    await fx.db.query(`INSERT INTO ${deletes} VALUES (clock_timestamp(), 'u3')`);
    const withDeletes: SyncTarget = {
      ...a.target,
      syncName: 'gone',
      file: { ...b.target.file, syncs: { ...b.target.file.syncs, gone: { connection: 'warehouse', table: deletes, data_type: 'user_deletes', schedule: 'manual' } } },
    };
    const setup = syncSetup(withDeletes);
    const source = openSource(withDeletes, setup, (n) => a.env[n]);
    const deleted = await a.run({ file: withDeletes.file, syncName: 'gone', reader: source.reader, store: setup.store, ...setup.diff }).finally(() => source.reader.close());
    assert.equal(deleted.status, 'success', deleted.error);
    await load(t, 10);
    const again = await b.run();
    assert.deepEqual([again.objects_sent, again.attributes_sent, again.attributes_unchanged], [1, 3, 27]);
    assert.deepEqual(fx.braze.profiles({ external_id: 'u3' })[0]?.attributes, { tier: 'gold', score: 3, city: 'Oslo' });
  } finally {
    await close();
  }
});

test('shared state: a catalog sync compares items across hosts: a changed field goes by PATCH, a delete forgets its item everywhere', async () => {
  const { t, a, b, close } = await twoHosts('shared_dishes');
  const writes = () => fx.braze.state().requests.filter((r) => r.method !== 'GET' && r.method !== 'POST').map((r) => [r.method, r.objects]);
  try {
    // Small pages: each page's items load (by id) while the one before is planned.
    await catalogs.rebuild(t, 30);
    const first = await a.run({ chunkRows: 7 });
    assert.equal(first.status, 'success', first.error);
    assert.deepEqual([first.objects_sent, first.attributes_sent], [30, 90]);

    const before = writes().length;
    await catalogs.rebuild(t, 30, (i) => (i === 7 ? { Rating: 700 } : i === 12 ? 'deleted' : {}));
    const setup = syncSetup(b.target);
    const source = openSource(b.target, setup, (n) => b.env[n]);
    const preview = await previewSync({ definition: setup.definition, state: await b.store.readState(), reader: source.reader, diff: { store: setup.diff.diffStore, file: b.target.file } }).finally(() => source.reader.close());
    assert.equal(preview.diff_notice, undefined);
    assert.deepEqual(preview.objects.find((o) => o.identifier === 'id=i7')?.object, { id: 'i7', Rating: 700 }, "preview on host B compares with host A's hashes");
    const onB = await b.run({ chunkRows: 7 });
    assert.equal(onB.status, 'success', onB.error);
    assert.deepEqual(onB.warnings, [], 'lined up with the watermark the other host recorded');
    assert.deepEqual(writes().slice(before), [['PATCH', 1], ['DELETE', 1]], "host A's hashes used: one field edited, one item deleted");
    assert.deepEqual([onB.objects_sent, onB.attributes_sent, onB.attributes_unchanged], [2, 1, 86], 'the PATCH and the delete');
    assert.deepEqual(catalogs.items('shared_dishes').i7, { id: 'i7', Name: 'item 7', Rating: 700, Tags: ['a'] });

    // Created again: host A finds no record for it (host B's delete forgot it) and sends it whole.
    const again = writes().length;
    await catalogs.rebuild(t, 30, (i) => (i === 7 ? { Rating: 700 } : {}));
    const backOnA = await a.run({ chunkRows: 7 });
    assert.equal(backOnA.status, 'success', backOnA.error);
    assert.deepEqual(writes().slice(again), [['PUT', 1]]);
    assert.deepEqual(catalogs.items('shared_dishes').i12, { id: 'i12', Name: 'item 12', Rating: 12, Tags: ['a'] });
  } finally {
    await close();
  }
});
