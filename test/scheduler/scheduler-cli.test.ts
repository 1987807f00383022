/**
 * The built CLI (`node dist/cli.js`): a SIGTERM in the middle of a scheduled run commits what was
 * delivered, records the run as cancelled and exits 0, and the next run sends exactly the rest;
 * `--log-format text`; `brazesync schedule` with its JSON output and errors. A fleet of three
 * schedulers on one state database: the host running a sync is killed with SIGKILL mid-run, and
 * another takes it over within the documented bound (measured on the database's clock), resumes
 * from the committed watermark, and 0 rows are lost; `fleet status` shows the dead host gone.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { createBrazeHttpClient } from '../../core/src/adapters/braze-http';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import { loadDefinitionFile } from '../../core/src/lang/load-definition';
import { runSync } from '../../core/src/sync/engine';
import { openSource, syncSetup } from '../../core/src/app/open-sync';
import { startCli } from '../support/cli';
import { follow } from '../support/follow-log';
import { openTestStateBackend, stateUrl } from '../support/state-db';
import { connectionFingerprint } from '../../core/src/state/connection-fingerprint';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { recordConnectionTests, secretsFor, writeDefinition } from './support';

const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const ROWS = 3000;

let db: TestPostgres;
let braze: BrazeServer;
let onRequest: (() => void) | undefined;
const cleanup: string[] = [];

before(async () => {
  [db, braze] = await Promise.all([
    startTestPostgres(),
    // Slow answers and small batches keep the run going long enough to be interrupted.
    startBrazeServer({ port: 0, apiKeys: ['braze-key-3c9a1f77e2'], budget: { limit: 1_000_000, windowMs: 1000 }, latencyMs: 25, onRequest: () => onRequest?.() }),
  ]);
});
after(async () => {
  await braze?.close();
  await db?.stop();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

async function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { status, stdout, stderr };
}

test('SIGTERM in the middle of a scheduled run commits what was delivered, records the run as cancelled and exits 0; nothing is lost', { timeout: 120_000 }, async () => {
  await db.createExampleTable('ingestion', 'big');
  await db.query(`INSERT INTO ingestion.big (external_id, payload) SELECT 'big-' || g, '{"n":' || g || '}' FROM generate_series(1, ${ROWS}) g`);
  const env = secretsFor(db);
  const { dir, filePath, stateDir } = writeDefinition({ brazeUrl: braze.url, db, syncs: { big: { table: 'ingestion.big', schedule: 'every 15 minutes', batchSize: 5 } } });
  cleanup.push(dir);
  await recordConnectionTests(filePath, stateDir, env, ['big']);

  // A run yesterday (it saw none of today's rows): the scheduler catches up as soon as it starts.
  const loaded = await loadDefinitionFile(filePath, { stateDir, env });
  assert.ok(loaded.file);
  const target = { file: loaded.file, filePath, syncName: 'big', stateRoot: loaded.stateRoot };
  const setup = syncSetup(target);
  const source = openSource(target, setup, (n) => env[n]);
  const client = createBrazeHttpClient({ baseUrl: braze.url, apiKey: env.BRAZE_API_KEY as string });
  const yesterday = await runSync({ file: loaded.file, syncName: 'big', reader: source.reader, braze: client, store: setup.store, clock: { now: () => new Date(Date.now() - 86_400_000) } });
  await Promise.all([source.reader.close(), client.close()]);
  assert.deepEqual([yesterday.status, yesterday.rows_read], ['success', 0]);

  braze.reset();
  const firstRequest = new Promise<void>((resolve) => (onRequest = resolve));
  const child = spawn(process.execPath, [CLI, 'scheduler', filePath, '--state-dir', stateDir], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = follow(child);
  const started = await out.waitFor((e) => e.event === 'run-started');
  await firstRequest;
  onRequest = undefined;
  child.kill('SIGTERM');
  assert.equal(await out.exit, 0, out.stderr());

  const events = out.entries.map((e) => e.event);
  assert.ok(events.includes('catch-up'));
  assert.deepEqual(events.slice(events.indexOf('stopping')), ['stopping', 'run-finished', 'stopped']);
  assert.equal(out.entries.find((e) => e.event === 'stopping')?.reason, 'SIGTERM');
  const finished = out.entries.find((e) => e.event === 'run-finished');
  assert.equal(finished?.run_id, started.run_id);
  assert.equal(finished?.status, 'cancelled');
  const delivered = finished?.rows_synced ?? 0;
  assert.ok(delivered > 0 && delivered < ROWS, `stopped mid-run (${delivered} of ${ROWS} rows delivered)`);
  assert.equal(braze.stats().objects.attributes, delivered, 'every request sent before the stop finished and was committed');
  const [record] = await setup.store.listRuns(1);
  assert.deepEqual([record?.id, record?.status, record?.rows_synced], [started.run_id, 'cancelled', delivered]);
  assert.equal(record?.watermark_after, finished?.watermark);
  assert.ok(record?.watermark_after, 'the watermark was committed');

  // The next run sends exactly the rest: no row lost, none sent twice.
  // Not spawnSync: the Braze server answering it lives in this process's event loop.
  const rerun = await runCli(['sync', filePath, '--sync', 'big', '--json', '--state-dir', stateDir], env);
  assert.equal(rerun.status, 0, rerun.stderr);
  const summary = JSON.parse(rerun.stdout) as { status: string; rows_read: number };
  assert.deepEqual([summary.status, summary.rows_read], ['success', ROWS - delivered]);
  assert.equal(braze.profiles().length, ROWS);
  assert.equal(braze.stats().objects.attributes, ROWS);
  for (const line of out.raw) for (const secret of Object.values(env)) assert.ok(!line.includes(secret), 'no secret in the log');
});

test('--log-format text prints lines for people; SIGINT stops an idle scheduler with exit 0', { timeout: 60_000 }, async () => {
  const { dir, filePath, stateDir } = writeDefinition({ brazeUrl: braze.url, db, syncs: { later: { table: 'ingestion.later', schedule: 'daily at 09:00', status: 'draft' } } });
  cleanup.push(dir);
  const child = spawn(process.execPath, [CLI, 'scheduler', dir, '--state-dir', stateDir, '--log-format', 'text'], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const startedLine = new Promise<void>((resolve) =>
    createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(l);
      if (/Scheduler started/.test(l)) resolve();
    }),
  );
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await startedLine;
  child.kill('SIGINT');
  assert.equal(await exit, 0);
  assert.match(lines.join('\n'), /^\d{4}-\d\d-\d\dT\S+Z INFO  later: not scheduled: status is draft;/m);
  assert.match(lines.at(-1) ?? '', /INFO  Scheduler stopped\.$/);
  assert.ok(!lines.some((l) => l.startsWith('{')), 'no JSON in text mode');
  void filePath;
});

test('scheduler usage errors exit 2', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'scheduler', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  const none = run();
  assert.equal(none.status, 2);
  assert.match(none.stderr, /Give the definition files or folders to schedule/);
  const missing = run('/nonexistent/dir');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read \/nonexistent\/dir: no such file or directory/);
  const format = run('.', '--log-format', 'xml');
  assert.equal(format.status, 2);
  assert.match(format.stderr, /--log-format must be json or text, not 'xml'/);
});

test('brazesync schedule prints the next run times in the zone across DST, and says which syncs the scheduler runs', async () => {
  await db.createExampleTable('ingestion', 'paris');
  const env = secretsFor(db);
  const { dir, filePath, stateDir } = writeDefinition({
    brazeUrl: braze.url,
    db,
    timeZone: 'Europe/Paris',
    syncs: {
      paris: { table: 'ingestion.paris', schedule: 'daily at 09:00' },
      untested: { table: 'ingestion.untested_p', schedule: 'every 15 minutes' },
      drafty: { table: 'ingestion.drafty_p', schedule: 'weekly on monday at 02:30', status: 'draft' },
      by_hand: { table: 'ingestion.manual_p', schedule: 'manual' },
    },
  });
  cleanup.push(dir);
  await recordConnectionTests(filePath, stateDir, env, ['paris']);
  const schedule = (...args: string[]) => spawnSync(process.execPath, [CLI, 'schedule', filePath, '--state-dir', stateDir, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });

  const json = schedule('--json', '--next', '3', '--from', '2026-03-27T12:00:00Z');
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { time_zone: string; syncs: { sync: string; scheduled: boolean; reason: string | null; next_runs: string[] }[] };
  assert.equal(parsed.time_zone, 'Europe/Paris');
  const bySync = Object.fromEntries(parsed.syncs.map((s) => [s.sync, s]));
  assert.deepEqual(bySync.paris, { sync: 'paris', schedule: 'daily at 09:00', time_zone: 'Europe/Paris', status: 'active', scheduled: true, reason: null, next_runs: ['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z'] });
  assert.deepEqual([bySync.untested?.scheduled, bySync.untested?.reason], [false, 'untested-never']);
  assert.deepEqual([bySync.drafty?.reason, bySync.drafty?.next_runs[0]], ['draft', '2026-03-30T00:30:00.000Z']);
  assert.deepEqual([bySync.by_hand?.reason, bySync.by_hand?.next_runs], ['manual', []]);

  const text = schedule('--sync', 'paris', '--next', '2', '--from', '2026-03-28T12:00:00Z');
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout, 'paris: daily at 09:00 (Europe/Paris)\n  Sun 2026-03-29 09:00 CEST (07:00 UTC)\n  Mon 2026-03-30 09:00 CEST (07:00 UTC)\n');

  assert.equal(schedule('--sync', 'nope').status, 2);
  assert.match(schedule('--next', '0').stderr, /--next must be a whole number ≥ 1/);
  writeFileSync(filePath, 'version: 1\nbraze: {}\n');
  const invalid = schedule();
  assert.equal(invalid.status, 2);
  assert.match(invalid.stderr, /has validation errors/);
});

/** The hosts of a fleet: `brazesync scheduler` processes on one state database, short leases. */
const LEASE_S = 3;

