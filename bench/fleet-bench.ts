/**
 * `npm run bench:fleet` (a benchmark, not a test): what the fleet costs on the shared state
 * database. N syncs on `every 15 minutes` in one file, H scheduler hosts in this process (each with
 * its own pool, as separate hosts would have), one manual clock moved from instant to instant.
 * Every run is a real `runSync` on the real PostgreSQL state store over an empty table (a reader
 * with no rows and a Braze client with nothing to send), so what is timed is the fleet and the
 * state store, not a warehouse or Braze: claim, lease, housekeeping, state read, run records.
 *
 * Reported per (syncs, hosts): due-to-start delay (from the instant until the run's first record,
 * `run-started`) p50 / p99 / max over every run of the measured cycles, and the state database
 * round trips per run (every query any host sent, claims lost to other hosts and heartbeats
 * included), when the instant's last claim was won, and how the runs spread over the hosts.
 * Target: p99 < 2 s for 1,000 syncs over 3 hosts. Usage:
 *   npm run bench:fleet -- [--syncs 1000] [--hosts 1,3] [--cycles 2] [--history 0]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadDefinitionFile } from '../core/src/lang/load-definition';
import { connectionFingerprint } from '../core/src/state/connection-fingerprint';
import type { StateBackend } from '../core/src/state/state-backend';
import type { HostCommand, HostData, HostMessage } from './fleet-host';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres';
import { openTestStateBackend, stateUrl } from '../test/support/state-db';

const QUARTER = 15 * 60_000;

function yaml(syncs: number): string {
  const lines = ['version: 1', 'braze:', '  endpoint: http://127.0.0.1:9', '  api_key: ${env:K}', 'connections:', '  w:', '    type: redshift', '    host: 127.0.0.1', '    database: d', '    user: u', '    password: ${env:P}', '    ssl: disable', 'syncs:'];
  for (let i = 0; i < syncs; i++) lines.push(`  s${i}:`, '    connection: w', `    table: b.t${i}`, '    data_type: custom_attributes', '    schedule: every 15 minutes', '    status: active');
  return lines.join('\n') + '\n';
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function measure(syncs: number, hosts: number, cycles: number, history: number): Promise<string> {
  const db = await startTestPostgres('fleet_bench');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-fleet-bench-'));
  try {
    const filePath = path.join(dir, 'fleet.brazesync.yaml');
    writeFileSync(filePath, yaml(syncs));
    const env = { K: 'key-0000', P: 'pw' };
    const loaded = await loadDefinitionFile(filePath, { env });
    if (!loaded.file) throw new Error('bench file does not validate');
    const url = stateUrl(db, db);
    const setup: StateBackend = openTestStateBackend(url, 'brazesync');
    const at = new Date().toISOString();
    for (let i = 0; i < syncs; i++) {
      const fingerprint = connectionFingerprint(loaded.file.connections.w ?? {}, `b.t${i}`, 'custom_attributes');
      await setup.storeFor({ filePath, stateRoot: dir, syncName: `s${i}` }).writeState({ version: 1, sync: `s${i}`, last_test: { at, fingerprint } });
    }
    await setup.close();
    if (history > 0) await fillHistory(db, syncs, history);
    const hostsUp = await Promise.all(Array.from({ length: hosts }, () => startHost({ filePath, url, start: Date.UTC(2026, 5, 1, 9, 59) })));
    const delays: number[] = [];
    const lastClaims: number[] = [];
    let queries = 0;
    for (let cycle = 1; cycle <= cycles + 1; cycle++) {
      const before = await totalQueries(hostsUp);
      const instantAt = Date.now();
      const runs = hostsUp.map((h) => h.cycle(Date.UTC(2026, 5, 1, 10, 0) + (cycle - 1) * QUARTER, instantAt));
      await waitFinished(hostsUp, syncs);
      const started = runs.flatMap((r) => r());
      if (cycle === 1) continue; // the first cycle warms up pools and caches
      delays.push(...started);
      // When the statement that won the instant's last claim began (claimed_at is its now(); the
      // database runs on this machine, so its clock is ours).
      const instant = new Date(Date.UTC(2026, 5, 1, 10, 0) + (cycle - 1) * QUARTER);
      const claimed = await db.query<{ last: Date | null }>('SELECT max(claimed_at) AS last FROM brazesync.fleet_claims WHERE scheduled_for = $1', [instant]);
      lastClaims.push((claimed.rows[0]?.last?.getTime() ?? NaN) - instantAt);
      queries += (await totalQueries(hostsUp)) - before;
    }
    await Promise.all(hostsUp.map((h) => h.stop()));
    const sorted = delays.sort((a, b) => a - b);
    const runs = syncs * cycles;
    const p99 = percentile(sorted, 99);
    // Runs won by each host over every cycle (the warm-up included), most first.
    const spread = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM brazesync.fleet_claims GROUP BY host_id ORDER BY 1 DESC`);
    return `| ${syncs} | ${hosts} | ${percentile(sorted, 50)} | ${p99} | ${sorted.at(-1)} | ${Math.max(...lastClaims)} | ${spread.rows.map((r) => r.n).join(' / ')} | ${(queries / runs).toFixed(1)} | ${p99 < 2000 ? 'PASS' : 'FAIL'} |`;
  } finally {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `history` earlier runs per sync (one a quarter hour apart, as a running fleet accumulates them),
 * so each run's housekeeping reads a realistic history, not an empty one. Ids and times are
 * written as the program writes them (UTC, milliseconds, `Z`), whatever the session's time zone.
 */
