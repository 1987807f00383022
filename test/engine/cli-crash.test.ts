/**
 * The built CLI under interruption, against a real PostgreSQL and the local Braze server: the
 * cross-process job lock, kill -9 at random points, and kill -9 inside a tie group of many pages
 * (the watermark journal) followed by a row committed late at the same UPDATED_AT, and a catalog
 * sync killed mid-run whose items, updates and deletes all land, with send: all and send: changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { JOURNAL_FILE_NAME } from '../../core/src/state/file-state-store';
import { STATE_FILE_NAME, type SyncState } from '../../core/src/state/sync-state';
import { API_KEY, useCliFixture } from '../support/cli-fixture';

const fx = useCliFixture();
const { definition, cli, run, afterRequests, syncDir, recordedState, assertWatermarkBehindDelivery } = fx;

/** Starts sync `users` of `file` `runs` times, each killed (SIGKILL) after 1 to `most` Braze requests unless done by then; how many were killed. */
async function killedRuns(file: string, runs: number, most: number): Promise<number> {
  let killed = 0;
  for (let i = 0; i < runs; i++) {
    const reached = afterRequests(1 + Math.floor(Math.random() * most));
    const proc = cli(['sync', file, '--sync', 'users', '--json', '--concurrency', '4']);
    const finished = await Promise.race([reached.then(() => false), proc.done.then(() => true)]);
    if (!finished) {
      proc.child.kill('SIGKILL');
      killed++;
    }
    await proc.done;
  }
  return killed;
}

test('one job per sync across processes: the second start names the pid and changes nothing', async () => {
  fx.braze.reset();
  const t = await fx.table('lk');
  await fx.db.query(`INSERT INTO ${t} SELECT '2026-06-01'::timestamptz + g * interval '1 ms', 'lk-' || g, '{}' FROM generate_series(1, 300) g`);
  const file = definition(t, { batchSize: 5 });
  const started = afterRequests(3);
  const first = cli(['sync', file, '--sync', 'users', '--json', '--concurrency', '1']);
  await started;
  // Frozen, the first job still holds the lock (its process is alive) for as long as this takes.
  first.child.kill('SIGSTOP');
  try {
    const before = await recordedState(file);
    const second = await run(['sync', file, '--sync', 'users', '--json']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`Another job is in progress for this sync \\(pid ${first.child.pid}`));
    assert.deepEqual(await recordedState(file), before, 'the refused start changed no state');
  } finally {
    first.child.kill('SIGCONT');
  }
  const done = await first.done;
  assert.equal(done.code, 0, done.stderr);
  assert.equal(JSON.parse(done.stdout).rows_synced, 300);
  const runs = JSON.parse((await run(['history', file, '--sync', 'users', '--json'])).stdout) as unknown[];
  assert.equal(runs.length, 1, 'the refused start recorded no run');
});

test('kill -9 at random points loses no row and never commits past delivery', async () => {
  fx.braze.reset();
  await fx.table('k9');
  // 2,400 rows, four per timestamp, so kills also land inside tie groups.
  await fx.db.query(`INSERT INTO ingestion.k9 SELECT '2026-07-01'::timestamptz + (g / 4) * interval '1 ms', 'k9-' || g, '{"n":' || g || '}' FROM generate_series(1, 2400) g`);
  const file = definition('ingestion.k9', { batchSize: 7 });
  const kills = 5;
  for (let i = 0; i < kills; i++) {
    const k = 1 + Math.floor(Math.random() * 40);
    const reached = afterRequests(k);
    const proc = cli(['sync', file, '--sync', 'users', '--json', '--concurrency', '4']);
    const finished = await Promise.race([reached.then(() => false), proc.done.then(() => true)]);
    if (!finished) proc.child.kill('SIGKILL');
    await proc.done;
    await assertWatermarkBehindDelivery('ingestion.k9', await recordedState(file), `kill ${i}, after ${k} requests`);
  }
  const final = await run(['sync', file, '--sync', 'users', '--json']);
  assert.ok(final.code === 0, final.stderr);
  assert.equal(new Set(fx.braze.profiles().map((p) => p.external_id)).size, 2400, 'no row lost');
  // Duplicates only from each killed run's unsaved tail: requests in flight, one more round held
  // back by the contiguous-prefix rule, and up to a round not saved yet (concurrency 4 × batch 7 × 3).
  const duplicates = fx.braze.stats().objects.attributes - 2400;
  assert.ok(duplicates <= kills * 4 * 7 * 3, `too many duplicates: ${duplicates}`);
  const runs = JSON.parse((await run(['history', file, '--sync', 'users', '--json'])).stdout) as { status: string; interrupted?: boolean }[];
  assert.equal(runs[0]?.status, 'success');
  assert.ok(runs.slice(1).every((r) => r.status !== 'running'), 'interrupted runs are marked by the next run');
});

