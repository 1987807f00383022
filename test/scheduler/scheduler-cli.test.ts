/**
 * The built CLI (`node dist/cli.js`): a SIGTERM in the middle of a scheduled run commits what was
 * delivered, records the run as cancelled and exits 0, and the next run sends exactly the rest;
 * `--log-format text`; `brazesync schedule` with its JSON output and errors.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { createBrazeHttpClient } from '../../core/src/adapters/braze-http';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import { loadDefinitionFile } from '../../core/src/lang/load-definition';
import type { LogEntry } from '../../core/src/scheduler/log';
import { runSync } from '../../core/src/sync/engine';
import { openSource, syncSetup } from '../../core/src/app/open-sync';
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

/** The child's stdout as parsed JSON log entries, with a way to wait for one. */
function follow(child: ChildProcess) {
  const entries: LogEntry[] = [];
  const raw: string[] = [];
  let waiters: { match: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    raw.push(line);
    const entry = JSON.parse(line) as LogEntry;
    entries.push(entry);
    for (const w of waiters.filter((x) => x.match(entry))) w.resolve(entry);
    waiters = waiters.filter((x) => !x.match(entry));
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    entries,
    raw,
    stderr: () => stderr,
    exit,
    waitFor(match: (e: LogEntry) => boolean): Promise<LogEntry> {
      const seen = entries.find(match);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
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
