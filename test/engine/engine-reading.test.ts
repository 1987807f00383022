/**
 * Reading a window on a real PostgreSQL: a read that moves to a new statement in the middle of a
 * tie group, retryable warehouse errors, a `date` UPDATED_AT, and SUPER payloads (through the
 * shims' JSON_SERIALIZE_TO_VARBYTE and JSON_SIZE) — always checked against what Braze received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePgSettings } from '../../core/src/adapters/pg-connection';
import { createRedshiftReader } from '../../core/src/adapters/redshift-reader';
import { parseTableName } from '../../core/src/model/table-name';
import { setTimeout as delay } from 'node:timers/promises';
import type { SourceReader } from '../../core/src/sync/source-reader';
import { harness, type Harness } from '../support/sync-harness';
import { recordingStatements } from '../support/recording-statements';
import { useEngineFixture } from '../support/engine-fixture';

const fx = useEngineFixture();
let seq = 0;

async function table(): Promise<string> {
  const name = `r${++seq}`;
  await fx.db.createExampleTable('ingestion', name);
  return `ingestion.${name}`;
}

/** A reader like the CLI's, with how long one statement may stream before the read moves on. */
function readerFor(h: Harness, relation: string, legMaxMs: number, statementTimeoutMs?: number) {
  const conn = h.target.file.connections.warehouse;
  if (!conn) throw new Error('no connection');
  const parsed = parseTableName(relation);
  if (!parsed.ok) throw new Error(parsed.message);
  const settings = resolvePgSettings('warehouse', conn, (n) => h.env[n], statementTimeoutMs ? { statementTimeoutMs } : {});
  return createRedshiftReader({ settings, table: parsed.name, readPayload: true, legMaxMs });
}

const attributes = () => fx.braze.stats().objects.attributes;
const lastValue = async (sequence: string) => Number((await fx.db.query<{ v: string }>(`SELECT last_value AS v FROM ${sequence}`)).rows[0]?.v);

test('a read that moves to a new statement inside tie groups sends every row once, identical rows once', async () => {
  fx.braze.reset();
  const t = await table();
  // 40 timestamps of 50 rows each, and 25 rows that duplicate others exactly.
  await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) SELECT '2026-04-01'::timestamptz + (g / 50) * interval '1 ms', 'leg-' || g, '{"n":' || g || '}' FROM generate_series(0, 1999) g`);
  await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) SELECT updated_at, external_id, payload FROM ${t} WHERE external_id LIKE 'leg-%7'`);
  // Counts the rows every statement scans, to show the read really took many statements.
  await fx.db.query(`CREATE SEQUENCE ingestion.scanned_${seq}`);
  await fx.db.query(`CREATE VIEW ${t}_v AS SELECT * FROM ${t} WHERE nextval('ingestion.scanned_${seq}') > 0`);
  const h = harness(fx.db, { table: `${t}_v`, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  const reader = readerFor(h, `${t}_v`, 0);
  try {
    const run = await h.run({ reader, chunkRows: 30 });
    assert.equal(run.status, 'success', run.error);
    assert.equal(run.rows_read, 2000);
    assert.equal(attributes(), 2000, 'no row twice, none lost');
    assert.equal(fx.braze.stats().profiles, 2000);
    assert.ok((await lastValue(`ingestion.scanned_${seq}`)) > 3 * 2200, 'the window was read by several statements');
    const again = await h.run();
    assert.equal(again.rows_read, 0);
  } finally {
    await reader.close();
    h.cleanup();
  }
});

