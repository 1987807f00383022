/**
 * `npm run bench:sync` (not a test). In one run, on the same rows:
 *   1. psql `\copy (the engine's SELECT) to /dev/null` over 1,000,000 rows: the read baseline;
 *   2. `brazesync sync` end to end (PostgreSQL → local Braze server in its own process, no rate
 *      limit) over the same 1,000,000 rows, each repetition right after a `\copy`, so the ratio
 *      compares two measurements taken under the same machine load;
 *   3. peak RSS of the CLI syncing 100,000 and 1,000,000 rows;
 *   4. the CLI against the local server set to Braze's real budget (3,000 requests / 3 s), long
 *      enough for many full windows: share of the budget used, share of requests answered 429.
 * Targets: end-to-end ≥ 1/3 of \copy; RSS at 1M ≤ 1.2× RSS at 100k; ≥ 95% budget, < 1% 429.
 *
 * The machine may be shared, so every repetition is printed with the CPU seconds each process
 * used (CLI, local Braze server, PostgreSQL, psql) and the load average; the targets are judged on
 * the best repetition for throughput and on the highest peak for memory.
 *
 * Environment: BENCH_ROWS (1,000,000), BENCH_REPEAT (3), BENCH_BUDGET_SECONDS (30),
 * BENCH_BUDGET_BATCH (25 objects per request in the budget run, so the budget rather than this
 * machine's CPU is what limits it), BENCH_CLI (the built CLI), BENCH_NODE_FLAGS /
 * BENCH_SERVER_NODE_FLAGS (extra node flags, e.g. --cpu-prof), PSQL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pageQuery, planFor } from '../core/src/adapters/keyset-query';
import { definitionText } from '../test/support/cli';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres';

const CLI = process.env.BENCH_CLI ?? path.resolve(__dirname, '../dist/cli.js');
const API_KEY = 'bench-key-31f0a9';
const BIG = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SMALL = Math.round(BIG / 10);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const BUDGET_SECONDS = Number(process.env.BENCH_BUDGET_SECONDS ?? 30);
const BUDGET_BATCH = Number(process.env.BENCH_BUDGET_BATCH ?? 25);
const BRAZE_BUDGET = { limit: 3000, seconds: 3 };
const CONCURRENCY = 16;
const BUDGET_CONCURRENCY = 32;
const nodeFlags = (name: string) => process.env[name]?.split(' ').filter(Boolean) ?? [];

function psqlPath(): string {
  for (const p of [process.env.PSQL, '/usr/bin/psql', '/usr/local/bin/psql']) if (p && existsSync(p)) return p;
  throw new Error('psql not found; set PSQL=/path/to/psql');
}

// ---- CPU and memory accounting from /proc (Linux) ----

const TICKS_PER_SECOND = 100;

/** [utime+stime, cutime+cstime] of a process in seconds; undefined once it is gone. */
function cpuOf(pid: number | string): [number, number] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
    return [(Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND, (Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND];
  } catch {
    return undefined;
  }
}

function parentOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function postmasterPid(db: TestPostgres): number {
  return Number(readFileSync(path.join(db.server.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

function backends(db: TestPostgres): string[] {
  const postmaster = postmasterPid(db);
  return readdirSync('/proc').filter((pid) => /^\d+$/.test(pid) && parentOf(pid) === postmaster);
}

/** CPU seconds used so far by a PostgreSQL server: the postmaster, its live backends and the ones it reaped. */
function postgresCpu(db: TestPostgres): number {
  const [own = 0, reaped = 0] = cpuOf(postmasterPid(db)) ?? [];
  return own + reaped + backends(db).reduce((n, pid) => n + (cpuOf(pid)?.[0] ?? 0), 0);
}

/** Waits until the backends started since `before` are gone, so their CPU time has been reaped. */
async function backendsGone(db: TestPostgres, before: string[]): Promise<void> {
  for (let i = 0; i < 200 && backends(db).some((pid) => !before.includes(pid)); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** CPU seconds of this process's finished children (psql, the CLI runs). */
const reapedChildrenCpu = () => cpuOf('self')?.[1] ?? 0;

const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

// ---- fixtures ----

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

interface CopyMeasure {
  seconds: number;
  rate: number;
  cpu: { postgres: number; psql: number };
}

/** `\copy` of the engine's own page SELECT without its LIMIT: every row, same order, same columns. */
async function copyBaseline(db: TestPostgres, table: string, rows: number): Promise<CopyMeasure> {
  const cols = (await db.query<{ name: string; type: string }>(`SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = 'bench' AND table_name = $1 ORDER BY ordinal_position`, [table])).rows;
  const q = pageQuery(planFor({ sqlName: `"bench"."${table}"`, schema: 'bench', table, columns: cols }, true), { until: '2100-01-01 00:00:00+00' }, 1);
  const sql = q.text.replace(/ LIMIT \$\d+$/, '').replace('$1', `'2100-01-01 00:00:00+00'`);
  const idle = backends(db);
  const pg0 = postgresCpu(db);
  const child0 = reapedChildrenCpu();
  const started = process.hrtime.bigint();
  const r = spawnSync(psqlPath(), ['-h', db.host, '-p', String(db.port), '-U', db.user, '-d', db.database, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (${sql}) to '/dev/null'`], {
    env: { ...process.env, PGPASSWORD: db.password },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  await backendsGone(db, idle);
  return { seconds, rate: rows / seconds, cpu: { postgres: postgresCpu(db) - pg0, psql: reapedChildrenCpu() - child0 } };
}

interface ServerProcess {
  url: string;
  pid: number;
  stats(): Promise<{ requests: number; rateLimited: number; trackWindows: { start: number; used: number; rejected: number }[] }>;
  stop(): Promise<void>;
}

async function startServerProcess(budget: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeFlags('BENCH_SERVER_NODE_FLAGS'), CLI, 'braze-server', '--port', '0', '--api-key', API_KEY, '--budget', budget], { stdio: ['ignore', 'pipe', 'inherit'] });
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
    pid: child.pid ?? -1,
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

function definition(dir: string, db: TestPostgres, brazeUrl: string, table: string, batchSize?: number): string {
  const file = path.join(dir, `${table}-${Math.random().toString(36).slice(2, 8)}.brazesync.yaml`);
  const spec = { brazeUrl, host: db.host, port: db.port, database: db.database, user: db.user, table: `bench.${table}` };
  writeFileSync(file, definitionText(batchSize ? { ...spec, batchSize } : spec));
  return file;
}

interface SyncMeasure {
  seconds: number;
  rows: number;
  rate: number;
  peakRssMb: number;
  cpu: { cli: number; server: number; postgres: number };
}

/** Runs the built CLI with fresh state and samples its peak RSS (VmHWM) until it exits. */
async function runSync(file: string, stateDir: string, db: TestPostgres, server: ServerProcess, concurrency: number): Promise<SyncMeasure> {
  const idle = backends(db);
  const pg0 = postgresCpu(db);
  const server0 = cpuOf(server.pid)?.[0] ?? 0;
  const child0 = reapedChildrenCpu();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeFlags('BENCH_NODE_FLAGS'), CLI, 'sync', file, '--sync', 'users', '--json', '--state-dir', stateDir, '--concurrency', String(concurrency)], {
    env: { PATH: process.env.PATH ?? '', TEST_BRAZE_KEY: API_KEY, TEST_PG_PASSWORD: db.password },
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
  await backendsGone(db, idle);
  if (code !== 0) throw new Error(`sync exited ${code}: ${out}`);
  const result = JSON.parse(out) as { rows_synced: number; status: string };
  return {
    seconds,
    rows: result.rows_synced,
    rate: result.rows_synced / seconds,
    peakRssMb: peak / 1024,
    cpu: { cli: reapedChildrenCpu() - child0, server: (cpuOf(server.pid)?.[0] ?? 0) - server0, postgres: postgresCpu(db) - pg0 },
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
/** CPU microseconds per row. */
const perRow = (seconds: number, rows: number) => ((seconds * 1e6) / rows).toFixed(1);

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('Run `npm run build` first (npm run bench:sync does).');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'brazesync-bench-'));
  const db = await startTestPostgres('bench');
  const loadAtStart = loadAverage();
  let state = 0;
  const freshState = () => path.join(tmp, `state-${++state}`);
  try {
    console.log(`${os.cpus().length} cores, load average ${loadAtStart}. Loading ${fmt(BIG)} + ${fmt(SMALL)} rows into PostgreSQL…`);
    await createTable(db, 'rows_big', BIG);
    await createTable(db, 'rows_small', SMALL);

    // Untimed: the first read of a fresh table also pays for cold caches; neither side should.
    await copyBaseline(db, 'rows_big', BIG);

    const unlimited = await startServerProcess('1000000000/1');
    const pairs: { copy: CopyMeasure; sync: SyncMeasure; ratio: number }[] = [];
    const smalls: SyncMeasure[] = [];
    try {
      const bigFile = definition(tmp, db, unlimited.url, 'rows_big');
      const smallFile = definition(tmp, db, unlimited.url, 'rows_small');
      for (let r = 1; r <= REPEAT; r++) {
        smalls.push(await runSync(smallFile, freshState(), db, unlimited, CONCURRENCY));
        const copy = await copyBaseline(db, 'rows_big', BIG);
        const sync = await runSync(bigFile, freshState(), db, unlimited, CONCURRENCY);
        pairs.push({ copy, sync, ratio: sync.rate / copy.rate });
        console.log(
          `  #${r}: \\copy ${copy.seconds.toFixed(2)} s (${fmt(copy.rate)} rows/s; CPU µs/row postgres ${perRow(copy.cpu.postgres, BIG)}, psql ${perRow(copy.cpu.psql, BIG)})` +
            ` · sync ${sync.seconds.toFixed(2)} s (${fmt(sync.rate)} rows/s; CPU µs/row cli ${perRow(sync.cpu.cli, sync.rows)}, braze-server ${perRow(sync.cpu.server, sync.rows)}, postgres ${perRow(sync.cpu.postgres, sync.rows)})` +
            ` · ratio ${(sync.rate / copy.rate).toFixed(2)} · RSS ${fmt(SMALL)} ${smalls[smalls.length - 1]?.peakRssMb.toFixed(0)} MB, ${fmt(BIG)} ${sync.peakRssMb.toFixed(0)} MB · load ${loadAverage()}`,
        );
      }
    } finally {
      await unlimited.stop();
    }

    // Budget: enough rows for BUDGET_SECONDS at the full budget (the rows_big table is reused).
    const budgetRows = Math.min(BIG, Math.ceil(((BUDGET_SECONDS * BRAZE_BUDGET.limit) / BRAZE_BUDGET.seconds) * BUDGET_BATCH));
    await db.query(`CREATE VIEW bench.rows_budget AS SELECT * FROM bench.rows_big WHERE external_id <= $$user-${String(budgetRows).padStart(8, '0')}$$`);
    const limited = await startServerProcess(`${BRAZE_BUDGET.limit}/${BRAZE_BUDGET.seconds}`);
    let budgetRun: SyncMeasure;
    let stats: Awaited<ReturnType<ServerProcess['stats']>>;
    try {
      budgetRun = await runSync(definition(tmp, db, limited.url, 'rows_budget', BUDGET_BATCH), freshState(), db, limited, BUDGET_CONCURRENCY);
      stats = await limited.stats();
    } finally {
      await limited.stop();
    }
    // Whole windows only: the first and last are cut by the run's start and end.
    const windows = stats.trackWindows.filter((w) => w.used + w.rejected > 0).slice(1, -1);
    const used = windows.reduce((n, w) => n + w.used, 0);
    const budgetUse = windows.length > 0 ? used / (windows.length * BRAZE_BUDGET.limit) : 0;
    const rate429 = stats.requests > 0 ? stats.rateLimited / stats.requests : 0;

    const best = pairs.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const bigPeak = Math.max(...pairs.map((p) => p.sync.peakRssMb));
    const smallPeak = Math.max(...smalls.map((s) => s.peakRssMb));
    const rssRatio = bigPeak / smallPeak;
    const rows: [string, string, string][] = [
      ['psql \\copy (same SELECT), best repetition', `${fmt(best.copy.rate)} rows/s (${best.copy.seconds.toFixed(2)} s)`, ''],
      ['brazesync sync end to end, same repetition', `${fmt(best.sync.rate)} rows/s (${best.sync.seconds.toFixed(2)} s)`, ''],
      ['ratio end-to-end / \\copy (target ≥ 0.33)', `${best.ratio.toFixed(2)} (all: ${pairs.map((p) => p.ratio.toFixed(2)).join(', ')})`, verdict(best.ratio >= 1 / 3)],
      [`peak RSS, ${fmt(SMALL)} rows`, `${smallPeak.toFixed(0)} MB`, ''],
      [`peak RSS, ${fmt(BIG)} rows`, `${bigPeak.toFixed(0)} MB`, ''],
      ['RSS ratio (target ≤ 1.2)', rssRatio.toFixed(2), verdict(rssRatio <= 1.2)],
      [
        `Braze budget ${fmt(BRAZE_BUDGET.limit)} req / ${BRAZE_BUDGET.seconds} s used (target ≥ 95%)`,
        `${(budgetUse * 100).toFixed(1)}% over ${windows.length} full windows (${fmt(budgetRows)} rows, ${BUDGET_BATCH} per request, ${budgetRun.seconds.toFixed(1)} s)`,
        verdict(windows.length >= 3 && budgetUse >= 0.95),
      ],
      ['requests answered 429 (target < 1%)', `${(rate429 * 100).toFixed(2)}% of ${fmt(stats.requests)}`, verdict(rate429 < 0.01)],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log('');
    for (const [label, value, result] of rows) console.log(`${label.padEnd(width)}  ${value}${result ? `  ${result}` : ''}`);
    console.log(`machine: ${os.cpus().length} cores; load average at start ${loadAtStart}, at end ${loadAverage()} (1, 5, 15 min)`);
  } finally {
    await db.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
