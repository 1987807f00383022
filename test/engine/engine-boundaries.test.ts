/**
 * The watermark's edge cases on a real PostgreSQL: rows sharing one UPDATED_AT across pages and
 * runs, rows committed late at the boundary, the lookback window, rows stamped in the future, and
 * cancellation — always checked against what the Braze server actually received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SyncStateStore } from '../../core/src/state/state-store';
import { formatTimestampMicros } from '../../core/src/model/timestamps';
import { harness } from '../support/sync-harness';
import { useEngineFixture } from '../support/engine-fixture';

const fx = useEngineFixture();
let tableSeq = 0;

async function table(): Promise<string> {
  const name = `b${++tableSeq}`;
  await fx.db.createExampleTable('ingestion', name);
  return `ingestion.${name}`;
}

/** Inserts `count` rows in one statement; with `at`, every row gets that UPDATED_AT. */
async function load(t: string, prefix: string, count: number, at?: string): Promise<void> {
  if (at) await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) SELECT $1, $2 || g, '{"n":' || g || '}' FROM generate_series(1, $3::int) g`, [at, prefix, count]);
  else await fx.db.query(`INSERT INTO ${t} (external_id, payload) SELECT $1 || g, '{"n":' || g || '}' FROM generate_series(1, $2::int) g`, [prefix, count]);
}

const attributesReceived = () => fx.braze.stats().objects.attributes;
const ago = (minutes: number) => formatTimestampMicros((Date.now() - minutes * 60_000) * 1000 + 123);

test('a tie group larger than a page is read whole, and a row committed later at the same UPDATED_AT is sent once', async () => {
  fx.braze.reset();
  const t = await table();
  const at = '2026-03-01 12:00:00.000001+00';
  await load(t, 'tie-', 250, at);
  // Two identical rows are one row.
  await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) VALUES ($1, 'dup', '{"n":0}'), ($1, 'dup', '{"n":0}')`, [at]);
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    const first = await h.run({ chunkRows: 40 });
    assert.equal(first.status, 'success', first.error);
    assert.equal(first.rows_read, 251);
    assert.equal(attributesReceived(), 251);
    const state = await h.store.readState();
    assert.equal(state?.watermark?.updated_at, at);
    assert.equal(state?.watermark?.boundary_keys.length, 251);

    await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) VALUES ($1, 'late', '{"late":true}')`, [at]);
    const second = await h.run({ chunkRows: 40 });
    assert.deepEqual([second.rows_read, second.rows_skipped, second.rows_synced], [1, 251, 1]);
    assert.equal(attributesReceived(), 252, 'only the late row was sent');
    const third = await h.run();
    assert.equal(third.rows_read, 0);
    assert.equal(attributesReceived(), 252);
  } finally {
    h.cleanup();
  }
});

test('checkpoints of a growing tie group cost what each one adds, not the whole group', async () => {
  fx.braze.reset();
  const t = await table();
  const at = '2026-03-02 08:00:00.5+00';
  await load(t, 'grow-', 3000, at);
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url, batchSize: 10 });
  // Bytes each kind of write puts on disk, measured through the store the engine is given.
  const written = { snapshots: 0, snapshotBytes: 0, appends: 0, appendBytes: 0 };
  const counting: SyncStateStore = {
    ...h.store,
    writeState: async (state) => {
      written.snapshots++;
      written.snapshotBytes += JSON.stringify(state).length;
      await h.store.writeState(state);
    },
    appendWatermark: async (delta) => {
      written.appends++;
      written.appendBytes += JSON.stringify(delta).length;
      await h.store.appendWatermark?.(delta);
    },
  };
  try {
    const run = await h.run({ store: counting, concurrency: 2 });
    assert.equal(run.status, 'success', run.error);
    const state = await h.store.readState();
    assert.equal(state?.watermark?.boundary_keys.length, 3000);
    const whole = JSON.stringify(state).length;
    const checkpoints = written.appends + written.snapshots;
    assert.ok(checkpoints >= 10, `only ${checkpoints} checkpoints: the test needs many`);
    // Every key is written about once to the journal and once more when it is folded into
    // state.json; rewriting the group at each checkpoint would cost checkpoints × half the group.
    const total = written.snapshotBytes + written.appendBytes;
    assert.ok(total <= 3 * whole + checkpoints * 200, `${total} bytes written for a ${whole}-byte state over ${checkpoints} checkpoints`);
  } finally {
    h.cleanup();
  }
});

test('lookback re-reads its window, sends only late rows, and never resends delivered ones', async () => {
  fx.braze.reset();
  const t = await table();
  await load(t, 'w-a-', 20, ago(40));
  await load(t, 'w-b-', 20, ago(20));
  await load(t, 'w-c-', 20, ago(5));
  const withLookback = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url, lookback: '30 minutes' });
  const without = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    assert.equal((await withLookback.run()).rows_read, 60);
    assert.equal((await without.run()).rows_read, 60);
    fx.braze.reset();
    // Late rows: 10 minutes before the watermark (inside the window) and 50 minutes before (outside).
    await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) VALUES ($1, 'late-in', '{}'), ($2, 'late-out', '{}')`, [ago(15), ago(55)]);
    const caught = await withLookback.run();
    assert.equal(caught.status, 'success', caught.error);
    assert.equal(caught.rows_read, 1);
    assert.equal(caught.rows_skipped, 40, 'rows in the window already delivered are skipped');
    assert.equal(fx.braze.profiles({ external_id: 'late-in' }).length, 1);
    assert.equal(fx.braze.profiles({ external_id: 'late-out' }).length, 0);
    assert.equal(attributesReceived(), 1);
    const missed = await without.run();
    assert.equal(missed.rows_read, 0, 'without lookback a late row below the watermark is not read');
    assert.equal((await withLookback.run()).rows_read, 0);
  } finally {
    withLookback.cleanup();
    without.cleanup();
  }
});

