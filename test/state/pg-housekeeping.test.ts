/**
 * Housekeeping on the PostgreSQL store with a full history: a sync on a 15-minute schedule keeps
 * 1,000 runs, and a run's start (the statement that takes the lease) must bring along only the
 * runs housekeeping acts on, never the whole history. What it acts on is checked against the
 * retention rules: past RUN_RETENTION_DAYS a run goes, and once the history passes MAX_RUNS every
 * run past 90% of it goes (so the next starts have nothing to delete); the same for row errors
 * with MAX_RUNS_WITH_ERRORS, and past ROW_ERROR_RETENTION_DAYS; newer runs and their errors stay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY_MS, MAX_RUNS, MAX_RUNS_WITH_ERRORS, ROW_ERROR_RETENTION_DAYS, RUN_RETENTION_DAYS, trimmedTo } from '../../core/src/state/retention';
import { newRunId } from '../../core/src/state/run-record';
import type { SyncStateStore } from '../../core/src/state/state-store';
import { recordingStatements, type SentStatement } from '../support/recording-statements';
import { useStateDatabase } from '../support/state-db';

const fx = useStateDatabase('hk_test');

/** The runs the lease statement carried for housekeeping (ids), from its `runs` column. */
function carried(seen: SentStatement[]): string[] {
  const grant = seen.find((s) => /AS state_rows/.test(s.text));
  assert.ok(grant, 'the lease statement read the history with it');
  const runs = (grant.rows[0] as { runs: { id: string }[] | null } | undefined)?.runs ?? [];
  return runs.map((r) => r.id).sort();
}

const MINUTE = 60_000;
/** Runs of sync `key`, rank k (1 = newest) started `startedAgo(k)` ms before `now`, ids as the program makes them. */
async function addRuns(key: string, ranks: number[], now: number, startedAgo: (rank: number) => number, status = () => 'success'): Promise<void> {
  const started = ranks.map((k) => new Date(now - startedAgo(k)));
  await fx.db.query(
    `INSERT INTO hk_test.runs (sync_key, id, started_at, status, host, record)
     SELECT $1, id, started, status, 'h', jsonb_build_object('id', id, 'status', status) FROM unnest($2::text[], $3::timestamptz[], $4::text[]) AS r(id, started, status)`,
    [key, ranks.map((k, i) => newRunId(started[i] as Date, `k${k}`)), started, ranks.map(status)],
  );
}
const idsOf = async (key: string, ranks: number[]) => {
  const all = await fx.db.query<{ id: string }>(`SELECT id FROM hk_test.runs WHERE sync_key = $1 ORDER BY id DESC`, [key]);
  return ranks.map((k) => all.rows[k - 1]?.id as string);
};
const addErrors = (key: string, ids: string[]) => fx.db.query(`INSERT INTO hk_test.row_errors (sync_key, run_id, record) SELECT $1, id, '{}'::jsonb FROM unnest($2::text[]) AS id, generate_series(1, 3)`, [key, ids]);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('postgres: a start carries only the runs housekeeping acts on, never the whole history, and housekeeping keeps the rules', { timeout: 60_000 }, async () => {
  const stores = { full: fx.backend.storeFor({ filePath: '/a/crm.brazesync.yaml', stateRoot: '/unused', syncName: 'full' }), monthly: fx.backend.storeFor({ filePath: '/a/crm.brazesync.yaml', stateRoot: '/unused', syncName: 'monthly' }) };
  await stores.full.writeState({ version: 1, sync: 'full' }); // migrates the schema
  const now = Date.now();
  // A sync on 15 minutes past its 1,000 runs, one left running by a process that died, row errors on three runs.
  await addRuns('crm/full', range(1, MAX_RUNS + 5), now, (k) => k * 15 * MINUTE, () => 'success');
  const full = await idsOf('crm/full', [3, 10, 30, MAX_RUNS_WITH_ERRORS + 10]);
  await fx.db.query(`UPDATE hk_test.runs SET status = 'running' WHERE sync_key = 'crm/full' AND id = $1`, [full[0]]);
  await addErrors('crm/full', full.slice(1));
  // A monthly sync: 20 runs over 600 days, row errors 15 and 45 days ago.
  await addRuns('crm/monthly', range(1, 20), now, (k) => (k * 30 - 15) * DAY_MS);
  const monthly = await idsOf('crm/monthly', range(1, 20));
  await addErrors('crm/monthly', monthly.slice(0, 2));

  const start = (store: SyncStateStore) =>
    recordingStatements(async () => {
      const lock = await store.lock('scheduler');
      await store.housekeeping(new Date(now));
      await lock.release();
    });
  const trimmed = await idsOf('crm/full', range(trimmedTo(MAX_RUNS) + 1, MAX_RUNS + 5));
  const first = await start(stores.full);
  assert.deepEqual(carried(first), [...trimmed, full[0], full[3]].sort(), 'the runs past 900 of 1,005, the run left running, the run with errors past 45 of 60');
  assert.deepEqual(first.filter((q) => /^\s*(WITH|SELECT)/.test(q.text) && !/AS state_rows/.test(q.text)).map((q) => q.text), [], 'housekeeping read nothing more');
  assert.equal((await fx.db.query(`SELECT 1 FROM hk_test.runs WHERE sync_key = 'crm/full'`)).rowCount, trimmedTo(MAX_RUNS), 'trimmed to 900');
  const erred = async (key: string) => (await fx.db.query<{ run_id: string }>(`SELECT DISTINCT run_id FROM hk_test.row_errors WHERE sync_key = $1 ORDER BY 1`, [key])).rows.map((r) => r.run_id);
  assert.deepEqual(await erred('crm/full'), [full[2], full[1]].sort(), 'the runs within the newest 45 keep their errors');
  assert.equal((await stores.full.listRuns(3)).find((r) => r.id === full[0])?.status, 'error', 'the run left running is closed as interrupted');

  const old = await start(stores.monthly);
  const past400 = monthly.filter((_, i) => (i + 1) * 30 - 15 > RUN_RETENTION_DAYS);
  assert.deepEqual(carried(old), [...past400, monthly[1]].sort(), `the runs past ${RUN_RETENTION_DAYS} days, the run with errors past ${ROW_ERROR_RETENTION_DAYS} days`);
  assert.equal((await fx.db.query(`SELECT 1 FROM hk_test.runs WHERE sync_key = 'crm/monthly'`)).rowCount, 20 - past400.length);
  assert.deepEqual(await erred('crm/monthly'), [monthly[0]], 'errors 15 days old are kept');

  for (const store of Object.values(stores)) assert.deepEqual(carried(await start(store)), [], 'the next start carries no run at all');

  // Back up to the limit exactly: no run to drop (the two runs with errors are now past 50: their
  // errors go); one run more and the oldest runs are trimmed to 900 at once.
  await addRuns('crm/full', range(1, MAX_RUNS - trimmedTo(MAX_RUNS)), now + DAY_MS, (k) => k * MINUTE);
  assert.deepEqual(carried(await start(stores.full)), [full[2], full[1]].sort(), `${MAX_RUNS} runs: only the errors of the runs pushed past 50`);
  await addRuns('crm/full', [0], now + DAY_MS, () => 0);
  assert.equal(carried(await start(stores.full)).length, MAX_RUNS + 1 - trimmedTo(MAX_RUNS), `${MAX_RUNS + 1} runs: the oldest are trimmed to ${trimmedTo(MAX_RUNS)}`);
  assert.equal((await fx.db.query(`SELECT 1 FROM hk_test.runs WHERE sync_key = 'crm/full'`)).rowCount, trimmedTo(MAX_RUNS));
});