function host(env: Record<string, string>, filePath: string) {
  const child = spawn(process.execPath, [CLI, 'scheduler', filePath, '--lease-seconds', String(LEASE_S)], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, ...follow(child) };
}

const BATCH = 5;

test('kill -9 of the host running a sync: another host takes it over within the bound and 0 rows are lost', { timeout: 180_000 }, async () => {
  await db.createExampleTable('ingestion', 'fleet_big');
  await db.query(`INSERT INTO ingestion.fleet_big (external_id, payload) SELECT 'fb-' || g, '{"n":' || g || '}' FROM generate_series(1, ${ROWS}) g`);
  const url = stateUrl(db, db);
  const env: Record<string, string> = { ...secretsFor(db), BRAZESYNC_STATE_URL: url };
  const { dir, filePath } = writeDefinition({ brazeUrl: braze.url, db, syncs: { big: { table: 'ingestion.fleet_big', schedule: 'every 15 minutes', batchSize: BATCH } } });
  cleanup.push(dir);

  // Tested, and last run yesterday: every host wants to catch up at start; one claims the run.
  const backend = openTestStateBackend(url, 'brazesync');
  const loaded = await loadDefinitionFile(filePath, { env });
  assert.ok(loaded.file);
  const store = backend.storeFor({ filePath, stateRoot: dir, syncName: 'big' });
  const fingerprint = connectionFingerprint(loaded.file.connections.warehouse ?? {}, 'ingestion.fleet_big', 'custom_attributes');
  await store.writeState({ version: 1, sync: 'big', last_test: { at: new Date().toISOString(), fingerprint } });
  const yesterday = new Date(Date.now() - 86_400_000).toISOString();
  await store.saveRun({ id: '20000101T000000.000Z-aaaaaa', sync: 'big', status: 'success', started_at: yesterday, ended_at: yesterday, rows_read: 0, rows_synced: 0, rows_failed: 0, rows_skipped: 0, rows_in_future: 0, watermark_before: null, watermark_after: null, warnings: [] });

  braze.reset();
  let requests = 0;
  const someDelivered = new Promise<void>((resolve) => (onRequest = () => ++requests === 40 && resolve()));
  const hosts = [0, 1, 2].map(() => host(env, filePath));
  const started = await Promise.race(hosts.map((h) => h.waitFor((e) => e.event === 'run-started').then((e) => ({ h, e }))));
  await someDelivered;
  onRequest = undefined;
  started.h.child.kill('SIGKILL');
  await started.h.exit;
  const survivors = hosts.filter((h) => h !== started.h);

  const taken = await Promise.race(survivors.map((h) => h.waitFor((e) => e.event === 'run-taken-over').then((e) => ({ h, e }))));
  assert.match(taken.e.message, new RegExp(`^big: took over the run of .* from \\S+ \\(pid ${started.h.child.pid}\\), which stopped before finishing it; it resumes from the last recorded watermark\\.$`));
  const done = await taken.h.waitFor((e) => e.event === 'run-finished');
  assert.equal(done.status, 'success', done.message);

  // The bound, on the database's clock: the dead host's last heartbeat to the take-over.
  const claim = await db.query<{ attempts: number; late_ms: number }>(
    `SELECT c.attempts, (extract(epoch FROM c.claimed_at - h.heartbeat_at) * 1000)::int AS late_ms
     FROM brazesync.fleet_claims c JOIN brazesync.fleet_hosts h ON h.host = c.taken_over_from WHERE c.sync_key = $1`,
    [`${path.basename(filePath).replace('.brazesync.yaml', '')}/big`],
  );
  assert.equal(claim.rows[0]?.attempts, 2);
  const lateMs = claim.rows[0]?.late_ms ?? Infinity;
  assert.ok(lateMs <= (LEASE_S * 4_000) / 3 + 1_000, `taken over ${lateMs} ms after the dead host's last heartbeat (bound 4/3 of the ${LEASE_S} s lease)`);

  assert.equal(braze.profiles().length, ROWS, 'no row lost');
  // Sent again: only the killed run's unsaved tail, as for a kill -9 on files (cli-crash.test.ts):
  // requests in flight, a round held back by the contiguous-prefix rule, a round not saved yet.
  const resent = braze.stats().objects.attributes - ROWS;
  assert.ok(resent >= 0 && resent <= 16 * BATCH * 3, `only the unsaved tail was sent again (${resent} objects)`);
  const [last, killed] = await store.listRuns(2);
  assert.equal(last?.status, 'success');
  assert.deepEqual([killed?.status, killed?.interrupted], ['error', true], 'the killed run is recorded as interrupted');

  // What `fleet status` tells an operator now: the killed host is gone, the run counted once.
  // Not spawnSync: the PostgreSQL server's output is read by this process's event loop.
  const status = await startCli(['fleet', 'status', '--json'], { BRAZESYNC_STATE_URL: url }).done;
  assert.equal(status.code, 0, status.stderr);
  const fleet = JSON.parse(status.stdout) as { hosts: { host: string; alive: boolean; runs: { due: number; started: number } }[] };
  assert.deepEqual(fleet.hosts.map((h) => h.alive).sort(), [false, true, true]);
  assert.equal(fleet.hosts.find((h) => !h.alive)?.host.endsWith(`(pid ${started.h.child.pid})`), true);
  assert.equal(fleet.hosts.reduce((n, h) => n + h.runs.started, 0), 1, 'the run is counted once, on the host that finished it');
  assert.ok(!status.stdout.includes(url));

  for (const h of survivors) h.child.kill('SIGTERM');
  for (const h of survivors) assert.equal(await h.exit, 0, h.stderr());
  for (const h of hosts) for (const line of [...h.raw, h.stderr()]) for (const secret of [url, db.password, env.BRAZE_API_KEY ?? '']) assert.ok(!line.includes(secret), 'no secret in the logs');
  await backend.close();
});