test('rows stamped in the future wait for their time and never move the watermark past now', async () => {
  fx.braze.reset();
  const t = await table();
  await load(t, 'now-', 5);
  await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) VALUES ($1, 'future', '{}')`, [formatTimestampMicros((Date.now() + 86_400_000) * 1000)]);
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    const startedAt = Date.now();
    const run = await h.run();
    assert.equal(run.status, 'success', run.error);
    assert.equal(run.rows_read, 5);
    assert.equal(run.rows_in_future, 1);
    assert.match(run.warnings.join(' '), /1 row\(s\) have UPDATED_AT after this run started/);
    assert.equal(fx.braze.profiles({ external_id: 'future' }).length, 0);
    assert.ok(Date.parse(run.watermark_after ?? '') <= Date.now() && Date.parse(run.watermark_after ?? '') >= startedAt - 60_000);
  } finally {
    h.cleanup();
  }
});

test('cancellation stops cleanly, commits what was delivered, and the rerun sends exactly the rest', async () => {
  fx.braze.reset();
  const t = await table();
  await load(t, 'c-', 1000, '2026-04-01 00:00:00+00');
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url, batchSize: 10 });
  const controller = new AbortController();
  let seen = 0;
  fx.onRequest = () => {
    if (++seen === 8) controller.abort();
  };
  try {
    const cancelled = await h.run({ signal: controller.signal, concurrency: 2 });
    fx.onRequest = undefined;
    assert.equal(cancelled.status, 'cancelled');
    assert.ok(cancelled.rows_synced > 0 && cancelled.rows_synced < 1000);
    assert.equal(attributesReceived(), cancelled.rows_synced, 'in-flight requests finished and were committed');
    const state = await h.store.readState();
    assert.equal(state?.watermark?.boundary_keys.length, cancelled.rows_synced);

    const rest = await h.run();
    assert.equal(rest.status, 'success', rest.error);
    assert.equal(rest.rows_read, 1000 - cancelled.rows_synced);
    assert.equal(attributesReceived(), 1000, 'no row lost, none sent twice');
    assert.equal(fx.braze.stats().profiles, 1000);
  } finally {
    fx.onRequest = undefined;
    h.cleanup();
  }
});

test('a warehouse connection lost mid-read fails the run with the reason, keeps what was delivered, and the rerun sends exactly the rest', async () => {
  fx.braze.reset();
  const t = await table();
  // More than the socket buffers hold, so the statement is still sending when the backend dies.
  const total = 30_000;
  await fx.db.query(`INSERT INTO ${t} (external_id, payload) SELECT 'x-' || g, '{"n":' || g || ',"pad":"' || repeat('p', 400) || '"}' FROM generate_series(1, $1::int) g`, [total]);
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  let killed: Promise<unknown> | undefined;
  fx.onRequest = () => {
    // The reader's connection is the only other one to this database.
    killed ??= fx.db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  };
  try {
    const failed = await h.run({ chunkRows: 50, concurrency: 2 });
    fx.onRequest = undefined;
    await killed;
    assert.equal(failed.status, 'error');
    // A backend blocked sending rows dies without a word; one that was idle says why.
    assert.match(failed.error ?? '', /connection to .* was lost \((terminating connection due to administrator command|Connection terminated unexpectedly)\).*run the sync again/);
    assert.ok(failed.rows_synced > 0 && failed.rows_synced < total, `synced ${failed.rows_synced}`);
    assert.equal(attributesReceived(), failed.rows_synced, 'what was delivered is what was counted');

    const rest = await h.run();
    assert.equal(rest.status, 'success', rest.error);
    assert.equal(rest.rows_read, total - failed.rows_synced);
    assert.equal(attributesReceived(), total, 'no row lost, none sent twice');
    assert.equal(fx.braze.stats().profiles, total);
  } finally {
    fx.onRequest = undefined;
    h.cleanup();
  }
});
