/**
 * The built CLI (`node dist/cli.js`, run `npm run build` first) against a real PostgreSQL and the
 * local Braze server: JSON output and exit codes, config errors, test-connection diagnoses,
 * preview, watermark and history, the cross-process job lock, and kill -9 at random points.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const API_KEY = 'cli-test-key-0d9f8e7c6b5a';
const READER_PASSWORD = 'reader-pw-5c4b3a29';

let db: TestPostgres;
let braze: BrazeServer;
let requestHook: (() => void) | undefined;
let dir: string;

before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` before these tests');
  db = await startTestPostgres();
  braze = await startBrazeServer({ port: 0, apiKeys: [API_KEY], budget: { limit: 1_000_000, windowMs: 1000 }, latencyMs: 2, onRequest: () => requestHook?.() });
  dir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-cli-'));
  await db.createExampleTable('ingestion', 'users');
  await db.createReader('braze_user', READER_PASSWORD, ['ingestion.users']);
});
after(async () => {
  await braze?.close();
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let fileSeq = 0;
function definition(table: string, extra: { ssl?: string; user?: string; batchSize?: number; dataType?: string } = {}): string {
  const file = path.join(dir, `f${++fileSeq}.brazesync.yaml`);
  writeFileSync(
    file,
    `version: 1
braze:
  endpoint: ${braze.url}
  api_key: \${env:TEST_BRAZE_KEY}
connections:
  warehouse:
    type: redshift
    host: 127.0.0.1
    port: ${db.port}
    database: ${db.database}
    user: ${extra.user ?? 'braze_user'}
    password: \${env:TEST_PG_PASSWORD}
    ssl: ${extra.ssl ?? 'disable'}
syncs:
  users:
    connection: warehouse
    table: ${table}
    data_type: ${extra.dataType ?? 'custom_attributes'}
    schedule: manual
${extra.batchSize ? `    batch_size: ${extra.batchSize}\n` : ''}`,
  );
  return file;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Result> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', TEST_BRAZE_KEY: API_KEY, TEST_PG_PASSWORD: READER_PASSWORD, BRAZESYNC_STATE_DIR: path.join(dir, 'state'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Result>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

const run = (args: string[], env?: Record<string, string>) => cli(args, env).done;

function stateFiles(): string[] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(path.join(d, n)).isDirectory() ? walk(path.join(d, n)) : [path.join(d, n)]));
  return existsSync(path.join(dir, 'state')) ? walk(path.join(dir, 'state')) : [];
}

function assertNoSecrets(...texts: string[]): void {
  for (const t of [...texts, ...stateFiles().map((f) => readFileSync(f, 'utf8'))]) {
    for (const secret of [API_KEY, READER_PASSWORD, db.password]) assert.ok(!t.includes(secret), 'a secret leaked');
  }
}

test('sync --json prints exactly the promised shape; exit codes for success and partial', async () => {
  braze.reset();
  await db.query(`INSERT INTO ingestion.users (external_id, payload) SELECT 'cli-' || g, '{"n":' || g || '}' FROM generate_series(1, 200) g`);
  const file = definition('ingestion.users');
  const first = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['sync', 'status', 'rows_read', 'rows_synced', 'rows_failed', 'watermark']);
  assert.deepEqual([out.sync, out.status, out.rows_read, out.rows_synced, out.rows_failed], ['users', 'success', 200, 200, 0]);
  assert.match(String(out.watermark), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);

  await db.query(`INSERT INTO ingestion.users (external_id, payload) VALUES ('cli-bad', 'not json'), ('cli-201', '{}')`);
  const partial = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(partial.code, 3);
  assert.deepEqual(JSON.parse(partial.stdout), { ...JSON.parse(partial.stdout), status: 'partial', rows_read: 2, rows_synced: 1, rows_failed: 1 });

  const history = await run(['history', file, '--sync', 'users', '--json']);
  const runs = JSON.parse(history.stdout) as { status: string; id: string }[];
  assert.deepEqual(runs.map((r) => r.status), ['partial', 'success']);
  const errors = await run(['history', file, '--sync', 'users', '--run', runs[0]?.id ?? '', '--json']);
  assert.match(errors.stdout, /not valid JSON/);
  assertNoSecrets(first.stdout, first.stderr, partial.stdout, history.stdout, errors.stdout);
});

test('config problems exit 2: validation errors, unknown sync, missing environment variable', async () => {
  const bad = path.join(dir, 'bad.brazesync.yaml');
  writeFileSync(bad, readFileSync(definition('ingestion.users'), 'utf8').replace('custom_attributes', 'custom_atributes'));
  const invalid = await run(['sync', bad, '--sync', 'users']);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /validation errors/);

  const file = definition('ingestion.users');
  const unknown = await run(['sync', file, '--sync', 'nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /No sync named "nope"/);

  const missing = await run(['sync', file, '--sync', 'users'], { TEST_PG_PASSWORD: '' });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /TEST_PG_PASSWORD is not set/);
});

test('test-connection passes, records the test, and turns failures into fixes', async () => {
  const file = definition('ingestion.users');
  const ok = await run(['test-connection', file, '--sync', 'users', '--json', '--limit', '3']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const result = JSON.parse(ok.stdout) as { ok: boolean; recorded: boolean; preview: { objects: unknown[] } };
  assert.equal(result.ok, true);
  assert.equal(result.recorded, true);
  assert.equal(result.preview.objects.length <= 3, true);

  const auth = await run(['test-connection', file, '--sync', 'users'], { TEST_PG_PASSWORD: 'wrong-password' });
  assert.equal(auth.code, 1);
  assert.match(auth.stdout, /Authentication failed for user braze_user/);

  const missingTable = await run(['test-connection', definition('ingestion.nowhere'), '--sync', 'users']);
  assert.match(missingTable.stdout, /CREATE TABLE "ingestion"\."nowhere"/);

  await db.query('CREATE TABLE ingestion.secret_table (updated_at timestamptz, external_id varchar(256), payload varchar(65535))');
  const denied = await run(['test-connection', definition('ingestion.secret_table'), '--sync', 'users']);
  assert.match(denied.stdout, /GRANT SELECT ON TABLE "ingestion"\."secret_table" TO "braze_user"/);

  const tls = await run(['test-connection', definition('ingestion.users', { ssl: 'require' }), '--sync', 'users']);
  assert.match(tls.stdout, /does not accept TLS/);

  await db.query('CREATE TABLE ingestion.no_payload (updated_at timestamptz, external_id varchar(256))');
  await db.query('GRANT SELECT ON ingestion.no_payload TO braze_user');
  const columns = await run(['test-connection', definition('ingestion.no_payload'), '--sync', 'users']);
  assert.match(columns.stdout, /no PAYLOAD column/);
  assertNoSecrets(ok.stdout, auth.stdout, auth.stderr);
});

test('preview sends nothing and leaves the watermark; watermark --set/--reset move it', async () => {
  braze.reset();
  await db.query('CREATE TABLE ingestion.pv (updated_at timestamptz, external_id varchar(256), payload varchar(65535))');
  await db.query('GRANT SELECT ON ingestion.pv TO braze_user');
  await db.query(`INSERT INTO ingestion.pv VALUES ('2026-05-01 00:00:00.5+00', 'p1', '{"a":1}'), ('2026-05-02 00:00:00+00', 'p2', '{"a":2}'), ('2026-05-03 00:00:00+00', 'p3', 'oops')`);
  const file = definition('ingestion.pv');
  const preview = await run(['preview', file, '--sync', 'users', '--json']);
  assert.equal(preview.code, 0, preview.stderr);
  const p = JSON.parse(preview.stdout) as { pending_rows: number; objects: unknown[]; row_errors: unknown[]; watermark: unknown };
  assert.deepEqual([p.pending_rows, p.objects.length, p.row_errors.length, p.watermark], [3, 2, 1, null]);
  assert.equal(braze.stats().requests, 0);

  const set = await run(['watermark', file, '--sync', 'users', '--set', '2026-05-02T00:00:00Z', '--json']);
  assert.deepEqual(JSON.parse(set.stdout), { sync: 'users', watermark: '2026-05-02T00:00:00.000000Z' });
  const after = await run(['sync', file, '--sync', 'users', '--json']);
  assert.deepEqual(JSON.parse(after.stdout), { sync: 'users', status: 'partial', rows_read: 2, rows_synced: 1, rows_failed: 1, watermark: '2026-05-03T00:00:00.000000Z' });
  assert.equal(braze.profiles({ external_id: 'p1' }).length, 0);
  await run(['watermark', file, '--sync', 'users', '--reset']);
  const shown = await run(['watermark', file, '--sync', 'users', '--json']);
  assert.deepEqual(JSON.parse(shown.stdout), { sync: 'users', watermark: null });
});

/** Resolves once the Braze server has received `count` more API requests. */
function afterRequests(count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    requestHook = () => {
      if (++seen === count) {
        requestHook = undefined;
        resolve();
      }
    };
  });
}

