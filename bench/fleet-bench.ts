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
 * included). Target: p99 < 2 s for 1,000 syncs over 3 hosts. Usage:
 *   npm run bench:fleet -- [--syncs 1000] [--hosts 1,3] [--cycles 2]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { syncSetup } from '../core/src/app/open-sync';
import type { JobRunner } from '../core/src/app/job-runner';
import { loadDefinitionFile } from '../core/src/lang/load-definition';
import { Scheduler } from '../core/src/scheduler/scheduler';
import { connectionFingerprint } from '../core/src/state/connection-fingerprint';
import type { StateBackend } from '../core/src/state/state-backend';
import { runSync } from '../core/src/sync/engine';
import type { SourceReader } from '../core/src/sync/source-reader';
import { ManualClock } from '../test/support/scheduler-doubles';
import { startTestPostgres } from '../test/support/postgres';
import { openTestStateBackend, stateUrl } from '../test/support/state-db';

const QUARTER = 15 * 60_000;

/** An empty table with the columns custom_attributes needs. */
const emptyTable: SourceReader = {
  describe: async () => ({ sqlName: '"b"."t"', schema: 'b', table: 't', columns: [{ name: 'updated_at', type: 'timestamp with time zone' }, { name: 'external_id', type: 'character varying' }, { name: 'payload', type: 'character varying' }] }),
  counts: async () => ({ inWindow: 0, after: 0 }),
  pages: async function* () {},
  close: async () => undefined,
} as unknown as SourceReader;

const noBraze = { track: async () => ({ status: 201, objectErrors: [] }), deleteUsers: async () => ({ status: 200, deleted: 0 }) };

const emptyRun: JobRunner = async ({ target, signal, onStarted }) => {
  const { store } = syncSetup(target);
  let announced = false;
  const announcing = { ...store, saveRun: async (run: Parameters<typeof store.saveRun>[0]) => {
    await store.saveRun(run);
    if (!announced) (announced = true), onStarted?.(run.id);
  }, lock: () => store.lock('scheduler') };
  const run = await runSync({ file: target.file, syncName: target.syncName, reader: emptyTable, braze: noBraze, store: announcing, signal });
  return { kind: 'finished', run };
};

function yaml(syncs: number): string {
  const lines = ['version: 1', 'braze:', '  endpoint: http://127.0.0.1:9', '  api_key: ${env:K}', 'connections:', '  w:', '    type: redshift', '    host: 127.0.0.1', '    database: d', '    user: u', '    password: ${env:P}', '    ssl: disable', 'syncs:'];
  for (let i = 0; i < syncs; i++) lines.push(`  s${i}:`, '    connection: w', `    table: b.t${i}`, '    data_type: custom_attributes', '    schedule: every 15 minutes', '    status: active');
  return lines.join('\n') + '\n';
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function measure(syncs: number, hosts: number, cycles: number): Promise<string> {
  const db = await startTestPostgres('fleet_bench');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-fleet-bench-'));
  try {
    const filePath = path.join(dir, 'fleet.brazesync.yaml');
    writeFileSync(filePath, yaml(syncs));
    const env = { K: 'key-0000', P: 'pw' };
    const loaded = await loadDefinitionFile(filePath, { env });
    if (!loaded.file) throw new Error('bench file does not validate');
    const url = stateUrl(db, db);
    const backends: StateBackend[] = Array.from({ length: hosts }, () => openTestStateBackend(url, 'brazesync', { poolSize: 10 }));
    const setup = backends[0] as StateBackend;
    const at = new Date().toISOString();
    for (let i = 0; i < syncs; i++) {
      const fingerprint = connectionFingerprint(loaded.file.connections.w ?? {}, `b.t${i}`, 'custom_attributes');
      await setup.storeFor({ filePath, stateRoot: dir, syncName: `s${i}` }).writeState({ version: 1, sync: `s${i}`, last_test: { at, fingerprint } });
    }
    const clock = new ManualClock(new Date(Date.UTC(2026, 5, 1, 9, 59)));
    let instantAt = 0;
    let started: number[] = [];
    let finished = 0;
    let onFinished: (() => void) | undefined;
    const schedulers = backends.map(
      (state) =>
        new Scheduler({
          discover: async () => ({ files: [filePath], unreadable: [] }),
          env,
          clock,
          state,
          runJob: emptyRun,
          notifier: { notify: async () => ({ outcome: 'none' }) },
          log: (e) => {
            if (e.event === 'run-started') started.push(Date.now() - instantAt);
            if (e.event === 'run-finished' && ++finished % syncs === 0) onFinished?.();
          },
        }),
    );
    await Promise.all(schedulers.map((s) => s.start()));
    let queries = 0;
    const delays: number[] = [];
    for (let cycle = 1; cycle <= cycles + 1; cycle++) {
      const done = new Promise<void>((resolve) => (onFinished = resolve));
      started = [];
      const before = counted;
      instantAt = Date.now();
      clock.advanceTo(new Date(Date.UTC(2026, 5, 1, 10, 0) + (cycle - 1) * QUARTER));
      await done;
      if (cycle === 1) continue; // the first cycle warms up pools and caches
      delays.push(...started);
      queries += counted - before;
    }
    await Promise.all(schedulers.map((s) => s.stop()));
    await Promise.all(backends.map((b) => b.close()));
    const sorted = delays.sort((a, b) => a - b);
    const runs = syncs * cycles;
    const p99 = percentile(sorted, 99);
    return `| ${syncs} | ${hosts} | ${percentile(sorted, 50)} | ${p99} | ${sorted.at(-1)} | ${(queries / runs).toFixed(1)} | ${p99 < 2000 ? 'PASS' : 'FAIL'} |`;
  } finally {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every query any pool in this process sends to PostgreSQL. */
let counted = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  counted++;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { syncs: { type: 'string', default: '250,1000' }, hosts: { type: 'string', default: '1,3' }, cycles: { type: 'string', default: '2' } } });
  const cycles = Number(values.cycles);
  console.log(`Fleet benchmark: ${cycles} measured cycle(s) after one warm-up; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| syncs | hosts | due→start p50 (ms) | p99 (ms) | max (ms) | state queries per run | p99 < 2 s |');
  console.log('|---|---|---|---|---|---|---|');
  for (const syncs of values.syncs.split(',').map(Number)) for (const hosts of values.hosts.split(',').map(Number)) console.log(await measure(syncs, hosts, cycles));
}

void main();