async function fillHistory(db: TestPostgres, syncs: number, history: number): Promise<void> {
  await db.query(
    `INSERT INTO brazesync.runs (sync_key, id, started_at, status, host, record)
     SELECT 'fleet/s' || i, to_char(t AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS.MS"Z"') || '-hist', t, 'success', 'bench',
            jsonb_build_object('id', to_char(t AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS.MS"Z"') || '-hist', 'sync', 's' || i, 'status', 'success',
              'started_at', to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'ended_at', to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'rows_read', 100, 'rows_synced', 100, 'rows_failed', 0, 'rows_skipped', 0, 'rows_in_future', 0,
              'watermark_before', '2026-05-31T00:00:00.000000Z', 'watermark_after', '2026-05-31T00:15:00.000000Z', 'warnings', '[]'::jsonb, 'host', 'bench')
     FROM generate_series(0, $1 - 1) i, generate_series(1, $2) h, LATERAL (SELECT timestamptz '2026-06-01 10:00Z' - h * interval '15 minutes' AS t) x`,
    [syncs, history],
  );
  // What autovacuum does over the days such a history takes to build: a fleet's state database is
  // not read right after a million inserts. (The CHECKPOINT first: the test server commits
  // asynchronously, and VACUUM marks no page all-visible while its commits are not flushed.)
  await db.query('CHECKPOINT');
  await db.query('VACUUM ANALYZE brazesync.runs');
}

interface Host {
  /** Moves the host's clock to `to`; the returned function gives the delays of the runs it started. */
  cycle(to: number, instantAt: number): () => number[];
  finished(): number;
  onFinished(listener: () => void): void;
  queries(): Promise<number>;
  stop(): Promise<void>;
}

/** A scheduler host in its own worker thread (fleet-host.ts). */
function startHost(data: HostData): Promise<Host> {
  // Node 20 does not pass `--import tsx` on to workers: register tsx's require hook in the worker.
  const entry = JSON.stringify(path.join(__dirname, 'fleet-host.ts'));
  const worker = new Worker(`require('tsx/cjs'); require(${entry});`, { eval: true, workerData: data });
  let finished = 0;
  let started: number[] = [];
  const listeners: (() => void)[] = [];
  const waiting: { kind: HostMessage['kind']; resolve: (m: HostMessage) => void }[] = [];
  worker.on('message', (m: HostMessage) => {
    if (m.kind === 'started') started.push(m.delay);
    if (m.kind === 'finished') {
      finished++;
      for (const l of listeners) l();
    }
    const i = waiting.findIndex((w) => w.kind === m.kind);
    if (i >= 0) waiting.splice(i, 1)[0]?.resolve(m);
  });
  const next = (kind: HostMessage['kind']) => new Promise<HostMessage>((resolve) => waiting.push({ kind, resolve }));
  const send = (c: HostCommand) => worker.postMessage(c);
  return next('ready').then(() => ({
    cycle(to, instantAt) {
      started = [];
      send({ kind: 'advance', to, instantAt });
      return () => started;
    },
    finished: () => finished,
    onFinished: (l) => void listeners.push(l),
    async queries() {
      const reply = next('queries');
      send({ kind: 'queries' });
      return ((await reply) as { count: number }).count;
    },
    async stop() {
      const reply = next('stopped');
      send({ kind: 'stop' });
      await reply;
      await worker.terminate();
    },
  }));
}

async function totalQueries(hosts: Host[]): Promise<number> {
  return (await Promise.all(hosts.map((h) => h.queries()))).reduce((a, b) => a + b, 0);
}

/** Resolves once the hosts together finished `count` more runs. */
function waitFinished(hosts: Host[], count: number): Promise<void> {
  const target = hosts.reduce((n, h) => n + h.finished(), 0) + count;
  return new Promise((resolve) => {
    const check = () => {
      if (hosts.reduce((n, h) => n + h.finished(), 0) >= target) resolve();
    };
    for (const h of hosts) h.onFinished(check);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { syncs: { type: 'string', default: '250,1000' }, hosts: { type: 'string', default: '1,3' }, cycles: { type: 'string', default: '2' }, history: { type: 'string', default: '0' } } });
  const cycles = Number(values.cycles);
  console.log(`Fleet benchmark: ${cycles} measured cycle(s) after one warm-up, ${values.history} earlier run(s) per sync; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| syncs | hosts | due→start p50 (ms) | p99 (ms) | max (ms) | last claim (ms) | runs per host | state queries per run | p99 < 2 s |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const syncs of values.syncs.split(',').map(Number)) for (const hosts of values.hosts.split(',').map(Number)) console.log(await measure(syncs, hosts, cycles, Number(values.history)));
}

void main();