test('backpressure reaches the warehouse: while the engine does not take rows, the server waits to send', async () => {
  const t = await table();
  const rows = 100_000;
  await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) SELECT '2026-04-04'::timestamptz + g * interval '1 ms', 'bp-' || g, '{"pad":"' || repeat('p', 300) || '"}' FROM generate_series(1, $1::int) g`, [rows]);
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  const reader = readerFor(h, t, 60_000);
  try {
    const chunks = reader.pages({ until: '2027-01-01 00:00:00+00' })[Symbol.asyncIterator]();
    let taken = (await chunks.next()).value?.length ?? 0;
    // Not taking rows for a while: the reader holds a few chunks, and PostgreSQL blocks on the socket.
    const blocked = async () => (await fx.db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM pg_stat_activity WHERE wait_event = 'ClientWrite' AND query LIKE 'SELECT "updated_at"%'`)).rows[0]?.n;
    // The backend passes through ClientWrite while the reader still fills its buffer, so one sample
    // proves nothing: it must be found waiting on two samples in a row, 200 ms apart.
    let waiting = 0;
    for (let i = 0; i < 50 && waiting < 2; i++) {
      waiting = (await blocked()) === '1' ? waiting + 1 : 0;
      if (waiting < 2) await delay(waiting ? 200 : 100);
    }
    assert.equal(waiting, 2, 'the backend waits to write to the paused socket, and stays waiting');
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) taken += next.value.length;
    assert.equal(taken, rows, 'every row arrives once the engine takes them');
  } finally {
    await reader.close();
    h.cleanup();
  }
});

test('a statement timed out while Braze set a slow pace goes on from where it was', async () => {
  fx.braze.reset();
  const t = await table();
  const rows = 20_000;
  // More than the socket buffers hold, so the statement is still sending while the engine dawdles.
  await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) SELECT '2026-04-03'::timestamptz + (g / 7) * interval '1 ms', 'slow-' || g, '{"pad":"' || repeat('p', 400) || '"}' FROM generate_series(1, $1::int) g`, [rows]);
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  const reader = readerFor(h, t, 60_000, 1000);
  // A consumer slower than the statement timeout: 40 chunks, 75 ms each (3 s against a 1 s timeout).
  const slow: SourceReader = {
    ...reader,
    async *pages(window, options) {
      for await (const chunk of reader.pages(window, options)) {
        await delay(75);
        yield chunk;
      }
    },
  };
  try {
    const run = await h.run({ reader: slow, chunkRows: 500 });
    assert.equal(run.status, 'success', run.error);
    assert.equal(attributes(), rows, 'every row once');
    assert.equal(fx.braze.stats().profiles, rows);
  } finally {
    await reader.close();
    h.cleanup();
  }
});

/** A view whose rows raise a serialization failure while the sequence is inside (from, to]. */
async function flakyView(t: string, from: number, to: number): Promise<{ view: string; sequence: string }> {
  const s = `ingestion.flaky_${++seq}`;
  await fx.db.query(`CREATE SEQUENCE ${s}`);
  await fx.db.query(`CREATE FUNCTION ${s}_check() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
    DECLARE n bigint := nextval('${s}');
    BEGIN
      IF n > ${from} AND n <= ${to} THEN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = '1023 Serializable isolation violation on table - 100, transactions forming the cycle are: 1, 2'; END IF;
      RETURN true;
    END $$`);
  await fx.db.query(`CREATE VIEW ${s}_v AS SELECT * FROM ${t} WHERE ${s}_check()`);
  return { view: `${s}_v`, sequence: s };
}

test('a serialization failure while reading is retried; one that persists fails the run with its message', async () => {
  fx.braze.reset();
  const t = await table();
  const rows = 300;
  await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) SELECT '2026-04-02'::timestamptz + g * interval '1 s', 'ser-' || g, '{}' FROM generate_series(1, $1::int) g`, [rows]);
  // The count scans every row once; then the first read statement fails, and the second one.
  const once = await flakyView(t, rows + 10, rows + 11);
  const h = harness(fx.db, { table: once.view, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    const run = await h.run();
    assert.equal(run.status, 'success', run.error);
    assert.equal(attributes(), rows);
    assert.ok((await lastValue(once.sequence)) > 2 * rows, 'the failed statement was run again (count + one read scan 2 × rows)');
  } finally {
    h.cleanup();
  }

  fx.braze.reset();
  const always = await flakyView(t, 0, Number.MAX_SAFE_INTEGER);
  const h2 = harness(fx.db, { table: always.view, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    const run = await h2.run();
    assert.equal(run.status, 'error');
    assert.match(run.error ?? '', /Serializable isolation violation/);
    assert.equal(attributes(), 0);
    assert.equal((await h2.store.readState())?.watermark ?? null, null, 'nothing committed');
  } finally {
    h2.cleanup();
  }
});