test('a tie group of many pages: kill -9 mid-group, resume, then a late row at the same UPDATED_AT is sent once', async () => {
  fx.braze.reset();
  await fx.table('tie');
  // One Redshift transaction stamps every row with the same SYSDATE: 3,000 rows, several pages.
  const at = '2026-08-01 06:00:00.654321+00';
  await fx.db.query(`INSERT INTO ingestion.tie SELECT $1, 'tie-' || g, '{"n":' || g || '}' FROM generate_series(1, 3000) g`, [at]);
  const file = definition('ingestion.tie', { batchSize: 10 });

  // Killed well inside the group (300 requests of 10 rows make the whole group).
  const reached = afterRequests(100 + Math.floor(Math.random() * 100));
  const proc = cli(['sync', file, '--sync', 'users', '--json', '--concurrency', '4']);
  assert.equal(await Promise.race([reached.then(() => false), proc.done.then(() => true)]), false, 'the run ended before the kill');
  proc.child.kill('SIGKILL');
  await proc.done;

  const killed = await recordedState(file);
  await assertWatermarkBehindDelivery('ingestion.tie', killed, 'mid-group kill');
  assert.equal(killed?.watermark?.updated_at, at);
  const saved = killed?.watermark?.boundary_keys.length ?? 0;
  assert.ok(saved > 0 && saved < 3000, `${saved} boundary keys after the kill`);
  // Checkpoints went to the journal: state.json itself was not rewritten with the growing group.
  const snapshot = JSON.parse(readFileSync(path.join(syncDir(file), STATE_FILE_NAME), 'utf8')) as SyncState;
  assert.ok((snapshot.watermark?.boundary_keys.length ?? 0) < saved, 'the boundary keys live in the journal between snapshots');
  assert.ok(existsSync(path.join(syncDir(file), JOURNAL_FILE_NAME)));

  const resumed = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout).rows_read, 3000 - saved, 'the rerun skips exactly the rows saved as delivered');
  assert.equal(new Set(fx.braze.profiles().map((p) => p.external_id)).size, 3000, 'no row lost');
  // A clean end folds the journal into state.json.
  const compacted = JSON.parse(readFileSync(path.join(syncDir(file), STATE_FILE_NAME), 'utf8')) as SyncState;
  assert.equal(compacted.watermark?.boundary_keys.length, 3000);

  await fx.db.query(`INSERT INTO ingestion.tie VALUES ($1, 'tie-late', '{"late":true}')`, [at]);
  const received = fx.braze.stats().objects.attributes;
  const late = await run(['sync', file, '--sync', 'users', '--json']);
  assert.deepEqual(JSON.parse(late.stdout), { sync: 'users', status: 'success', rows_read: 1, rows_synced: 1, rows_failed: 0, objects_sent: 1, attributes_sent: 1, attributes_unchanged: 0, data_points_saved: 0, watermark: '2026-08-01T06:00:00.654321Z' });
  assert.equal(fx.braze.stats().objects.attributes, received + 1, 'only the late row was sent');
  assert.equal(JSON.parse((await run(['sync', file, '--sync', 'users', '--json'])).stdout).rows_read, 0);
  assert.equal(fx.braze.stats().objects.attributes, received + 1);
});

