/**
 * Three schedulers (three hosts of one fleet) on one shared state database, the same definitions,
 * one clock: for several cycles every due run of every sync happens exactly once (counted from
 * the logs, the history, the fleet's claims and the Braze server's received objects), every host
 * runs its share, and a host that follows another version of a definition stops every
 * host from running it, each saying why.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import { createJobRunner } from '../../core/src/app/job-runner';
import { loadDefinitionFile } from '../../core/src/lang/load-definition';
import { Scheduler } from '../../core/src/scheduler/scheduler';
import { connectionFingerprint } from '../../core/src/state/connection-fingerprint';
import type { ClaimRequest } from '../../core/src/state/fleet';
import type { StateBackend } from '../../core/src/state/state-backend';
import { LogRecorder, ManualClock } from '../support/scheduler-doubles';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { openTestStateBackend, stateUrl } from '../support/state-db';
import { secretsFor, writeDefinition } from './support';

const SYNCS = 50;
const CYCLES = 3;
const QUARTER = 15 * 60_000;

let db: TestPostgres;
let braze: BrazeServer;
const cleanup: string[] = [];

before(async () => {
  [db, braze] = await Promise.all([startTestPostgres(), startBrazeServer({ port: 0, apiKeys: ['braze-key-3c9a1f77e2'], budget: { limit: 1_000_000, windowMs: 1000 } })]);
});
after(async () => {
  await braze?.close();
  await db?.stop();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

const names = Array.from({ length: SYNCS }, (_, i) => `s${i}`);

async function addRows(cycle: number, perTable: number): Promise<void> {
  await db.query(
    `DO $$ BEGIN FOR i IN 0..${SYNCS - 1} LOOP EXECUTE format('INSERT INTO fleet.s%s (external_id, payload) SELECT ''s%s-c${cycle}-'' || g, ''{}'' FROM generate_series(1, ${perTable}) g', i, i); END LOOP; END $$`,
  );
}

/**
 * 50 syncs fit in one claim statement, so whichever host's statement reaches the database first
 * wins a whole instant, and on two shared cores that can be one host every time. To see runs on
 * every host, each instant has a leader: the other hosts' claims for it wait until the leader's
 * first claim for it has been answered.
 */
function claimsLedBy(backends: StateBackend[], leaderOf: (instant: Date) => number): StateBackend[] {
  const answered = new Map<number, { promise: Promise<void>; resolve: () => void }>();
  const turn = (instant: number) => {
    let entry = answered.get(instant);
    if (!entry) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      answered.set(instant, (entry = { promise, resolve }));
    }
    return entry;
  };
  return backends.map((backend, host) => {
    const fleet = backend.fleet;
    if (!fleet) throw new Error('no fleet');
    const claim = async (requests: readonly ClaimRequest[]) => {
      const instants = [...new Set(requests.map((r) => r.scheduledFor.getTime()))];
      const leads = (t: number) => leaderOf(new Date(t)) === host;
      await Promise.all(instants.filter((t) => !leads(t)).map((t) => turn(t).promise));
      try {
        return await fleet.claim(requests);
      } finally {
        for (const t of instants.filter(leads)) turn(t).resolve();
      }
    };
    return { ...backend, fleet: { ...fleet, claim } };
  });
}

