/**
 * runSync end to end on a real PostgreSQL and the local Braze server: every data type, every
 * identifier kind, invalid rows, Braze faults, the job lock, an injection-shaped table name and
 * secrets kept out of state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JobInProgressError } from '../../core/src/state/lock-file';
import { API_KEY, harness } from '../support/sync-harness';
import { useEngineFixture } from '../support/engine-fixture';

const fx = useEngineFixture();
let tableSeq = 0;

async function table(options: { payload?: boolean } = {}): Promise<string> {
  const name = `t${++tableSeq}`;
  await fx.db.createExampleTable('ingestion', name, options);
  return `ingestion.${name}`;
}

function insert(t: string, rows: Record<string, string | null>[]): Promise<unknown> {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const values: (string | null)[] = [];
  const tuples = rows.map((r) => `(${cols.map((c) => (values.push(r[c] ?? null), `$${values.length}`)).join(', ')})`);
  return fx.db.query(`INSERT INTO ${t} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, values);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('custom attributes: every identifier kind reaches the right profile; state records the data type', async () => {
  fx.braze.reset();
  const t = await table();
  await insert(t, [
    { external_id: 'ext-1', payload: '{"tier":"gold"}' },
    { alias_name: 'anon-1', alias_label: 'web', payload: '{"tier":"silver"}' },
    { email: 'a@example.com', payload: '{"tier":"bronze"}' },
    { phone: '+15550001111', payload: '{"tier":"tin"}' },
    { email: 'both@example.com', phone: '+15550002222', payload: '{"tier":"iron"}' },
  ]);
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    const run = await h.run();
    assert.equal(run.status, 'success', JSON.stringify(await h.store.readRowErrors(run.id)));
    assert.deepEqual([run.rows_read, run.rows_synced, run.rows_failed], [5, 5, 0]);
    assert.equal(fx.braze.profiles({ external_id: 'ext-1' })[0]?.attributes.tier, 'gold');
    assert.equal(fx.braze.profiles({ user_alias: { alias_name: 'anon-1', alias_label: 'web' } })[0]?.attributes.tier, 'silver');
    assert.equal(fx.braze.profiles({ email: 'a@example.com' })[0]?.attributes.tier, 'bronze');
    assert.equal(fx.braze.profiles({ phone: '+15550001111' })[0]?.attributes.tier, 'tin');
    const both = fx.braze.profiles({ email: 'both@example.com' })[0];
    assert.equal(both?.attributes.tier, 'iron');
    assert.equal(both?.phone, '+15550002222');

    // braze_id updates an existing profile and never creates one.
    const brazeId = fx.braze.profiles({ external_id: 'ext-1' })[0]?.braze_id ?? '';
    await insert(t, [{ braze_id: brazeId, payload: '{"tier":"platinum"}' }]);
    const second = await h.run();
    assert.equal(second.status, 'success', second.error);
    assert.equal(second.rows_read, 1, 'only the new row is read');
    assert.equal(fx.braze.profiles({ external_id: 'ext-1' })[0]?.attributes.tier, 'platinum');

    const state = await h.store.readState();
    assert.equal(state?.data_type, 'custom_attributes');
    assert.ok(state?.data_type_recorded_at);
    assert.equal((await h.store.listRuns()).length, 2);
  } finally {
    h.cleanup();
  }
});

test('custom events and purchases: time defaults to UPDATED_AT with microseconds', async () => {
  fx.braze.reset();
  const events = await table();
  await fx.db.query(`INSERT INTO ${events} (updated_at, external_id, payload) VALUES ('2026-01-02 03:04:05.123456+00', 'ev-user', '{"name":"rented_movie","properties":{"movie":"The Sad Egg"}}')`);
  const purchases = await table();
  await fx.db.query(`INSERT INTO ${purchases} (updated_at, external_id, payload) VALUES ('2026-01-02 03:04:06.654321+00', 'buyer', '{"product_id":"sku-1","currency":"USD","price":9.99,"quantity":2}')`);
  const he = harness(fx.db, { table: events, dataType: 'custom_events', brazeUrl: fx.braze.url });
  const hp = harness(fx.db, { table: purchases, dataType: 'purchases', brazeUrl: fx.braze.url });
  try {
    assert.equal((await he.run()).status, 'success');
    assert.equal((await hp.run()).status, 'success');
    const ev = fx.braze.profiles({ external_id: 'ev-user' })[0]?.events[0];
    assert.equal(ev?.name, 'rented_movie');
    assert.equal(ev?.time, '2026-01-02T03:04:05.123456Z');
    const pu = fx.braze.profiles({ external_id: 'buyer' })[0]?.purchases[0];
    assert.equal(pu?.product_id, 'sku-1');
    assert.equal(pu?.time, '2026-01-02T03:04:06.654321Z');
    const state = await he.store.readState();
    assert.equal(state?.watermark?.updated_at, '2026-01-02 03:04:05.123456+00', 'watermark kept at full precision');
  } finally {
    he.cleanup();
    hp.cleanup();
  }
});

test('user deletes: batches of at most 50 ids, and a table with PAYLOAD is refused', async () => {
  fx.braze.reset();
  const attrs = await table();
  const ids = Array.from({ length: 120 }, (_, i) => `del-${i}`);
  await insert(attrs, ids.map((id) => ({ external_id: id, payload: '{"x":1}' })));
  const ha = harness(fx.db, { table: attrs, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  const deletes = await table({ payload: false });
  await insert(deletes, ids.slice(0, 110).map((id) => ({ external_id: id })));
  const hd = harness(fx.db, { table: deletes, dataType: 'user_deletes', brazeUrl: fx.braze.url });
  const withPayload = harness(fx.db, { table: attrs, dataType: 'user_deletes', brazeUrl: fx.braze.url });
  try {
    assert.equal((await ha.run()).status, 'success');
    assert.equal(fx.braze.stats().profiles, 120);
    const before = fx.braze.state().requests.length;
    const run = await hd.run();
    assert.equal(run.status, 'success', run.error);
    assert.equal(run.rows_synced, 110);
    assert.equal(fx.braze.stats().profiles, 10);
    const deleteRequests = fx.braze.state().requests.slice(before).filter((r) => r.path === '/users/delete');
    assert.equal(deleteRequests.length, 3);
    assert.ok(deleteRequests.every((r) => r.objects <= 50));

    const refused = await withPayload.run();
    assert.equal(refused.status, 'error');
    assert.match(refused.error ?? '', /must not have a PAYLOAD column/);
    assert.equal(refused.rows_read, 0);
  } finally {
    ha.cleanup();
    hd.cleanup();
    withPayload.cleanup();
  }
});

test('invalid rows are recorded with their reason and the run goes on (partial)', async () => {
  fx.braze.reset();
  const t = await table();
  await insert(t, [
    { external_id: 'ok-1', payload: '{"a":1}' },
    { external_id: 'bad-json', payload: '{"a":' },
    { external_id: null, payload: '{"a":2}' },
    { external_id: 'x', braze_id: 'y', payload: '{"a":3}' },
    { external_id: 'blocked-user', payload: '{"a":4}' }, // rejected by Braze inside a 201
    { external_id: 'ok-2', payload: '{"a":5}' },
  ]);
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    const run = await h.run();
    assert.equal(run.status, 'partial');
    assert.deepEqual([run.rows_read, run.rows_synced, run.rows_failed], [6, 2, 4], JSON.stringify(await h.store.readRowErrors(run.id)));
    const errors = await h.store.readRowErrors(run.id);
    assert.equal(errors.length, 4);
    assert.ok(errors.some((e) => e.identifier.includes('bad-json') && /not valid JSON/.test(e.reason) && e.payload === '{"a":'));
    assert.ok(errors.some((e) => /No identifier/.test(e.reason)));
    assert.ok(errors.some((e) => /Several identifier types/.test(e.reason)));
    assert.ok(errors.some((e) => e.identifier.includes('blocked-user') && /Braze rejected/.test(e.reason)));
    // The watermark moved past the failed rows: the next run reads nothing.
    const again = await h.run();
    assert.deepEqual([again.status, again.rows_read], ['success', 0]);
  } finally {
    h.cleanup();
  }
});

test('429 with reset, 5xx and dropped connections: every row arrives once the faults pass', async () => {
  fx.braze.reset();
  const t = await table();
  await insert(t, Array.from({ length: 600 }, (_, i) => ({ external_id: `f-${i}`, payload: `{"n":${i}}` })));
  fx.braze.setFaults({ next: [429, 503, 'drop', 500, 502, 'drop', 429] });
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    const run = await h.run({ concurrency: 4 });
    assert.equal(run.status, 'success', run.error);
    assert.equal(run.rows_synced, 600);
    assert.equal(fx.braze.stats().profiles, 600);
    assert.ok(fx.braze.state().requests.some((r) => r.status === 429));
    assert.ok(fx.braze.state().requests.some((r) => r.status === 0), 'a connection was dropped');
  } finally {
    h.cleanup();
  }
});

test('retries exhausted: the run fails cleanly and commits only what was delivered', async () => {
  fx.braze.reset();
  const t = await table();
  await insert(t, Array.from({ length: 300 }, (_, i) => ({ external_id: `r-${i}`, payload: `{"n":${i}}` })));
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url, batchSize: 10 });
  try {
    let requests = 0;
    fx.braze.setFaults({ rate: 0 });
    const run = await h.run({
      concurrency: 1,
      brazeOptions: { maxRetries: 1 },
      onProgress: () => {
        if (++requests === 5) fx.braze.setFaults({ rate: 1, kinds: [503] });
      },
    });
    fx.braze.setFaults({ rate: 0 });
    assert.equal(run.status, 'error');
    assert.match(run.error ?? '', /503|Service Unavailable|server/i);
    const delivered = fx.braze.stats().profiles;
    const state = await h.store.readState();
    const rows = await fx.db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${t} WHERE updated_at <= $1`, [state?.watermark?.updated_at ?? '1970-01-01']);
    assert.ok(delivered > 0 && delivered < 300);
    // All rows here share one UPDATED_AT: the committed boundary keys are exactly what was delivered.
    assert.equal(state?.watermark?.boundary_keys.length, delivered);
    assert.equal(Number(rows.rows[0]?.n), 300);
    const resumed = await h.run();
    assert.equal(resumed.status, 'success', resumed.error);
    assert.equal(resumed.rows_read, 300 - delivered, 'the rerun sends only what was not delivered');
    assert.equal(fx.braze.stats().profiles, 300);
  } finally {
    h.cleanup();
  }
});

test('one job per sync: a second start while one runs is refused and changes nothing; a stale lock is taken over', async () => {
  fx.braze.reset();
  const t = await table();
  await insert(t, Array.from({ length: 200 }, (_, i) => ({ external_id: `l-${i}`, payload: '{}' })));
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    const held = await h.store.lock('test');
    const stateBefore = await h.store.readState();
    await assert.rejects(h.run(), (err: unknown) => err instanceof JobInProgressError && err.message.includes(`pid ${process.pid}`));
    assert.deepEqual(await h.store.readState(), stateBefore);
    assert.equal((await h.store.listRuns()).length, 0);
    await held.release();

    // A lock left by a process that no longer exists.
    writeFileSync(path.join(h.store.dir, 'lock'), JSON.stringify({ pid: 2 ** 22 + 7, host: os.hostname(), started_at: '2020-01-01T00:00:00Z' }));
    const run = await h.run();
    assert.equal(run.status, 'success', run.error);
  } finally {
    h.cleanup();
  }
});

test('a table name shaped like SQL injection is only ever a quoted identifier', async () => {
  fx.braze.reset();
  await fx.db.query(`CREATE TABLE ingestion.victim (id int)`);
  const evil = `ingestion."evil""; DROP TABLE ingestion.victim; --"`;
  await fx.db.query(`CREATE TABLE ${evil} (updated_at timestamptz DEFAULT sysdate(), external_id varchar(256), payload varchar(65535))`);
  await fx.db.query(`INSERT INTO ${evil} (external_id, payload) VALUES ('inj', '{"ok":true}')`);
  const h = harness(fx.db, { table: evil, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    const run = await h.run();
    assert.equal(run.status, 'success', run.error);
    assert.equal(fx.braze.profiles({ external_id: 'inj' })[0]?.attributes.ok, true);
    const r = await fx.db.query(`SELECT to_regclass('ingestion.victim') AS t`);
    assert.equal(r.rows[0]?.t, 'ingestion.victim', 'the victim table survived');
    // Unquoted, the same text is not a table name at all.
    assert.throws(() => harness(fx.db, { table: 'ingestion.victim; DROP TABLE ingestion.victim', dataType: 'custom_attributes', brazeUrl: fx.braze.url }), /Invalid table name/);
  } finally {
    h.cleanup();
  }
});

test('secrets never reach state files or run records, even when the password is wrong', async () => {
  fx.braze.reset();
  const t = await table();
  await insert(t, [{ external_id: 's-1', payload: '{}' }]);
  const good = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  const bad = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url }, 'wrong-password-xyz');
  try {
    assert.equal((await good.run()).status, 'success');
    const failed = await bad.run();
    assert.equal(failed.status, 'error');
    assert.match(failed.error ?? '', /password authentication failed/);
    for (const h of [good, bad]) {
      for (const f of filesUnder(h.stateRoot)) {
        const text = readFileSync(f, 'utf8');
        for (const secret of [fx.db.password, API_KEY, 'wrong-password-xyz']) assert.ok(!text.includes(secret), `${f} contains a secret`);
      }
    }
  } finally {
    good.cleanup();
    bad.cleanup();
  }
});