test('a date UPDATED_AT syncs, and the next run sends only later days', async () => {
  fx.braze.reset();
  const t = `ingestion.d${++seq}`;
  await fx.db.query('CREATE SCHEMA IF NOT EXISTS ingestion');
  await fx.db.query(`CREATE TABLE ${t} (updated_at date, external_id varchar(64), payload varchar(1000))`);
  await fx.db.query(`INSERT INTO ${t} SELECT date '2026-05-01' + (g % 3), 'day-' || g, '{"d":' || g || '}' FROM generate_series(1, 30) g`);
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    const first = await h.run();
    assert.equal(first.status, 'success', first.error);
    assert.equal(first.rows_read, 30);
    assert.equal(first.watermark_after, '2026-05-03T00:00:00.000000Z');
    await fx.db.query(`INSERT INTO ${t} VALUES (date '2026-05-04', 'day-late', '{}')`);
    const second = await h.run();
    assert.deepEqual([second.status, second.rows_read, second.rows_skipped], ['success', 1, 10]);
    assert.equal(attributes(), 31);
  } finally {
    h.cleanup();
  }
});

test('SUPER payloads are read through VARBYTE, past 65,535 bytes; one too large to read is a row error, not a stuck run', async () => {
  fx.braze.reset();
  const t = `ingestion.s${++seq}`;
  await fx.db.query('CREATE SCHEMA IF NOT EXISTS ingestion');
  await fx.db.redshiftDdl(`CREATE TABLE ${t} (updated_at timestamptz, external_id varchar, payload super)`);
  const big = 'b'.repeat(70_000);
  await fx.db.query(
    `INSERT INTO ${t} VALUES ('2026-05-10 00:00:01+00', 'small', json_parse('{"city":"Zürich","n":1}')), ('2026-05-10 00:00:02+00', 'wide', json_parse($1)), ('2026-05-10 00:00:03+00', 'huge', json_parse($2)), ('2026-05-10 00:00:04+00', 'after', json_parse('{"ok":true}'))`,
    [JSON.stringify({ big }), JSON.stringify({ huge: 'h'.repeat(1_100_000) })],
  );
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  try {
    const run = await h.run();
    assert.equal(run.status, 'partial', run.error);
    assert.deepEqual([run.rows_read, run.rows_synced, run.rows_failed], [4, 3, 1]);
    assert.equal(fx.braze.profiles({ external_id: 'small' })[0]?.attributes.city, 'Zürich');
    assert.equal(String(fx.braze.profiles({ external_id: 'wide' })[0]?.attributes.big).length, 70_000);
    const errors = await h.store.readRowErrors(run.id);
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.reason ?? '', /PAYLOAD is 11000\d\d bytes as JSON.*split the data/);
    assert.equal(run.watermark_after, '2026-05-10T00:00:04.000000Z', 'the watermark moved past the row that failed');
  } finally {
    h.cleanup();
  }
});

test("a preview's rows, counts and audit started together look the table up once, not once each on one connection", async () => {
  const t = await table();
  await fx.db.query(`INSERT INTO ${t} (updated_at, external_id, payload) SELECT now() - g * interval '1 minute', 'look-' || g, '{"n":' || g || '}' FROM generate_series(1, 20) g`);
  const h = harness(fx.db, { table: t, dataType: 'custom_attributes', brazeUrl: fx.braze.url });
  const isCatalog = (text: string) => /information_schema|pg_catalog|svv_|pg_class|pg_namespace/i.test(text);
  const window = { until: new Date().toISOString() };
  try {
    const alone = readerFor(h, t, 60_000);
    const single = await recordingStatements(async () => void (await alone.describe()));
    await alone.close();
    const together = readerFor(h, t, 60_000);
    const sent = await recordingStatements(async () => {
      const firstPage = (async () => {
        for await (const page of together.pages(window, { limit: 5 })) return page;
        return [];
      })();
      const [page, counts] = await Promise.all([firstPage, together.counts(window), together.audit(window, 'custom_attributes')]);
      assert.ok(page.length > 0 && counts.inWindow > 0);
    });
    await together.close();
    const lookups = single.filter((s) => isCatalog(s.text)).length;
    assert.ok(lookups > 0, 'the lookup was recorded');
    assert.equal(sent.filter((s) => isCatalog(s.text)).length, lookups);
  } finally {
    h.cleanup();
  }
});
