/**
 * The scheduler with a manual clock, running real syncs: PostgreSQL (standing in for Redshift),
 * the local Braze server, the real job runner, and emails through a real SMTP server. It runs the
 * due syncs, skips draft, manual and untested ones, skips a tick while a run is still going,
 * catches up once after downtime, and emails the contacts for a failing connection and for a run
 * over the row-error threshold, with no secret in any email or log line.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import { createNotifier } from '../../core/src/notify/notifier';
import { startTestSmtpServer, type TestSmtpServer } from '../support/test-smtp-server';
import { createJobRunner } from '../../core/src/app/job-runner';
import { formatLogEntry } from '../../core/src/scheduler/log';
import { Scheduler } from '../../core/src/scheduler/scheduler';
import { LogRecorder, ManualClock } from '../support/scheduler-doubles';
import { createFileStateStore } from '../../core/src/state/file-state-store';
import { syncStateDir } from '../../core/src/state/state-location';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { recordConnectionTests, secretsFor, writeDefinition } from './support';

let db: TestPostgres;
let braze: BrazeServer;
let smtp: TestSmtpServer;

before(async () => {
  [db, braze, smtp] = await Promise.all([
    startTestPostgres(),
    startBrazeServer({ port: 0, apiKeys: ['braze-key-3c9a1f77e2'], budget: { limit: 1_000_000, windowMs: 1000 } }),
    startTestSmtpServer({ users: { bot: 'smtp-pass-58b0de' } }),
  ]);
});
after(async () => {
  await Promise.all([braze?.close(), smtp?.close()]);
  await db?.stop();
});

const QUARTER = 15 * 60_000;
const nextQuarter = (d: Date) => new Date(Math.floor(d.getTime() / QUARTER) * QUARTER + QUARTER);
const externalIds = () => new Set(braze.profiles().map((p) => p.external_id));

async function load(table: string, prefix: string, count: number, payload = (i: number) => `{"n":${i}}`): Promise<void> {
  for (let i = 1; i <= count; i++) await db.query(`INSERT INTO ${table} (external_id, payload) VALUES ($1, $2)`, [`${prefix}${i}`, payload(i)]);
}

test('runs due syncs against PostgreSQL and Braze, skips the rest, skips overlapping ticks, catches up once, and emails the contacts', { timeout: 120_000 }, async () => {
  for (const t of ['active', 'drafty', 'by_hand', 'untested', 'rowerrs', 'broken']) await db.createExampleTable('ingestion', t);
  await load('ingestion.active', 'A', 5);
  await load('ingestion.drafty', 'D', 2);
  await load('ingestion.by_hand', 'M', 2);
  await load('ingestion.untested', 'U', 2);
  await load('ingestion.rowerrs', 'R', 10, (i) => (i <= 3 ? `{"n": ${i},` : `{"n":${i}}`)); // 3 of 10 rows are invalid JSON
  await load('ingestion.broken', 'B', 2);

  const env: Record<string, string> = { ...secretsFor(db), BROKEN_PG_PASSWORD: db.password };
  const { dir, filePath, stateDir } = writeDefinition({
    brazeUrl: braze.url,
    db,
    connections: { rotated: 'BROKEN_PG_PASSWORD' },
    syncs: {
      active: { table: 'ingestion.active', schedule: 'every 15 minutes' },
      drafty: { table: 'ingestion.drafty', schedule: 'every 15 minutes', status: 'draft' },
      by_hand: { table: 'ingestion.by_hand', schedule: 'manual' },
      untested: { table: 'ingestion.untested', schedule: 'every 15 minutes' },
      rowerrs: { table: 'ingestion.rowerrs', schedule: 'every 15 minutes' },
      broken: { table: 'ingestion.broken', schedule: 'every 15 minutes', connection: 'rotated', contacts: ['oncall@example.com', 'data-eng@example.com'] },
    },
    notifications: [
      'notifications:',
      '  smtp:',
      `    host: ${smtp.host}`,
      `    port: ${smtp.port}`,
      '    user: bot',
      '    password: ${env:SMTP_PASSWORD}',
      '    from: Braze Sync <brazesync@example.com>',
      '  row_error_threshold: 20',
      '',
    ].join('\n'),
  });
  try {
    await recordConnectionTests(filePath, stateDir, env, ['active', 'drafty', 'by_hand', 'rowerrs', 'broken']);
    // The password of `rotated` changes after its test passed: its runs fail to authenticate.
    env.BROKEN_PG_PASSWORD = 'rotated-wrong-pw-91ac';
    const lookup = (n: string) => env[n];
    const log = new LogRecorder();
    const lines: string[] = [];
    const start = new Date();
    const clock = new ManualClock(start);
    const make = (c: ManualClock) =>
      new Scheduler({
        discover: async () => ({ files: [filePath], unreadable: [] }),
        env,
        stateDir,
        clock: c,
        runJob: createJobRunner({ env: lookup, owner: 'scheduler' }),
        notifier: createNotifier({ env: lookup }),
        log: (e) => {
          log.log(e);
          lines.push(formatLogEntry(e, 'json'));
        },
      });
    const scheduler = make(clock);
    await scheduler.start();
    const tick1 = nextQuarter(start);
    assert.deepEqual(clock.nextTimer, tick1);

    // Tick 1: active, rowerrs and broken run; untested is skipped; draft and manual never run.
    clock.advanceTo(tick1);
    const [active1, rowerrs1, broken1] = await Promise.all(['active', 'rowerrs', 'broken'].map((s) => log.waitFor((e) => e.event === 'run-finished' && e.sync === s)));
    assert.deepEqual([active1?.status, active1?.rows_synced], ['success', 5]);
    assert.deepEqual([rowerrs1?.status, rowerrs1?.rows_synced, rowerrs1?.rows_failed], ['partial', 7, 3]);
    assert.equal(broken1?.status, 'error');
    assert.match(broken1?.error ?? '', /password authentication failed/);
    assert.equal((await log.waitFor((e) => e.event === 'run-skipped' && e.sync === 'untested')).reason, 'untested-never');
    const ids = externalIds();
    for (const id of ['A1', 'A5', 'R4', 'R10']) assert.ok(ids.has(id), `${id} reached Braze`);
    for (const id of ['D1', 'M1', 'U1', 'R1', 'B1']) assert.ok(!ids.has(id), `${id} was not sent`);
    assert.deepEqual(log.events('sync-not-scheduled').map((e) => [e.sync, e.reason]), [['drafty', 'draft'], ['by_hand', 'manual']]);

    // The two emails: a failing connection, and a run over the row-error threshold.
    await log.waitForCount('notification-sent', undefined, 2);
    const mails = Object.fromEntries(smtp.mails.map((m) => [m.subject, m]));
    const error = mails['[brazesync] Error in sync broken'];
    assert.ok(error, `error email (got: ${Object.keys(mails).join(' | ')})`);
    assert.deepEqual(error.to, ['oncall@example.com', 'data-eng@example.com']);
    assert.equal(error.user, 'bot');
    assert.match(error.text, new RegExp(`^Run: +${broken1?.run_id}$`, 'm'));
    assert.match(error.text, /^Rows: +read 0, synced 0, failed 0$/m);
    assert.match(error.text, /Error:\n {2}.*password authentication failed/);
    assert.match(error.text, /Fix:\n {2}Check the connection's user and the password in its \$\{env:…\} variable/);
    const rows = mails['[brazesync] Row errors in sync rowerrs: 3 of 10 rows failed (30%)'];
    assert.ok(rows, `row-error email (got: ${Object.keys(mails).join(' | ')})`);
    assert.deepEqual(rows.to, ['data-eng@example.com']);
    assert.match(rows.text, new RegExp(`--run ${rowerrs1?.run_id}`));
    assert.match(rows.text, /^Rows: +read 10, synced 7, failed 3$/m);
    assert.ok(!smtp.mails.some((m) => m.subject.includes('active')), 'a clean run sends nothing');
    for (const m of smtp.mails) assert.doesNotMatch(m.raw, /"n": ?\d/, 'no payload in an email');

    // Tick 2 while `active` is held by a lock on its table: the run starts and waits; tick 3 is skipped.
    env.BROKEN_PG_PASSWORD = db.password;
    await load('ingestion.active', 'A', 3, (i) => `{"late":${i}}`);
    const locker = await startLockedTable('ingestion.active');
    let mark = log.entries.length;
    clock.advanceTo(new Date(tick1.getTime() + QUARTER));
    const held = await log.waitFor((e) => e.event === 'run-started' && e.sync === 'active', mark);
    clock.advanceTo(new Date(tick1.getTime() + 2 * QUARTER));
    const skipped = await log.waitFor((e) => e.event === 'run-skipped' && e.sync === 'active', mark);
    assert.deepEqual([skipped.reason, skipped.run_id], ['previous-run-still-going', held.run_id]);
    await locker.release();
    const active2 = await log.waitFor((e) => e.event === 'run-finished' && e.run_id === held.run_id, mark);
    assert.deepEqual([active2.status, active2.rows_read], ['success', 3]);
    assert.equal(log.entries.slice(mark).filter((e) => e.event === 'run-started' && e.sync === 'active').length, 1, 'the skipped tick was not queued');
    await log.waitFor((e) => e.event === 'run-finished' && e.sync === 'broken' && e.status === 'success', mark);
    await scheduler.stop();

    // Downtime: a new scheduler three hours later runs each missed sync once, then keeps the grid.
    const activeRuns = async () => (await createFileStateStore(syncStateDir(stateDir, filePath, 'active')).listRuns()).length;
    const before = await activeRuns();
    const later = new ManualClock(new Date(tick1.getTime() + 12 * QUARTER + 7 * 60_000));
    mark = log.entries.length;
    const restarted = make(later);
    await restarted.start();
    const catchUps = log.entries.slice(mark).filter((e) => e.event === 'catch-up').map((e) => e.sync);
    assert.deepEqual(catchUps.sort(), ['active', 'broken', 'rowerrs']);
    await Promise.all(catchUps.map((s) => log.waitFor((e) => e.event === 'run-finished' && e.sync === s, mark)));
    assert.equal(await activeRuns(), before + 1, 'one catch-up run, not one per missed tick');
    assert.deepEqual(later.nextTimer, new Date(tick1.getTime() + 13 * QUARTER));
    await restarted.stop();

    for (const secret of [db.password, 'rotated-wrong-pw-91ac', 'smtp-pass-58b0de', 'braze-key-3c9a1f77e2']) {
      assert.ok(!lines.some((l) => l.includes(secret)), 'no secret in the log');
      assert.ok(!smtp.mails.some((m) => m.raw.includes(secret)), 'no secret in an email');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Holds an ACCESS EXCLUSIVE lock on `table` in an open transaction until released. */
async function startLockedTable(table: string): Promise<{ release(): Promise<void> }> {
  const pg = await import('pg');
  const client = new pg.default.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return {
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}
