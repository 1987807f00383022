/**
 * The engine side of `npm run bench:sync`, run as a user runs it: the built CLI (`brazesync sync`)
 * in its own process against the local Braze server in another, so the measured time and peak RSS
 * are those of the real command, start-up included.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { definitionText } from '../test/support/cli';
import type { TestPostgres } from '../test/support/postgres';
import { backends, backendsGone, cpuOf, postgresCpu, reapedChildrenCpu, watchPeakRss } from './proc-stats';

export const CLI = process.env.BENCH_CLI ?? path.resolve(__dirname, '../dist/cli.js');
const API_KEY = 'bench-key-31f0a9';
const nodeFlags = (name: string) => process.env[name]?.split(' ').filter(Boolean) ?? [];

export interface ServerProcess {
  url: string;
  pid: number;
  stats(): Promise<{ requests: number; rateLimited: number; dataPoints?: number; trackWindows: { start: number; used: number; rejected: number }[] }>;
  stop(): Promise<void>;
}

/** `brazesync braze-server` with the given `/users/track` budget (REQUESTS/SECONDS). */
export async function startServerProcess(budget: string): Promise<ServerProcess> {
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
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

let definitions = 0;

/** A one-sync definition file reading `table` through `port` (PostgreSQL or a proxy in front of it). */
export function definition(dir: string, db: TestPostgres, brazeUrl: string, table: string, options: { port?: number; batchSize?: number; send?: string } = {}): string {
  const file = path.join(dir, `sync-${++definitions}.brazesync.yaml`);
  const spec = { brazeUrl, host: db.host, port: options.port ?? db.port, database: db.database, user: db.user, table };
  writeFileSync(file, definitionText({ ...spec, ...(options.batchSize ? { batchSize: options.batchSize } : {}), ...(options.send ? { send: options.send } : {}) }));
  return file;
}

export interface SyncMeasure {
  seconds: number;
  rows: number;
  peakRssMb: number;
  /** The run was killed at the time limit: `seconds` is a lower bound and `rows` what it had synced. */
  timedOut: boolean;
  cpu: { cli: number; server: number; postgres: number };
  /** What the run recorded about waiting on the warehouse (seconds). */
  read?: { firstRow: number; wait: number };
}

export interface SyncRun {
  file: string;
  stateDir: string;
  server: ServerProcess;
  concurrency: number;
  timeoutSeconds: number;
}

/** Runs the built CLI with fresh state, following its peak RSS, and kills it at the time limit. */
export async function runSync(db: TestPostgres, run: SyncRun): Promise<SyncMeasure> {
  const idle = backends(db);
  const pg0 = postgresCpu(db);
  const server0 = cpuOf(run.server.pid)?.[0] ?? 0;
  const child0 = reapedChildrenCpu();
  const started = process.hrtime.bigint();
  const args = [...nodeFlags('BENCH_NODE_FLAGS'), CLI, 'sync', run.file, '--sync', 'users', '--json', '--state-dir', run.stateDir, '--concurrency', String(run.concurrency)];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', TEST_BRAZE_KEY: API_KEY, TEST_PG_PASSWORD: db.password },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rss = watchPeakRss(child.pid ?? -1);
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    rss.sample();
  });
  let timedOut = false;
  const limit = setTimeout(() => {
    timedOut = true;
    rss.sample();
    child.kill('SIGKILL');
  }, run.timeoutSeconds * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(limit);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMb = rss.stopMb();
  // A killed client's backend may go on scanning and sorting until it next writes: stop it, so it
  // does not slow the runs after it.
  if (timedOut) await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`);
  await backendsGone(db, idle);
  const cpu = { cli: reapedChildrenCpu() - child0, server: (cpuOf(run.server.pid)?.[0] ?? 0) - server0, postgres: postgresCpu(db) - pg0 };
  if (timedOut) return { seconds, rows: 0, peakRssMb, timedOut, cpu };
  if (code !== 0) throw new Error(`sync exited ${code}: ${out}`);
  const result = JSON.parse(out) as { rows_synced: number };
  const read = lastRunRead(run.stateDir);
  return { seconds, rows: result.rows_synced, peakRssMb, timedOut, cpu, ...(read ? { read } : {}) };
}

/** The read timing of the newest run recorded under `stateDir` (one sync per fresh state dir). */
function lastRunRead(stateDir: string): SyncMeasure['read'] {
  const runs = readdirSync(stateDir, { recursive: true, encoding: 'utf8' }).filter((f) => /[/\\]runs[/\\][^/\\]+\.json$/.test(f)).sort();
  const newest = runs[runs.length - 1];
  if (!newest) return undefined;
  const record = JSON.parse(readFileSync(path.join(stateDir, newest), 'utf8')) as { read?: { first_row_ms: number; wait_ms: number } };
  return record.read && { firstRow: record.read.first_row_ms / 1000, wait: record.read.wait_ms / 1000 };
}
