/**
 * `send: changed` against `send: all` (case `diff` of `npm run bench:sync`): a table of N profiles
 * with 8 attributes each is synced once in each mode (fresh state each), then rebuilt the way a
 * nightly model does it: every row again with a new UPDATED_AT and 1% of the attribute values
 * changed. The re-sync is timed in both modes, back to back; the local Braze server counts the
 * attributes (data points) each one delivered. Target: `send: changed` keeps at least half the
 * rows/s of `send: all`, and delivers exactly the changed attributes.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { TestPostgres } from '../test/support/postgres';
import { definition, runSync, type ServerProcess, type SyncMeasure } from './sync-process';

const ATTRIBUTES = 8;
/** One attribute value in this many changes between the two versions (1%). */
const CHANGE_EVERY = 100;

export interface DiffBenchResult {
  rows: number;
  changedAttributes: number;
  first: { all: SyncMeasure; changed: SyncMeasure };
  resync: { all: SyncMeasure; changed: SyncMeasure };
  /** Data points the Braze server received during each re-sync. */
  received: { all: number; changed: number };
  storeBytes: number;
}

/** Version 1 or 2 of every profile; version 2 changes every CHANGE_EVERY-th attribute value. */
async function insertVersion(db: TestPostgres, table: string, n: number, version: 1 | 2): Promise<void> {
  const attrs = Array.from({ length: ATTRIBUTES }, (_, k) => {
    const id = `(g::bigint * ${ATTRIBUTES} + ${k})`;
    const value = version === 1 ? id : `CASE WHEN ${id} % ${CHANGE_EVERY} = 0 THEN -${id} ELSE ${id} END`;
    return `'"a${k}":' || ${value}`;
  });
  await db.query(
    `INSERT INTO ${table} (updated_at, external_id, payload)
     SELECT '2026-11-0${version}'::timestamptz + g * interval '1 microsecond', 'user-' || lpad(g::text, 9, '0'), '{' || ${attrs.join(" || ',' || ")} || '}'
     FROM generate_series(1, ${n}) g`,
  );
}

export async function diffBench(db: TestPostgres, server: ServerProcess, tmp: string, n: number, freshState: () => string, timeoutSeconds: number): Promise<DiffBenchResult> {
  const table = `bench.diff_${n}`;
  await db.query('CREATE SCHEMA IF NOT EXISTS bench');
  await db.redshiftDdl(`CREATE TABLE ${table} (updated_at timestamptz default sysdate, external_id varchar(64), payload varchar(max))`);
  await insertVersion(db, table, n, 1);
  await db.query(`CREATE INDEX ON ${table} (updated_at)`);
  await db.query(`VACUUM ANALYZE ${table}`);
  const files = { all: definition(tmp, db, server.url, table), changed: definition(tmp, db, server.url, table, { send: 'changed' }) };
  const states = { all: freshState(), changed: freshState() };
  const sync = (mode: 'all' | 'changed') => runSync(db, { file: files[mode], stateDir: states[mode], server, concurrency: 16, timeoutSeconds });
  const received = async () => (await server.stats()).dataPoints ?? 0;

  const first = { all: await sync('all'), changed: await sync('changed') };
  await insertVersion(db, table, n, 2);
  await db.query(`VACUUM ANALYZE ${table}`);
  await db.query('CHECKPOINT');
  const before = await received();
  const all = await sync('all');
  const middle = await received();
  const changed = await sync('changed');
  const after = await received();
  // Attribute ids run from ATTRIBUTES (g = 1, k = 0) to n * ATTRIBUTES + ATTRIBUTES - 1.
  const changedAttributes = Math.floor((n * ATTRIBUTES + ATTRIBUTES - 1) / CHANGE_EVERY) - Math.floor((ATTRIBUTES - 1) / CHANGE_EVERY);
  const diffDir = readdirSync(states.changed, { recursive: true, encoding: 'utf8' }).find((p) => path.basename(p) === 'diff') ?? '';
  const storeBytes = Number(execFileSync('du', ['-sk', path.join(states.changed, diffDir)], { encoding: 'utf8' }).split('\t')[0]) * 1024;
  return { rows: n, changedAttributes, first, resync: { all, changed }, received: { all: middle - before, changed: after - middle }, storeBytes };
}

const rate = (m: SyncMeasure) => (m.seconds > 0 ? Math.round(m.rows / m.seconds) : 0);
const f = (n: number) => n.toLocaleString('en-US');

/** The report lines: [label, value, verdict]. */
export function diffLines(r: DiffBenchResult): [string, string, boolean][] {
  const { all, changed } = r.resync;
  const ratio = rate(all) > 0 ? rate(changed) / rate(all) : 0;
  return [
    [
      `re-sync of ${f(r.rows)} rows, 1% of attributes changed: send: changed rows/s ≥ ½ of send: all`,
      `${f(rate(changed))} vs ${f(rate(all))} rows/s (${ratio.toFixed(2)}); ${changed.seconds.toFixed(1)} s vs ${all.seconds.toFixed(1)} s; peak RSS ${changed.peakRssMb.toFixed(0)} vs ${all.peakRssMb.toFixed(0)} MB`,
      !changed.timedOut && !all.timedOut && ratio >= 0.5,
    ],
    [
      'attributes delivered by the re-sync: exactly the changed ones',
      `send: changed ${f(r.received.changed)} (changed: ${f(r.changedAttributes)}) · send: all ${f(r.received.all)}`,
      r.received.changed === r.changedAttributes,
    ],
    [
      'first sync (everything sent): send: changed vs send: all',
      `${f(rate(r.first.changed))} vs ${f(rate(r.first.all))} rows/s; peak RSS ${r.first.changed.peakRssMb.toFixed(0)} vs ${r.first.all.peakRssMb.toFixed(0)} MB; diff store ${(r.storeBytes / 2 ** 20).toFixed(0)} MiB on disk`,
      true,
    ],
  ];
}