test('three hosts run every due run of 50 syncs exactly once per cycle; a definition the hosts disagree on runs nowhere', { timeout: 240_000 }, async () => {
  await db.query('CREATE SCHEMA fleet');
  for (const n of names) await db.createExampleTable('fleet', n);
  await db.query(`GRANT USAGE ON SCHEMA fleet TO ${db.user}`);
  await addRows(1, 2);
  const env = secretsFor(db);
  const spec = { brazeUrl: braze.url, db, syncs: Object.fromEntries(names.map((n) => [n, { table: `fleet.${n}`, schedule: 'every 15 minutes' }])) };
  const a = writeDefinition(spec);
  const c = writeDefinition(spec);
  cleanup.push(a.dir, c.dir);
  const url = stateUrl(db, db);
  const backends: StateBackend[] = [0, 1, 2].map(() => openTestStateBackend(url, 'fleet_state'));
  const leaderOf = (instant: Date) => Math.round((instant.getTime() - Date.UTC(2026, 5, 1, 10, 0)) / QUARTER) % 3;

  // Every sync passed Test Connection (recorded in the shared state, as `brazesync test-connection` would).
  const loaded = await loadDefinitionFile(a.filePath, { env });
  assert.ok(loaded.file);
  const at = new Date().toISOString();
  for (const n of names) {
    const fingerprint = connectionFingerprint(loaded.file.connections.warehouse ?? {}, `fleet.${n}`, 'custom_attributes');
    await backends[0]?.storeFor({ filePath: a.filePath, stateRoot: a.stateDir, syncName: n }).writeState({ version: 1, sync: n, last_test: { at, fingerprint } });
  }

  const clock = new ManualClock(new Date(Date.UTC(2026, 5, 1, 10, 14)));
  const logs = [0, 1, 2].map(() => new LogRecorder());
  const schedulers = claimsLedBy(backends, leaderOf).map(
    (state, i) =>
      new Scheduler({
        discover: async () => ({ files: [i === 2 ? c.filePath : a.filePath], unreadable: [] }),
        env,
        clock,
        state,
        runJob: createJobRunner({ env: (k) => env[k], owner: 'scheduler' }),
        notifier: { notify: async () => ({ outcome: 'none' }) },
        log: logs[i]?.log ?? (() => undefined),
      }),
  );
  await Promise.all(schedulers.map((s) => s.start()));
  const finished = () => logs.reduce((n, l) => n + l.events('run-finished').length, 0);
  const waitFinished = async (n: number) => {
    while (finished() < n) await Promise.race(logs.map((l) => l.waitFor((e) => e.event === 'run-finished', l.entries.length)));
  };

  const instants: Date[] = [];
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    if (cycle === 3) await addRows(3, 1);
    const instant = new Date(Date.UTC(2026, 5, 1, 10, 0) + cycle * QUARTER);
    instants.push(instant);
    clock.advanceTo(instant);
    await waitFinished(cycle * SYNCS);
  }

  // Host C now follows another version of s0: no host runs it; each says so.
  writeFileSync(c.filePath, readFileSync(c.filePath, 'utf8').replace(/(  s0:\n(?:    .*\n)*?    status: active\n)/, '$1    batch_size: 10\n'));
  await schedulers[2]?.reload();
  const mismatches = logs.map((l) => l.waitFor((e) => e.event === 'definition-mismatch'));
  clock.advanceTo(new Date(instants.at(-1)!.getTime() + QUARTER));
  await waitFinished((CYCLES + 1) * SYNCS - 1);
  const said = await Promise.all(mismatches);
  for (const e of said) assert.match(e.message, /^s0: not run at .*: .* \(version [0-9a-f]{16}\) follows? another version of this sync than this host \(version [0-9a-f]{16}\)\. No host runs it until every host has the same definition file\.$/);
  assert.equal(logs.flatMap((l) => l.events('run-started', 's0')).length, CYCLES, 's0 did not run in the last cycle');

  await Promise.all(schedulers.map((s) => s.stop()));
  await Promise.all(backends.map((b) => b.close()));

  // Every run exactly once: in the logs, the claims and the history; every row reached Braze once.
  const started = logs.flatMap((l) => l.events('run-started')).filter((e) => Date.parse(e.scheduled_for ?? '') <= instants.at(-1)!.getTime());
  const perRun = new Map<string, number>();
  for (const e of started) perRun.set(`${e.sync} ${e.scheduled_for}`, (perRun.get(`${e.sync} ${e.scheduled_for}`) ?? 0) + 1);
  assert.equal(perRun.size, SYNCS * CYCLES, 'every sync ran at every instant');
  assert.ok([...perRun.values()].every((n) => n === 1), 'no run twice');
  const claims = await db.query<{ n: number; hosts: number }>(`SELECT count(*)::int AS n, count(DISTINCT host_id)::int AS hosts FROM fleet_state.fleet_claims WHERE outcome = 'success' AND scheduled_for <= $1`, [instants.at(-1)]);
  assert.deepEqual([claims.rows[0]?.n], [SYNCS * CYCLES]);
  assert.equal(claims.rows[0]?.hosts, 3, 'every host ran the runs of the instant it led');
  const runs = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fleet_state.runs WHERE status = 'success' AND sync_key <> 'warehouse/s0' GROUP BY sync_key`);
  assert.deepEqual(new Set(runs.rows.map((r) => r.n)), new Set([CYCLES + 1]), 'one run per cycle in the history');
  assert.equal(runs.rowCount, SYNCS - 1);
  assert.equal(braze.stats().objects.attributes, SYNCS * 3, 'each row sent once');
  assert.equal(braze.profiles().length, SYNCS * 3);

});
