/**
 * `send: changed` end to end on a real PostgreSQL and the local Braze server, counting what
 * arrives there (objects, data points): first and unchanged runs, one changed attribute, nested
 * objects and operators, 5xx/429 storms and failed requests, a crash between the diff store's
 * commit and the watermark's, user deletes, unusual identifiers, a corrupt or deleted store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { createBrazeHttpClient } from '../../core/src/adapters/braze-http';
import { openSource, syncSetup, type SyncTarget } from '../../core/src/app/open-sync';
import { runSync } from '../../core/src/sync/engine';
import { crashingStore } from '../support/crashing-store';
import { harness, type Harness } from '../support/sync-harness';
import { brazeDownFrom, useEngineFixture } from '../support/engine-fixture';

const fx = useEngineFixture();
let tableSeq = 0;

async function table(): Promise<string> {
  const name = `d${++tableSeq}`;
  await fx.db.createExampleTable('ingestion', name, {});
  return `ingestion.${name}`;
}

/** A nightly rebuild: every profile's row again, with a new UPDATED_AT. */
async function load(t: string, rows: [id: string, payload: Record<string, unknown>][]): Promise<void> {
  const values: string[] = [];
  const tuples = rows.map(([id, payload]) => {
    values.push(id, JSON.stringify(payload));
    return `(clock_timestamp(), $${values.length - 1}, $${values.length})`;
  });
  await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) VALUES ${tuples.join(', ')}`, values);
}

function profiles(n: number, change?: (i: number) => Record<string, unknown>): [string, Record<string, unknown>][] {
  return Array.from({ length: n }, (_, i) => [`u${i}`, { tier: 'gold', score: i, city: 'Oslo', ...change?.(i) }]);
}

function changedHarness(t: string, extra = {}): Harness {
  return harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url, batchSize: 10, extra: { send: 'changed', ...extra } });
}

const dataPoints = () => fx.braze.stats().dataPoints;

test('first run sends all, an unchanged rebuild sends nothing, one changed attribute sends one', async () => {
  fx.braze.reset();
  const t = await table();
  const h = changedHarness(t);
  try {
    await load(t, profiles(50));
    const first = await h.run();
    assert.equal(first.status, 'success', first.error);
    assert.equal(dataPoints(), 150);
    assert.deepEqual([first.objects_sent, first.attributes_sent, first.attributes_unchanged], [50, 150, 0]);
    assert.match(first.warnings.join(' '), /No hashes recorded yet/);

    await load(t, profiles(50));
    const second = await h.run();
    assert.equal(second.status, 'success', second.error);
    assert.equal(second.rows_read, 50);
    assert.equal(second.rows_synced, 50, 'unchanged rows are in step, not failed');
    assert.equal(dataPoints(), 150, 'nothing reached Braze');
    assert.equal(fx.braze.stats().requests, 5, 'no request at all');
    assert.deepEqual([second.objects_sent, second.attributes_sent, second.attributes_unchanged, second.data_points_saved], [0, 0, 150, 150]);
    assert.ok(second.watermark_after && second.watermark_after > (first.watermark_after ?? ''), 'the watermark still moves');

    await load(t, profiles(50, (i) => (i === 7 ? { city: 'Bergen' } : {})));
    const third = await h.run();
    assert.equal(dataPoints(), 151, 'exactly the changed attribute');
    assert.deepEqual([third.objects_sent, third.attributes_sent, third.attributes_unchanged], [1, 1, 149]);
    assert.equal(fx.braze.profiles({ external_id: 'u7' })[0]?.attributes.city, 'Bergen');
    assert.equal(fx.braze.profiles({ external_id: 'u7' })[0]?.attributes.tier, 'gold');

    // Switching to send: all drops the hashes (they would go stale); back to changed starts whole.
    const sync = h.target.file.syncs.s;
    assert.ok(sync);
    sync.send = 'all';
    await load(t, profiles(50));
    const all = await h.run();
    assert.match(all.warnings.join(' '), /hashes recorded under send: changed were dropped/);
    assert.equal(existsSync(path.join(h.store.dir, 'diff')), false);
    sync.send = 'changed';
    await load(t, profiles(50));
    const back = await h.run();
    assert.match(back.warnings.join(' '), /No hashes recorded yet/);
    assert.deepEqual([back.objects_sent, back.attributes_sent], [50, 150]);

    // The definition's mapping changed (here the table, spelt anew): the hashes are forgotten, and it says so.
    sync.table = t.toUpperCase();
    await load(t, profiles(50));
    const remapped = await h.run();
    assert.match(remapped.warnings.join(' '), /table, connection, Braze workspace or send mode changed since its hashes were recorded/);
    assert.deepEqual([remapped.rows_read, remapped.objects_sent, remapped.attributes_sent], [50, 50, 150]);
  } finally {
    h.cleanup();
  }
});

test('nested objects: whole values, per key with _merge_objects; operators always go', async () => {
  fx.braze.reset();
  const t = await table();
  const h = changedHarness(t);
  try {
    const rows = (pet: string, age: number): [string, Record<string, unknown>][] => [
      ['whole', { pet: { name: pet, age } }],
      ['merged', { pet: { name: pet, age }, _merge_objects: true }],
      ['ops', { visits: { inc: 1 }, tags: { add: ['a'] } }],
    ];
    await load(t, rows('Rex', 3));
    await h.run();
    const before = dataPoints();
    await load(t, rows('Rex', 4));
    const run = await h.run();
    assert.equal(run.status, 'success', run.error);
    // whole: the object again (1); merged: only age (1, as part of pet); ops: both (2).
    assert.equal(dataPoints() - before, 4);
    assert.deepEqual(fx.braze.profiles({ external_id: 'merged' })[0]?.attributes.pet, { name: 'Rex', age: 4 });
    assert.deepEqual(fx.braze.profiles({ external_id: 'whole' })[0]?.attributes.pet, { name: 'Rex', age: 4 });
    assert.equal(fx.braze.profiles({ external_id: 'ops' })[0]?.attributes.visits, 2, 'inc is applied every time');
    const log = fx.braze.state().requests.filter((r) => r.status === 201);
    assert.ok(log.length > 0);
  } finally {
    h.cleanup();
  }
});

test('5xx and 429 storms: every changed value arrives, and a failed request records nothing', async () => {
  fx.braze.reset();
  const t = await table();
  const h = changedHarness(t);
  try {
    await load(t, profiles(60));
    fx.braze.setFaults({ rate: 0.4, kinds: [500, 503, 429] });
    // With the default 5 retries, one of the 6 requests fails for good in about 2.4% of runs
    // (0.4^6 each); this half is about a storm that passes, so give it retries to outlast it.
    const stormy = await h.run({ brazeOptions: { maxRetries: 12 } });
    fx.braze.setFaults({});
    assert.equal(stormy.status, 'success', stormy.error);
    for (let i = 0; i < 60; i += 7) assert.equal(fx.braze.profiles({ external_id: `u${i}` })[0]?.attributes.score, i);

    // Retries exhausted half-way: the run fails; whatever was not accepted is sent next time.
    await load(t, profiles(60, (i) => ({ score: i + 1000 })));
    const failed = await brazeDownFrom(fx, 3, () => h.run({ brazeOptions: { maxRetries: 1 } }));
    assert.equal(failed.status, 'error');
    const after = await h.run();
    assert.equal(after.status, 'success', after.error);
    for (let i = 0; i < 60; i++) assert.equal(fx.braze.profiles({ external_id: `u${i}` })[0]?.attributes.score, i + 1000, `u${i}`);
    assert.equal((failed.attributes_sent ?? 0) + (after.attributes_sent ?? 0), 60, 'each changed score accepted exactly once across the two runs');
  } finally {
    h.cleanup();
  }
});

test('a crash between the diff commit and the watermark: the hashes are undone and the rows sent again', async () => {
  fx.braze.reset();
  const t = await table();
  const h = changedHarness(t);
  try {
    await load(t, profiles(40));
    await h.run();
    await load(t, profiles(40, (i) => ({ score: 500 + i })));
    const seqBefore = (await h.store.readState())?.diff_seq ?? 0;
    const crashed = await h.run({ store: crashingStore(h.store, seqBefore + 1), concurrency: 1 });
    assert.equal(crashed.status, 'error');
    assert.equal((await h.store.readState())?.diff_seq, seqBefore, 'the watermark never recorded the crashed commit');
    const before = dataPoints();
    const rerun = await h.run();
    assert.equal(rerun.status, 'success', rerun.error);
    assert.doesNotMatch(rerun.warnings.join(' '), /forgotten|missing/, 'lined up by undoing, not by starting over');
    for (let i = 0; i < 40; i++) assert.equal(fx.braze.profiles({ external_id: `u${i}` })[0]?.attributes.score, 500 + i);
    assert.equal(rerun.rows_read, 40, 'the rows past the watermark are read again');
    // Every score changed, including those the crashed run delivered: compared with the hashes from before it.
    assert.equal(dataPoints() - before, 40, 'compared with the hashes from before the crash');
    assert.deepEqual([rerun.attributes_sent, rerun.attributes_unchanged], [40, 80]);
  } finally {
    h.cleanup();
  }
});

test('a user delete forgets the profile: re-created, it gets every attribute again', async () => {
  fx.braze.reset();
  const attrs = await table();
  const deletes = `ingestion.del${++tableSeq}`;
  await fx.db.query(`CREATE TABLE ${deletes} (updated_at timestamptz NOT NULL, external_id varchar)`);
  const h = changedHarness(attrs);
  const target: SyncTarget = {
    ...h.target,
    file: { ...h.target.file, syncs: { ...h.target.file.syncs, gone: { connection: 'warehouse', table: deletes, data_type: 'user_deletes', schedule: 'manual' } } },
  };
  const attrsSetup = syncSetup({ ...target, syncName: 's' });
  try {
    await load(attrs, profiles(3));
    await h.run();
    await fx.db.query(`INSERT INTO ${deletes} VALUES (clock_timestamp(), 'u1')`);
    const del = harnessFor(target, 'gone');
    const deleted = await del();
    assert.equal(deleted.status, 'success', deleted.error);
    assert.equal(fx.braze.profiles({ external_id: 'u1' }).length, 0);
    await load(attrs, profiles(3));
    const again = await h.run({ ...attrsSetup.diff });
    assert.equal(again.status, 'success', again.error);
    assert.deepEqual(fx.braze.profiles({ external_id: 'u1' })[0]?.attributes, { tier: 'gold', score: 1, city: 'Oslo' });
    assert.deepEqual([again.objects_sent, again.attributes_sent, again.attributes_unchanged], [1, 3, 6]);
  } finally {
    h.cleanup();
  }

  function harnessFor(t: SyncTarget, name: string) {
    return async () => {
      const named = { ...t, syncName: name };
      const setup = syncSetup(named);
      const source = openSource(named, setup, (n) => h.env[n]);
      const braze = createBrazeHttpClient({ baseUrl: fx.braze.url, apiKey: h.env.TEST_BRAZE_KEY ?? '' });
      try {
        return await runSync({ file: t.file, syncName: name, reader: source.reader, braze, store: setup.store, ...setup.diff });
      } finally {
        await source.reader.close();
        await braze.close();
      }
    };
  }
});

test('unicode and very long identifiers are keyed exactly as delivered', async () => {
  fx.braze.reset();
  const t = await table();
  await fx.db.query(`ALTER TABLE ${t} ALTER COLUMN external_id TYPE varchar(65535)`);
  const h = changedHarness(t);
  try {
    const long = 'λ'.repeat(3000) + '🙂';
    const ids = [long, `${long}x`, 'Åsa', 'A\u030asa', '用户'];
    const rows = (v: string): [string, Record<string, unknown>][] => ids.map((id) => [id, { v }]);
    await load(t, rows('a'));
    await h.run();
    await load(t, rows('a'));
    const unchanged = await h.run();
    assert.deepEqual([unchanged.objects_sent, unchanged.attributes_unchanged], [0, 5]);
    await load(t, [[`${long}x`, { v: 'b' }], ['A\u030asa', { v: 'b' }], ...rows('a').filter(([id]) => id !== `${long}x` && id !== 'A\u030asa')]);
    const two = await h.run();
    assert.deepEqual([two.objects_sent, two.attributes_sent], [2, 2], 'near-identical identifiers are different profiles');
    assert.equal(fx.braze.profiles({ external_id: 'Åsa' })[0]?.attributes.v, 'a');
    assert.equal(fx.braze.profiles({ external_id: 'A\u030asa' })[0]?.attributes.v, 'b');
  } finally {
    h.cleanup();
  }
});

test('a corrupt or deleted store: said clearly, and the run sends everything', async () => {
  fx.braze.reset();
  const t = await table();
  const h = changedHarness(t);
  const dir = path.join(h.store.dir, 'diff');
  try {
    await load(t, profiles(10));
    await h.run();
    writeFileSync(path.join(dir, 'data.mdb'), 'not an lmdb file '.repeat(500));
    await load(t, profiles(10));
    const corrupt = await h.run();
    assert.equal(corrupt.status, 'success', corrupt.error);
    assert.match(corrupt.warnings.join(' '), /can't be read.*moved aside.*sends every attribute/);
    assert.deepEqual([corrupt.objects_sent, corrupt.attributes_sent], [10, 30]);
    assert.ok(readdirSync(h.store.dir).some((n) => n.startsWith('diff.corrupt-')), 'kept for inspection');

    rmSync(dir, { recursive: true, force: true });
    await load(t, profiles(10));
    const deleted = await h.run();
    assert.match(deleted.warnings.join(' '), /missing although earlier runs recorded hashes/);
    assert.deepEqual([deleted.objects_sent, deleted.attributes_sent], [10, 30]);
    assert.ok(existsSync(dir));

    await load(t, profiles(10));
    const settled = await h.run();
    assert.deepEqual([settled.objects_sent, settled.warnings], [0, []]);
  } finally {
    h.cleanup();
  }
});

test('a run that cannot open the store sends everything, and the next one forgets the hashes it made stale', async () => {
  fx.braze.reset();
  const t = await table();
  const h = changedHarness(t);
  const real = syncSetup(h.target).diff.diffStore;
  assert.ok(real);
  try {
    await load(t, profiles(5));
    await h.run();
    await load(t, profiles(5, () => ({ city: 'Bergen' })));
    const blind = await h.run({ diffStore: { ...real, open: () => Promise.reject(new Error('cannot load lmdb')) } });
    assert.match(blind.warnings.join(' '), /could not be opened \(cannot load lmdb\); this run sends every attribute/);
    assert.deepEqual([blind.objects_sent, blind.attributes_sent], [5, 15]);
    // Back to Oslo: the store still says Oslo, but Braze holds Bergen.
    await load(t, profiles(5));
    const next = await h.run();
    assert.match(next.warnings.join(' '), /could not use the diff store and sent every attribute/);
    assert.equal(fx.braze.profiles({ external_id: 'u3' })[0]?.attributes.city, 'Oslo');
  } finally {
    h.cleanup();
  }
});