test('catalogs: kill -9 mid-run, then rerun: every item arrives, deleted items stay deleted, the last row of an item wins', async () => {
  fx.braze.reset();
  const created = await fetch(`${fx.braze.url}/catalogs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ catalogs: [{ name: 'users', fields: [{ name: 'Rating', type: 'number' }] }] }),
  });
  assert.equal(created.status, 201);
  await fx.db.query('CREATE TABLE ingestion.catk9 (updated_at timestamptz NOT NULL, id varchar(256) NOT NULL, payload varchar(65535), deleted boolean)');
  await fx.db.query('GRANT SELECT ON ingestion.catk9 TO braze_user');
  // 800 items, four per timestamp; then every 8th deleted, then every 5th updated (some after their delete).
  await fx.db.query(`INSERT INTO ingestion.catk9 SELECT '2026-09-01'::timestamptz + (g / 4) * interval '1 ms', 'c' || g, '{"Rating":' || g || '}', NULL FROM generate_series(1, 800) g`);
  await fx.db.query(`INSERT INTO ingestion.catk9 SELECT '2026-09-01 00:00:01'::timestamptz + g * interval '1 ms', 'c' || g, NULL, true FROM generate_series(8, 800, 8) g`);
  await fx.db.query(`INSERT INTO ingestion.catk9 SELECT '2026-09-01 00:00:02'::timestamptz + g * interval '1 ms', 'c' || g, '{"Rating":' || (g + 10000) || '}', false FROM generate_series(5, 800, 5) g`);
  const expected = new Map<string, number>();
  for (let g = 1; g <= 800; g++) {
    if (g % 5 === 0) expected.set(`c${g}`, g + 10000);
    else if (g % 8 !== 0) expected.set(`c${g}`, g);
  }
  const file = definition('ingestion.catk9', { batchSize: 7, dataType: 'catalog_items', catalog: 'users' });
  assert.ok((await killedRuns(file, 3, 60)) > 0, 'at least one run was killed mid-run');
  const final = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(final.code, 0, final.stderr);
  const held = new Map((fx.braze.catalogItems('users') ?? []).map((item) => [String(item.id), item.Rating]));
  assert.deepEqual(new Map([...held].sort()), new Map([...expected].sort()));
  assert.equal(JSON.parse((await run(['sync', file, '--sync', 'users', '--json'])).stdout).rows_read, 0);
});

test('catalogs with send: changed: kill -9 mid-run, then rerun: every changed field arrives, deleted items stay deleted, re-created ones are whole', async () => {
  fx.braze.reset();
  const created = await fetch(`${fx.braze.url}/catalogs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ catalogs: [{ name: 'users', fields: [{ name: 'Name', type: 'string' }, { name: 'Rating', type: 'number' }] }] }),
  });
  assert.equal(created.status, 201);
  await fx.db.query('CREATE TABLE ingestion.catdiff (updated_at timestamptz NOT NULL, id varchar(256) NOT NULL, payload varchar(65535), deleted boolean)');
  await fx.db.query('GRANT SELECT ON ingestion.catdiff TO braze_user');
  const item = (g: string, rating: string) => `'{"Name":"n' || ${g} || '","Rating":' || ${rating} || '}'`;
  await fx.db.query(`INSERT INTO ingestion.catdiff SELECT '2026-10-01'::timestamptz + g * interval '1 ms', 'c' || g, ${item('g', 'g')}, NULL FROM generate_series(1, 600) g`);
  const file = definition('ingestion.catdiff', { batchSize: 7, dataType: 'catalog_items', catalog: 'users', send: 'changed' });
  const first = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(fx.braze.stats().catalogFields, 1200);

  // Every 3rd Rating changes, every 8th item is deleted, every 16th is then created again.
  await fx.db.query(`INSERT INTO ingestion.catdiff SELECT '2026-10-01 00:00:01'::timestamptz + g * interval '1 ms', 'c' || g, ${item('g', 'g + 10000')}, false FROM generate_series(3, 600, 3) g`);
  await fx.db.query(`INSERT INTO ingestion.catdiff SELECT '2026-10-01 00:00:02'::timestamptz + g * interval '1 ms', 'c' || g, NULL, true FROM generate_series(8, 600, 8) g`);
  await fx.db.query(`INSERT INTO ingestion.catdiff SELECT '2026-10-01 00:00:03'::timestamptz + g * interval '1 ms', 'c' || g, ${item('g', 'g + 20000')}, NULL FROM generate_series(16, 600, 16) g`);
  const expected = new Map<string, { id: string; Name: string; Rating: number }>();
  for (let g = 1; g <= 600; g++) {
    const rating = g % 16 === 0 ? g + 20000 : g % 8 === 0 ? undefined : g % 3 === 0 ? g + 10000 : g;
    if (rating !== undefined) expected.set(`c${g}`, { id: `c${g}`, Name: `n${g}`, Rating: rating });
  }
  assert.ok((await killedRuns(file, 3, 40)) > 0, 'at least one run was killed mid-run');
  const final = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(final.code, 0, final.stderr);
  const held = new Map((fx.braze.catalogItems('users') ?? []).map((i) => [String(i.id), i]));
  assert.deepEqual(new Map([...held].sort()), new Map([...expected].sort()), 'every changed field arrived; unchanged fields kept');
  assert.ok(fx.braze.stats().objects.catalog_edited > 0, 'changed Ratings went by PATCH');

  // The hashes left by the killed runs describe what Braze holds: the same catalog again sends nothing.
  await fx.db.query(`INSERT INTO ingestion.catdiff SELECT '2026-10-01 00:00:04'::timestamptz + g * interval '1 ms', 'c' || g, ${item('g', 'CASE WHEN g % 16 = 0 THEN g + 20000 WHEN g % 3 = 0 THEN g + 10000 ELSE g END')}, NULL FROM generate_series(1, 600) g WHERE g % 16 = 0 OR g % 8 <> 0`);
  const same = JSON.parse((await run(['sync', file, '--sync', 'users', '--json'])).stdout) as { rows_read: number; objects_sent: number; attributes_unchanged: number };
  assert.deepEqual([same.rows_read, same.objects_sent, same.attributes_unchanged], [expected.size, 0, expected.size * 2]);
});