test('one job per sync across processes: the second start names the pid and changes nothing', async () => {
  braze.reset();
  await db.query('CREATE TABLE ingestion.lk (updated_at timestamptz, external_id varchar(256), payload varchar(65535))');
  await db.query('GRANT SELECT ON ingestion.lk TO braze_user');
  await db.query(`INSERT INTO ingestion.lk SELECT '2026-06-01'::timestamptz + g * interval '1 ms', 'lk-' || g, '{}' FROM generate_series(1, 3000) g`);
  const file = definition('ingestion.lk', { batchSize: 5 });
  const started = afterRequests(3);
  const first = cli(['sync', file, '--sync', 'users', '--json', '--concurrency', '1']);
  await started;
  const second = await run(['sync', file, '--sync', 'users', '--json']);
  assert.equal(second.code, 1);
  assert.match(second.stderr, new RegExp(`Another job is in progress for this sync \\(pid ${first.child.pid}`));
  const done = await first.done;
  assert.equal(done.code, 0, done.stderr);
  assert.equal(JSON.parse(done.stdout).rows_synced, 3000);
});

test('kill -9 at random points loses no row and never commits past delivery', async () => {
  braze.reset();
  await db.query('CREATE TABLE ingestion.k9 (updated_at timestamptz, external_id varchar(256), payload varchar(65535))');
  await db.query('GRANT SELECT ON ingestion.k9 TO braze_user');
  // 2,400 rows, four per timestamp, so kills also land inside tie groups.
  await db.query(`INSERT INTO ingestion.k9 SELECT '2026-07-01'::timestamptz + (g / 4) * interval '1 ms', 'k9-' || g, '{"n":' || g || '}' FROM generate_series(1, 2400) g`);
  const file = definition('ingestion.k9', { batchSize: 7 });
  const stateFile = () => stateFiles().find((f) => f.includes(`${path.basename(file).replace('.brazesync.yaml', '')}${path.sep}users${path.sep}state.json`));
  const delivered = () => new Set(braze.profiles().flatMap((p) => (p.external_id ? [p.external_id] : [])));
  const kills = 5;
  for (let i = 0; i < kills; i++) {
    const k = 1 + Math.floor(Math.random() * 40);
    const reached = afterRequests(k);
    const proc = cli(['sync', file, '--sync', 'users', '--json', '--concurrency', '4']);
    const finished = await Promise.race([reached.then(() => false), proc.done.then(() => true)]);
    if (!finished) proc.child.kill('SIGKILL');
    await proc.done;
    requestHook = undefined;
    // Watermark never ahead of delivery: every row below it, and every boundary row, reached Braze.
    const f = stateFile();
    if (!f) continue;
    const state = JSON.parse(readFileSync(f, 'utf8')) as { watermark?: { updated_at: string; boundary_keys: string[] } | null };
    if (!state.watermark) continue;
    const got = delivered();
    const below = await db.query<{ external_id: string }>('SELECT external_id FROM ingestion.k9 WHERE updated_at < $1', [state.watermark.updated_at]);
    for (const r of below.rows) assert.ok(got.has(r.external_id), `${r.external_id} is below the watermark but was never delivered (kill ${i}, after ${k} requests)`);
    const at = await db.query<{ n: string }>('SELECT COUNT(*) AS n FROM ingestion.k9 WHERE updated_at = $1', [state.watermark.updated_at]);
    assert.ok(state.watermark.boundary_keys.length <= Number(at.rows[0]?.n));
  }
  const final = await run(['sync', file, '--sync', 'users', '--json']);
  assert.ok(final.code === 0, final.stderr);
  const got = delivered();
  assert.equal(got.size, 2400, 'no row lost');
  // Duplicates only from each killed run's uncommitted tail: requests in flight plus at most one
  // more round held back by the contiguous-prefix rule (concurrency 4 × batch 7 × 3 per kill).
  const duplicates = braze.stats().objects.attributes - 2400;
  assert.ok(duplicates <= kills * 4 * 7 * 3, `too many duplicates: ${duplicates}`);
  const runs = JSON.parse((await run(['history', file, '--sync', 'users', '--json'])).stdout) as { status: string; interrupted?: boolean }[];
  assert.equal(runs[0]?.status, 'success');
  assert.ok(runs.slice(1).every((r) => r.status !== 'running'), 'interrupted runs are marked by the next run');
});
