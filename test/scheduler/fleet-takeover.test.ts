/**
 * Three `brazesync scheduler` processes on one state database; the host running a sync is killed
 * with SIGKILL mid-run. Another host takes the run over within the documented bound (measured on
 * the database's clock), resumes from the committed watermark, and every row reaches Braze: none
 * lost, only the killed run's unsaved tail sent again; `fleet status` shows the dead host gone. No log
 * line holds the state URL or a secret.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import { loadDefinitionFile } from '../../core/src/lang/load-definition';
import type { LogEntry } from '../../core/src/scheduler/log';
import { connectionFingerprint } from '../../core/src/state/connection-fingerprint';
import { startCli } from '../support/cli';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { openTestStateBackend, stateUrl } from '../support/state-db';
import { secretsFor, writeDefinition } from './support';

const CLI = path.join(__dirname, '../../dist/cli.js');
const ROWS = 2000;
const BATCH = 5;
const LEASE_S = 3;

let db: TestPostgres;
let braze: BrazeServer;
let onRequest: (() => void) | undefined;
const cleanup: string[] = [];

before(async () => {
  [db, braze] = await Promise.all([
    startTestPostgres(),
    startBrazeServer({ port: 0, apiKeys: ['braze-key-3c9a1f77e2'], budget: { limit: 1_000_000, windowMs: 1000 }, latencyMs: 25, onRequest: () => onRequest?.() }),
  ]);
});
after(async () => {
  await braze?.close();
  await db?.stop();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

function host(env: Record<string, string>, filePath: string) {
  const child = spawn(process.execPath, [CLI, 'scheduler', filePath, '--lease-seconds', String(LEASE_S)], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const entries: LogEntry[] = [];
  const raw: string[] = [];
  let waiters: { match: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    raw.push(line);
    const entry = JSON.parse(line) as LogEntry;
    entries.push(entry);
    for (const w of waiters.filter((x) => x.match(entry))) w.resolve(entry);
    waiters = waiters.filter((x) => !x.match(entry));
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (match: (e: LogEntry) => boolean): Promise<LogEntry> => {
    const seen = entries.find(match);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
  };
  return { child, entries, raw, exit, waitFor, stderr: () => stderr };
}

test('kill -9 of the host running a sync: another host takes it over within the bound and 0 rows are lost', { timeout: 180_000 }, async () => {
  await db.createExampleTable('ingestion', 'big');
  await db.query(`INSERT INTO ingestion.big (external_id, payload) SELECT 'big-' || g, '{"n":' || g || '}' FROM generate_series(1, ${ROWS}) g`);
  const url = stateUrl(db, db);
  const env: Record<string, string> = { ...secretsFor(db), BRAZESYNC_STATE_URL: url };
  const { dir, filePath } = writeDefinition({ brazeUrl: braze.url, db, syncs: { big: { table: 'ingestion.big', schedule: 'every 15 minutes', batchSize: BATCH } } });
  cleanup.push(dir);

  // Tested, and last run yesterday: every host wants to catch up at start; one claims the run.
  const backend = openTestStateBackend(url, 'brazesync');
  const loaded = await loadDefinitionFile(filePath, { env });
  assert.ok(loaded.file);
  const store = backend.storeFor({ filePath, stateRoot: dir, syncName: 'big' });
  const fingerprint = connectionFingerprint(loaded.file.connections.warehouse ?? {}, 'ingestion.big', 'custom_attributes');
  await store.writeState({ version: 1, sync: 'big', last_test: { at: new Date().toISOString(), fingerprint } });
  const yesterday = new Date(Date.now() - 86_400_000).toISOString();
  await store.saveRun({ id: '20000101T000000.000Z-aaaaaa', sync: 'big', status: 'success', started_at: yesterday, ended_at: yesterday, rows_read: 0, rows_synced: 0, rows_failed: 0, rows_skipped: 0, rows_in_future: 0, watermark_before: null, watermark_after: null, warnings: [] });

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
