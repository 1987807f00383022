/**
 * Housekeeping on the PostgreSQL store with a full history: a sync on a 15-minute schedule keeps
 * 1,000 runs, and a run's start (the statement that takes the lease) must bring along only the
 * runs housekeeping acts on, never the whole history. What it acts on is checked against the
 * retention rules: past MAX_RUNS or RUN_RETENTION_DAYS a run goes; past MAX_RUNS_WITH_ERRORS or
 * ROW_ERROR_RETENTION_DAYS its row errors go; newer runs and their errors stay.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { DAY_MS, MAX_RUNS, MAX_RUNS_WITH_ERRORS, ROW_ERROR_RETENTION_DAYS, RUN_RETENTION_DAYS } from '../../core/src/state/retention';
import type { StateBackend } from '../../core/src/state/state-backend';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { openTestStateBackend, stateUrl } from '../support/state-db';

let db: TestPostgres;
let backend: StateBackend;

before(async () => {
  db = await startTestPostgres();
  backend = openTestStateBackend(stateUrl(db, db), 'hk_test');
});
after(async () => {
  await backend?.close();
  await db?.stop();
});

type Result = { rows?: unknown[] };
type Query = (this: pg.Client, ...args: unknown[]) => unknown;

/** Runs `body` while recording, for every statement sent, its text and how many rows came back. */
async function recordingRows(body: () => Promise<void>): Promise<{ text: string; rows: unknown[] }[]> {
  const seen: { text: string; rows: unknown[] }[] = [];
  const original = pg.Client.prototype.query as Query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : String((first as { text?: string }).text);
    const note = (res: Result | undefined) => void seen.push({ text, rows: res?.rows ?? [] });
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, res: Result) => (note(res), (last as (e: unknown, r: Result) => void)(err, res));
      return original.apply(this, args);
    }
    const out = original.apply(this, args);
    if (out instanceof Promise) void out.then(note, () => undefined);
    return out;
  } as typeof pg.Client.prototype.query;
  try {
    await body();
  } finally {
    pg.Client.prototype.query = original as typeof pg.Client.prototype.query;
  }
  return seen;
}

/** The runs the lease statement carried for housekeeping (ids), from its `runs` column. */
function carried(seen: { text: string; rows: unknown[] }[]): string[] {
  const grant = seen.find((s) => /AS state_rows/.test(s.text));
  assert.ok(grant, 'the lease statement read the history with it');
  const runs = (grant.rows[0] as { runs: { id: string }[] | null } | undefined)?.runs ?? [];
  return runs.map((r) => r.id).sort();
}

test('postgres: a start with 1,000 runs in the history carries only the runs housekeeping acts on, and acts by the rules', { timeout: 60_000 }, async () => {
  const ref = { filePath: '/a/crm.brazesync.yaml', stateRoot: '/unused', syncName: 'full' };
  const store = backend.storeFor(ref);
  await store.writeState({ version: 1, sync: 'full' }); // migrates the schema
  const total = MAX_RUNS + 5;
  const now = Date.now();
  // rank k (1 = newest) is run i = total - k, one every 15 minutes back from now.
  const idOf = (rank: number) => `r${String(total - rank).padStart(5, '0')}`;
  const ageOfRank: Record<number, number> = { 20: (RUN_RETENTION_DAYS + 5) * DAY_MS, 10: (ROW_ERROR_RETENTION_DAYS + 5) * DAY_MS };
  await db.query(
    `INSERT INTO hk_test.runs (sync_key, id, started_at, status, host, record)
     SELECT 'crm/full', id, to_timestamp(started / 1000.0), 'success', 'h', jsonb_build_object('id', id, 'status', 'success')
     FROM unnest($1::text[], $2::float8[]) AS r(id, started)`,
    [Array.from({ length: total }, (_, k) => idOf(k + 1)), Array.from({ length: total }, (_, k) => now - (ageOfRank[k + 1] ?? k * 15 * 60_000))],
  );
  // Row errors on a run past the newest 50, an old one, and one recent enough to keep.
  const erred = [MAX_RUNS_WITH_ERRORS + 10, 10, 30].map(idOf);
  await db.query(`INSERT INTO hk_test.row_errors (sync_key, run_id, record) SELECT 'crm/full', id, '{}'::jsonb FROM unnest($1::text[]) AS id, generate_series(1, 3)`, [erred]);

  const expected = [MAX_RUNS + 1, MAX_RUNS + 2, MAX_RUNS + 3, MAX_RUNS + 4, MAX_RUNS + 5, 20, 10, MAX_RUNS_WITH_ERRORS + 10].map(idOf).sort();
  const start = () =>
    recordingRows(async () => {
      const lock = await store.lock('scheduler');
      await store.housekeeping(new Date(now));
      await lock.release();
    });
  const first = await start();
  assert.deepEqual(carried(first), expected, 'the start carried the runs past 1,000 or 400 days, and those with row errors past 50 runs or 30 days');
  assert.deepEqual(first.filter((s) => /^\s*(WITH|SELECT)/.test(s.text) && !/AS state_rows/.test(s.text)).map((s) => s.text), [], 'housekeeping read nothing more');

  const kept = await db.query<{ id: string }>(`SELECT id FROM hk_test.runs WHERE sync_key = 'crm/full'`);
  assert.equal(kept.rowCount, MAX_RUNS - 1, 'the 5 runs past 1,000 and the one past 400 days are gone');
  assert.ok(!kept.rows.some((r) => r.id === idOf(20)));
  const errors = await db.query<{ run_id: string }>(`SELECT DISTINCT run_id FROM hk_test.row_errors WHERE sync_key = 'crm/full'`);
  assert.deepEqual(errors.rows.map((r) => r.run_id), [idOf(30)], 'only the recent run within the newest 50 keeps its row errors');

  assert.deepEqual(carried(await start()), [], 'the next start carries no run at all');
});
