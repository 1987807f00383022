/**
 * `send: changed` through the built CLI: kill -9 at random points of a re-sync (every changed
 * value arrives at least once, nothing is skipped that Braze does not have), then the summary,
 * `history --json`, the preview's per-row attributes and `diff reset`, also on shared state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { useCliFixture } from '../support/cli-fixture';
import { stateUrl } from '../support/state-db';

const fx = useCliFixture();
const { definition, cli, run, afterRequests } = fx;

const PROFILES = 400;

async function rebuild(table: string, score: (i: number) => number): Promise<void> {
  const scores = Array.from({ length: PROFILES }, (_, i) => score(i));
  await fx.db.query(
    `INSERT INTO ${table} SELECT clock_timestamp(), 'p' || g, json_build_object('tier', 'gold', 'city', 'Oslo', 'score', ($1::int[])[g + 1])::text FROM generate_series(0, ${PROFILES - 1}) g`,
    [scores],
  );
}

function assertBrazeHas(score: (i: number) => number, context: string): void {
  for (let i = 0; i < PROFILES; i++) {
    const attrs = fx.braze.profiles({ external_id: `p${i}` })[0]?.attributes;
    assert.deepEqual(attrs, { tier: 'gold', city: 'Oslo', score: score(i) }, `p${i} (${context})`);
  }
}

test('kill -9 during a send: changed re-sync: every changed value arrives, and an unchanged rebuild then sends nothing', async () => {
  fx.braze.reset();
  const t = await fx.table('dk');
  const file = definition(t, { batchSize: 5, send: 'changed' });
  await rebuild(t, (i) => i);
  const first = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(fx.braze.stats().dataPoints, PROFILES * 3);

  // Every fourth profile's score changes; kill the re-sync a few times at random points.
  const changed = (i: number) => (i % 4 === 0 ? i + 1000 : i);
  await rebuild(t, changed);
  for (let k = 0; k < 3; k++) {
    const reached = afterRequests(1 + Math.floor(Math.random() * 15));
    const proc = cli(['sync', file, '--sync', 'users', '--json', '--concurrency', '2']);
    if (!(await Promise.race([reached.then(() => false), proc.done.then(() => true)]))) proc.child.kill('SIGKILL');
    await proc.done;
  }
  const final = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(final.code, 0, final.stderr);
  assertBrazeHas(changed, 'after kills');
  const sent = fx.braze.stats().dataPoints - PROFILES * 3;
  assert.ok(sent >= PROFILES / 4, `each changed score arrived (${sent} data points)`);
  // Only changed scores are resent, at most once per kill for each in flight or unsaved.
  assert.ok(sent <= PROFILES / 4 + 3 * 2 * 5 * 3, `${sent} data points: only changed values and each killed run's unsaved tail`);

  await rebuild(t, changed);
  const quiet = await run(['sync', file, '--sync', 'users', '--json']);
  const summary = JSON.parse(quiet.stdout) as Record<string, unknown>;
  assert.deepEqual([summary.rows_read, summary.objects_sent, summary.attributes_sent, summary.data_points_saved], [PROFILES, 0, 0, PROFILES * 3]);
  const history = JSON.parse((await run(['history', file, '--sync', 'users', '--json'])).stdout) as Record<string, unknown>[];
  assert.deepEqual([history[0]?.objects_sent, history[0]?.attributes_unchanged, history[0]?.data_points_saved], [0, PROFILES * 3, PROFILES * 3]);
  const human = await run(['history', file, '--sync', 'users', '--limit', '1']);
  assert.match(human.stdout, /sent 0 objects · 0 attributes · 1,200 unchanged attributes left out \(1,200 data points saved\)/);
});

test('preview shows the attributes each row would send; diff reset makes the next run send everything', async () => {
  fx.braze.reset();
  const t = await fx.table('dp');
  const file = definition(t, { send: 'changed' });
  await fx.db.query(`INSERT INTO ${t} VALUES (clock_timestamp(), 'a', '{"x":1,"y":2}'), (clock_timestamp(), 'b', '{"x":1}')`);
  const none = JSON.parse((await run(['preview', file, '--sync', 'users', '--json'])).stdout) as { diff_notice?: string };
  assert.match(none.diff_notice ?? '', /No hashes recorded yet/);
  assert.equal((await run(['sync', file, '--sync', 'users'])).code, 0);

  await fx.db.query(`INSERT INTO ${t} VALUES (clock_timestamp(), 'a', '{"x":1,"y":3}'), (clock_timestamp(), 'b', '{"x":1}')`);
  const preview = await run(['preview', file, '--sync', 'users', '--json']);
  const objects = (JSON.parse(preview.stdout) as { objects: { object?: unknown; unchanged_attributes?: string[] }[] }).objects;
  assert.deepEqual(objects.map((o) => [o.object, o.unchanged_attributes]), [
    [{ external_id: 'a', y: 3 }, ['x']],
    [undefined, ['x']],
  ]);
  const text = await run(['preview', file, '--sync', 'users']);
  assert.match(text.stdout, /\{"external_id":"a","y":3\}\n {6}unchanged, left out: x\n/);
  assert.match(text.stdout, /external_id=b: nothing changed, nothing sent/);

  const reset = await run(['diff', 'reset', file, '--sync', 'users']);
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /hashes forgotten; the next run sends every attribute/);
  const status = JSON.parse((await run(['diff', file, '--sync', 'users', '--json'])).stdout) as { exists: boolean };
  assert.equal(status.exists, false);
  const full = await run(['sync', file, '--sync', 'users']);
  assert.match(full.stdout, /sent 2 objects · 3 attributes/);
  assert.match(full.stdout, /warning: send: changed: No hashes recorded yet/);
});

test('shared state: hosts with their own state folders share the hashes; preview, diff and diff reset work on them', async () => {
  fx.braze.reset();
  const t = await fx.table('ds');
  const file = definition(t, { send: 'changed' });
  const host = (name: string) => ({ BRAZESYNC_STATE_URL: stateUrl(fx.db, fx.db), BRAZESYNC_STATE_DIR: path.join(fx.dir, `host-${name}`) });
  const rows = (y: number) => fx.db.query(`INSERT INTO ${t} VALUES (clock_timestamp(), 'a', '{"x":1,"y":${y}}'), (clock_timestamp(), 'b', '{"x":1}')`);
  await rows(2);
  assert.equal((await run(['sync', file, '--sync', 'users'], host('a'))).code, 0);

  await rows(3);
  const preview = JSON.parse((await run(['preview', file, '--sync', 'users', '--json'], host('b'))).stdout) as { objects: { object?: unknown; unchanged_attributes?: string[] }[] };
  assert.deepEqual(preview.objects.map((o) => [o.object, o.unchanged_attributes]), [
    [{ external_id: 'a', y: 3 }, ['x']],
    [undefined, ['x']],
  ]);
  const onB = await run(['sync', file, '--sync', 'users'], host('b'));
  assert.match(onB.stdout, /sent 1 object · 1 attribute · 2 unchanged attributes left out/);
  assert.doesNotMatch(onB.stdout, /warning/);
  assert.ok(!existsSync(path.join(fx.dir, 'host-b')) || readdirSync(path.join(fx.dir, 'host-b'), { recursive: true }).every((p) => !String(p).endsWith('diff')), 'no local store');

  const status = JSON.parse((await run(['diff', file, '--sync', 'users', '--json'], host('a'))).stdout) as { exists: boolean; location: string; checkpoint: number; size_bytes: number };
  assert.deepEqual([status.exists, status.checkpoint], [true, 2]);
  assert.match(status.location, /^PostgreSQL 127\.0\.0\.1:\d+\/\w+, schema brazesync, table diff_records, sync f\d+\/users$/);
  assert.ok(status.size_bytes > 0);
  const reset = await run(['diff', 'reset', file, '--sync', 'users'], host('a'));
  assert.match(reset.stdout, /hashes forgotten; the next run sends every attribute/);
  assert.equal((JSON.parse((await run(['diff', file, '--sync', 'users', '--json'], host('b'))).stdout) as { exists: boolean }).exists, false);
  await rows(3);
  const full = await run(['sync', file, '--sync', 'users'], host('b'));
  assert.match(full.stdout, /sent 2 objects · 3 attributes/);
  assert.match(full.stdout, /warning: send: changed: No hashes recorded yet/);
});
