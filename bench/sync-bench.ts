/**
 * `npm run bench:sync` (not a test). In one run, on the same rows:
 *   1. psql `\copy (the engine's SELECT) to /dev/null` over 1,000,000 rows: the read baseline;
 *   2. `brazesync sync` end to end (PostgreSQL → local Braze server in its own process, no rate
 *      limit) over 100,000 and 1,000,000 rows: rows/s, ratio to \copy, and peak RSS of the CLI;
 *   3. the same against the local server set to Braze's real budget (3,000 requests / 3 s): share
 *      of the budget used and share of requests answered 429.
 * Targets: end-to-end ≥ 1/3 of \copy; RSS at 1M ≤ 1.2× RSS at 100k; ≥ 95% budget, < 1% 429.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pageQuery, planFor } from '../core/src/adapters/keyset-query';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres';

const CLI = path.resolve(__dirname, '../dist/cli.js');
const API_KEY = 'bench-key-31f0a9';
const BIG = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SMALL = Math.round(BIG / 10);
const BUDGET_ROWS = Number(process.env.BENCH_BUDGET_ROWS ?? 450_000);

function psqlPath(): string {
  for (const p of [process.env.PSQL, '/usr/bin/psql', '/usr/local/bin/psql']) if (p && existsSync(p)) return p;
  throw new Error('psql not found; set PSQL=/path/to/psql');
}

async function createTable(db: TestPostgres, name: string, rows: number): Promise<void> {
  await db.createExampleTable('bench', name);
  // ~200-byte JSON payloads; three rows share each timestamp (ties cross page boundaries).
  await db.query(
    `INSERT INTO bench.${name} (updated_at, external_id, payload)
     SELECT '2026-01-01'::timestamptz + (g / 3) * interval '1 microsecond', 'user-' || lpad(g::text, 8, '0'),
            '{"first_name":"Ada","last_name":"Lovelace","home_city":"London","plan":"gold","points":' || (g % 1000) || ',"vip":' || (g % 2 = 0) || ',"tags":["a","b","c"],"signup":"2025-01-0' || (1 + g % 9) || '","score":' || (g % 97) || '.5}'
     FROM generate_series(1, $1::int) g`,
    [rows],
  );
  await db.query(`CREATE INDEX ON bench.${name} (updated_at)`);
  await db.query(`VACUUM ANALYZE bench.${name}`);
}

async function copyBaseline(db: TestPostgres, table: string): Promise<number> {
  const cols = (await db.query<{ name: string; type: string }>(`SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = 'bench' AND table_name = $1 ORDER BY ordinal_position`, [table])).rows;
  const q = pageQuery(planFor({ sqlName: `"bench"."${table}"`, schema: 'bench', table, columns: cols }, true), { until: '2100-01-01 00:00:00+00' }, 1);
  const sql = q.text.replace(/ LIMIT \$\d+$/, '').replace('$1', `'2100-01-01 00:00:00+00'`);
  const started = process.hrtime.bigint();
  const r = spawnSync(psqlPath(), ['-h', db.host, '-p', String(db.port), '-U', db.user, '-d', db.database, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (${sql}) to '/dev/null'`], {
    env: { ...process.env, PGPASSWORD: db.password },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

interface ServerProcess {
  url: string;
  stats(): Promise<{ requests: number; rateLimited: number; trackWindows: { start: number; used: number; rejected: number }[] }>;
  stop(): Promise<void>;
}

async function startServerProcess(budget: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, 'braze-server', '--port', '0', '--api-key', API_KEY, '--budget', budget], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`braze-server exited (${code}): ${out}`)));
  });
  return {
    url,
    async stats() {
      return (await (await fetch(`${url}/_local/stats`)).json()) as Awaited<ReturnType<ServerProcess['stats']>>;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

function definition(dir: string, db: TestPostgres, brazeUrl: string, table: string): string {
  const file = path.join(dir, `${table}-${Math.random().toString(36).slice(2, 8)}.brazesync.yaml`);
  writeFileSync(
    file,
    `version: 1
braze:
  endpoint: ${brazeUrl}
  api_key: \${env:BENCH_BRAZE_KEY}
connections:
  pg:
    type: redshift
    host: ${db.host}
    port: ${db.port}
    database: ${db.database}
    user: ${db.user}
    password: \${env:BENCH_PG_PASSWORD}
    ssl: disable
syncs:
  bench:
    connection: pg
    table: bench.${table}
    data_type: custom_attributes
    schedule: manual
`,
  );
  return file;
}

interface SyncMeasure {
  seconds: number;
  rows: number;
  peakRssMb: number;
}

/** Runs the built CLI and samples its peak RSS (VmHWM) until it exits. */
async function runSync(file: string, stateDir: string, db: TestPostgres, concurrency: number): Promise<SyncMeasure> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : []), ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), CLI, 'sync', file, '--sync', 'bench', '--json', '--state-dir', stateDir, '--concurrency', String(concurrency)], {
    env: { PATH: process.env.PATH ?? '', BENCH_BRAZE_KEY: API_KEY, BENCH_PG_PASSWORD: db.password },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let peak = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m?.[1]) peak = Math.max(peak, Number(m[1]));
    } catch {
      // exited
    }
  };
  const timer = setInterval(sample, 20);
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    sample();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`sync exited ${code}: ${out}`);
  const result = JSON.parse(out) as { rows_synced: number; status: string };
  return { seconds, rows: result.rows_synced, peakRssMb: peak / 1024 };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('Run `npm run build` first (npm run bench:sync does).');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'brazesync-bench-'));
  const db = await startTestPostgres('bench');
  try {
    console.log(`Loading ${fmt(BIG)} + ${fmt(SMALL)} + ${fmt(BUDGET_ROWS)} rows into PostgreSQL…`);
    await createTable(db, 'rows_big', BIG);
    await createTable(db, 'rows_small', SMALL);
    await createTable(db, 'rows_budget', BUDGET_ROWS);

    const copySeconds = await copyBaseline(db, 'rows_big');
    const copyRate = BIG / copySeconds;

    const unlimited = await startServerProcess('1000000000/1');
    let small: SyncMeasure;
    let big: SyncMeasure;
    try {
      small = await runSync(definition(tmp, db, unlimited.url, 'rows_small'), path.join(tmp, 'state-small'), db, 16);
      big = await runSync(definition(tmp, db, unlimited.url, 'rows_big'), path.join(tmp, 'state-big'), db, 16);
    } finally {
      await unlimited.stop();
    }
    const e2eRate = big.rows / big.seconds;

    const limited = await startServerProcess('3000/3');
    let budgetRun: SyncMeasure;
    let stats: Awaited<ReturnType<ServerProcess['stats']>>;
    try {
      budgetRun = await runSync(definition(tmp, db, limited.url, 'rows_budget'), path.join(tmp, 'state-budget'), db, 32);
      stats = await limited.stats();
    } finally {
      await limited.stop();
    }
    // Whole windows only: the first and last are cut by the run's start and end.
    const windows = stats.trackWindows.filter((w) => w.used + w.rejected > 0).slice(1, -1);
    const used = windows.reduce((n, w) => n + w.used, 0);
    const budgetUse = windows.length > 0 ? used / (windows.length * 3000) : 0;
    const rate429 = stats.requests > 0 ? stats.rateLimited / stats.requests : 0;

    const rssRatio = big.peakRssMb / small.peakRssMb;
    const ratio = e2eRate / copyRate;
    const ok = (b: boolean) => (b ? 'ok' : 'MISSED');
    console.log('');
    console.log(`psql \\copy (same SELECT), ${fmt(BIG)} rows:   ${copySeconds.toFixed(2)} s   ${fmt(copyRate)} rows/s`);
    console.log(`brazesync sync end to end, ${fmt(BIG)} rows:  ${big.seconds.toFixed(2)} s   ${fmt(e2eRate)} rows/s`);
    console.log(`  ratio end-to-end / \\copy: ${ratio.toFixed(2)} (target ≥ 0.33) ${ok(ratio >= 1 / 3)}`);
    console.log(`peak RSS: ${fmt(SMALL)} rows ${small.peakRssMb.toFixed(0)} MB, ${fmt(BIG)} rows ${big.peakRssMb.toFixed(0)} MB, ratio ${rssRatio.toFixed(2)} (target ≤ 1.2) ${ok(rssRatio <= 1.2)}`);
    console.log(`Braze budget 3,000 req / 3 s, ${fmt(BUDGET_ROWS)} rows in ${budgetRun.seconds.toFixed(1)} s: ${windows.length} full windows, budget used ${(budgetUse * 100).toFixed(1)}% (target ≥ 95%) ${ok(budgetUse >= 0.95)}, 429s ${(rate429 * 100).toFixed(2)}% of ${fmt(stats.requests)} requests (target < 1%) ${ok(rate429 < 0.01)}`);
    console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await db.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
