/**
 * Crash safety at warehouse scale: the built CLI reads a 1,000,000-row table with no index (one
 * streamed statement, sorted by the server) and is killed with SIGKILL at random points; after the
 * last run every row has reached Braze, each killed run re-sent at most what was in flight, and at
 * every kill the recorded watermark was behind what Braze had received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCliFixture } from '../support/cli-fixture';

const fx = useCliFixture();
const ROWS = 1_000_000;
const CONCURRENCY = 16;
const BATCH = 75;

test('kill -9 at random points of a 1M-row run without index loses no row and re-sends at most what was in flight', async () => {
  fx.braze.reset();
  const t = await fx.table('big');
  // Ten rows per timestamp, stored out of UPDATED_AT order, no index: the server must sort.
  await fx.db.query(
    `INSERT INTO ${t} SELECT '2026-09-01'::timestamptz + ((g::bigint * 7919) % $1 / 10) * interval '1 ms', 'big-' || g, '{"n":' || g || ',"plan":"gold","city":"Lyon"}' FROM generate_series(1, $1::int) g`,
    [ROWS],
  );
  await fx.db.query(`ANALYZE ${t}`);
  const file = fx.definition(t, { batchSize: BATCH });
  const requests = ROWS / BATCH;
  const kills = 3;
  for (let i = 0; i < kills; i++) {
    const k = 50 + Math.floor(Math.random() * (requests / (kills + 1)));
    const reached = fx.afterRequests(k);
    const proc = fx.cli(['sync', file, '--sync', 'users', '--json', '--concurrency', String(CONCURRENCY)]);
    const finished = await Promise.race([reached.then(() => false), proc.done.then(() => true)]);
    assert.equal(finished, false, `run ${i} ended before its kill after ${k} requests`);
    proc.child.kill('SIGKILL');
    await proc.done;
    await fx.assertWatermarkBehindDelivery(t, await fx.recordedState(file), `kill ${i}, after ${k} requests`);
  }
  const final = await fx.run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(final.code, 0, final.stderr);
  assert.equal(fx.braze.stats().profiles, ROWS, 'no row lost');
  // A killed run re-sends its unsaved tail: requests in flight, a round held back by the
  // contiguous-prefix rule, and up to a round not saved yet.
  const duplicates = fx.braze.stats().objects.attributes - ROWS;
  assert.ok(duplicates <= kills * CONCURRENCY * BATCH * 3, `too many duplicates: ${duplicates}`);
});
