/**
 * Batched claims on the real state database: two hosts (two pools, two FleetMembers) claim every
 * run due at two instants at once, in overlapping batches. Each run goes to exactly one host, a
 * sync the hosts follow in different versions goes to neither and each host is told so with the
 * other's version, the instants stored are the ones asked (to the millisecond), a run asked twice
 * in one batch is won once, and a batch that cannot reach the database rejects every claim in it.
 * Claims are paced by the runs won starting: a host slow to start its runs claims little and a
 * fast one the rest, each run once; a host whose runs never start still claims its whole line;
 * a stopping host withdraws the claims it has not sent.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { SyncSlot } from '../../core/src/scheduler/definition-set';
import { DefinitionSet } from '../../core/src/scheduler/definition-set';
import { definitionHash, FleetMember } from '../../core/src/scheduler/fleet-member';
import { CLAIM_BATCH, type PacedClaim } from '../../core/src/scheduler/claim-queue';

/** A backlog small against the test's 400 runs, so pacing shows. */
const BACKLOG = 25;
import type { FleetCoordinator } from '../../core/src/state/fleet';
import type { PgStateBackend } from '../../core/src/adapters/pg-state/pg-state-backend';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { openTestStateBackend, stateUrl } from '../support/state-db';
import { secretsFor, writeDefinition, type SyncLine } from './support';

/** More than two batches of 50 per instant, so the hosts' batches overlap. */
const SYNCS = 120;
/** Followed in another version by host B. */
const DIFFERENT = new Set(['s7', 's63']);
/** Milliseconds included: what is stored must be exactly what was asked. */
const INSTANTS = [new Date(Date.UTC(2026, 5, 1, 10, 15, 0, 123)), new Date(Date.UTC(2026, 5, 1, 10, 30))];

let db: TestPostgres;
const backends: PgStateBackend[] = [];
const cleanup: string[] = [];

before(async () => {
  db = await startTestPostgres();
});
after(async () => {
  await Promise.all(backends.map((b) => b.close().catch(() => undefined)));
  await db?.stop();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

async function slotsOf(version: 'a' | 'b', count = SYNCS): Promise<SyncSlot[]> {
  const syncs: Record<string, SyncLine> = {};
  for (let i = 0; i < count; i++) syncs[`s${i}`] = { table: `fleet.s${i}`, schedule: 'every 15 minutes', ...(version === 'b' && DIFFERENT.has(`s${i}`) ? { batchSize: 10 } : {}) };
  const def = writeDefinition({ brazeUrl: 'http://127.0.0.1:9', db, syncs });
  cleanup.push(def.dir);
  const set = new DefinitionSet({ discover: async () => ({ files: [def.filePath], unreadable: [] }), env: secretsFor(db) });
  const { all } = await set.reload();
  assert.equal(all.length, count);
  return all;
}

/** A host on its own pool; `batches` records the size of every claim statement it sends. */
function host(schema = 'claims_test', limitMs?: number): { member: FleetMember; fleet: FleetCoordinator; backend: PgStateBackend; batches: number[] } {
  const backend = openTestStateBackend(stateUrl(db, db), schema);
  backends.push(backend);
  const batches: number[] = [];
  const fleet: FleetCoordinator = { ...backend.fleet, claim: (requests) => (batches.push(requests.length), backend.fleet.claim(requests)) };
  return { member: new FleetMember(fleet, 60_000, limitMs === undefined ? undefined : { backlog: BACKLOG, limitMs }), fleet, backend, batches };
}

/** A host that starts each run it wins as soon as the claim is answered. */
function startAtOnce(claim: Promise<PacedClaim>): Promise<PacedClaim> {
  return claim.then((r) => (r.kind === 'claimed' && r.started(), r));
}

test('two hosts claiming the same due runs in batches: each run to exactly one host, a version mismatch reported per sync', { timeout: 120_000 }, async () => {
  const [slotsA, slotsB] = await Promise.all([slotsOf('a'), slotsOf('b')]);
  const a = host();
  const b = host();
  await a.member.join(slotsA);
  await b.member.join(slotsB);
  // s1 passed Test Connection: whoever wins its runs gets that record with the claim.
  const lastTest = { at: '2026-06-01T09:00:00.000Z', fingerprint: 'f1' };
  const s1 = slotsA[1] as SyncSlot;
  await a.backend.storeFor({ filePath: s1.target.filePath, stateRoot: '', syncName: 's1' }).writeState({ version: 1, sync: 's1', last_test: lastTest });

  // Every claim asked in one turn of the event loop, as the scheduler does when they come due.
  const ask = (h: ReturnType<typeof host>, slots: SyncSlot[]) => INSTANTS.flatMap((at) => slots.map((slot) => startAtOnce(h.member.claim(slot, at))));
  const pendingA = ask(a, slotsA);
  const pendingB = ask(b, slotsB);
  const [resultsA, resultsB] = await Promise.all([Promise.all(pendingA), Promise.all(pendingB)]);

  // Batches of 50 at most: 240 claims in 5 statements per host, not 240.
  for (const h of [a, b]) assert.deepEqual([...h.batches].sort((x, y) => y - x), [50, 50, 50, 50, 40]);

  const byRun = (results: PacedClaim[], slots: SyncSlot[]) => new Map<string, PacedClaim | undefined>(INSTANTS.flatMap((at, k) => slots.map((slot, i) => [`${slot.target.syncName} ${at.toISOString()}`, results[k * SYNCS + i]] as const)));
  const gotA = byRun(resultsA, slotsA);
  const gotB = byRun(resultsB, slotsB);
  const hashOf = (slots: SyncSlot[], name: string) => definitionHash(slots.find((s) => s.target.syncName === name) as SyncSlot);
  for (const [run, ra] of gotA) {
    const rb = gotB.get(run);
    const sync = run.split(' ')[0] ?? '';
    if (DIFFERENT.has(sync)) {
      // Neither host runs it; each is told which host follows which other version.
      assert.deepEqual(ra, { kind: 'mismatch', others: [{ host: b.fleet.host, defHash: hashOf(slotsB, sync) }] }, run);
      assert.deepEqual(rb, { kind: 'mismatch', others: [{ host: a.fleet.host, defHash: hashOf(slotsA, sync) }] }, run);
    } else {
      assert.deepEqual([ra?.kind, rb?.kind].sort(), ['claimed', 'taken'], `${run}: won by exactly one host`);
      const won = ra?.kind === 'claimed' ? ra : rb;
      assert.deepEqual(won?.kind === 'claimed' && won.tested, { last_test: sync === 's1' ? lastTest : null }, `${run}: the test record comes with the claim`);
    }
  }

  // The database agrees: one claim per run, by the host told it won, at exactly the instant asked.
  const rows = await db.query<{ sync_key: string; scheduled_for: Date; host: string }>('SELECT sync_key, scheduled_for, host FROM claims_test.fleet_claims');
  assert.equal(rows.rowCount, (SYNCS - DIFFERENT.size) * INSTANTS.length);
  for (const row of rows.rows) {
    const at = INSTANTS.find((i) => i.getTime() === row.scheduled_for.getTime());
    assert.ok(at, `${row.sync_key} claimed for ${row.scheduled_for.toISOString()}, an instant nobody asked for`);
    const run = `${row.sync_key.split('/')[1]} ${at.toISOString()}`;
    assert.equal(row.host, gotA.get(run)?.kind === 'claimed' ? a.fleet.host : b.fleet.host, run);
  }

  // The same run asked twice in one batch is won once (which request wins depends on where the
  // host's random offset starts the batch).
  const third = new Date(Date.UTC(2026, 5, 1, 10, 45));
  const twice = await Promise.all([startAtOnce(a.member.claim(slotsA[1] as SyncSlot, third)), startAtOnce(a.member.claim(slotsA[1] as SyncSlot, third))]);
  assert.deepEqual(twice.map((r) => r.kind).sort(), ['claimed', 'taken']);

  // A host whose database is gone: every claim of every batch is rejected, none left hanging.
  const gone = host();
  await gone.backend.close();
  const outcomes = await Promise.allSettled(slotsA.map((slot) => gone.member.claim(slot, third)));
  assert.equal(gone.batches.length, 3);
  assert.deepEqual(new Set(outcomes.map((o) => o.status)), new Set(['rejected']));
});

test('claims paced by starts: a host slow to start its runs claims little, the fast one the rest, each run once; runs that never start do not stop the claims; a stopping host withdraws the rest', { timeout: 120_000 }, async () => {
  const count = 400;
  const slots = await slotsOf('a', count);
  // The pace limit far beyond the test: the slow host is held back only by its own runs.
  const fast = host('pacing_test', 600_000);
  const slow = host('pacing_test', 600_000);
  await fast.member.join(slots);
  await slow.member.join(slots);
  const at = new Date(Date.UTC(2026, 5, 1, 11, 0));

  // The slow host's runs start only once the fast host has had every claim answered.
  let fastDone!: () => void;
  const fastAnswered = new Promise<void>((resolve) => (fastDone = resolve));
  const startLate = (claim: Promise<PacedClaim>) => claim.then((r) => (r.kind === 'claimed' && void fastAnswered.then(() => r.started()), r));
  const pendingSlow = slots.map((slot) => startLate(slow.member.claim(slot, at)));
  const pendingFast = slots.map((slot) => startAtOnce(fast.member.claim(slot, at)));
  const resultsFast = await Promise.all(pendingFast);
  fastDone();
  const resultsSlow = await Promise.all(pendingSlow);

  const won = (results: PacedClaim[]) => results.flatMap((r, i) => (r.kind === 'claimed' ? [slots[i]?.target.syncName] : []));
  const [byFast, bySlow] = [won(resultsFast), won(resultsSlow)];
  // Exactly once: every run to one host, none to both.
  assert.equal(byFast.length + bySlow.length, count);
  assert.equal(new Set([...byFast, ...bySlow]).size, count);
  for (const r of [...resultsFast, ...resultsSlow]) assert.ok(r.kind === 'claimed' || r.kind === 'taken', r.kind);
  // The slow host stopped claiming while its runs waited: at most one batch more than it may
  // leave unstarted. The fast host claimed the rest.
  assert.ok(bySlow.length <= BACKLOG + CLAIM_BATCH, `the slow host claimed ${bySlow.length}`);
  assert.ok(byFast.length >= count - BACKLOG - CLAIM_BATCH, `the fast host claimed ${byFast.length}`);
  // Both went through their whole line, a batch to a statement.
  for (const h of [fast, slow]) assert.equal(h.batches.reduce((n, b) => n + b, 0), count);
  const rows = await db.query<{ n: number; runs: number; hosts: number }>('SELECT count(*)::int AS n, count(DISTINCT sync_key)::int AS runs, count(DISTINCT host_id)::int AS hosts FROM pacing_test.fleet_claims WHERE scheduled_for = $1', [at]);
  assert.deepEqual(rows.rows[0], { n: count, runs: count, hosts: bySlow.length ? 2 : 1 });

  // A host alone whose runs never start: each batch waits the pace limit at most, then goes out.
  const stuck = host('pacing_test', 20);
  await stuck.member.join(slots);
  const later = new Date(Date.UTC(2026, 5, 1, 11, 15));
  const resultsStuck = await Promise.all(slots.map((slot) => stuck.member.claim(slot, later)));
  assert.equal(resultsStuck.filter((r) => r.kind === 'claimed').length, count);
  assert.equal(stuck.batches.length, count / CLAIM_BATCH);

  // A host that stops once its first batch is answered (its runs not started): the rest of its line
  // is withdrawn, never sent, and so is any claim asked after.
  const stopping = host('pacing_test', 600_000);
  await stopping.member.join(slots);
  const last = new Date(Date.UTC(2026, 5, 1, 11, 30));
  const pendingStopping = slots.map((slot) => stopping.member.claim(slot, last));
  await Promise.race(pendingStopping);
  stopping.member.withdrawClaims();
  const resultsStopping = await Promise.all([...pendingStopping, stopping.member.claim(slots[0] as SyncSlot, last)]);
  assert.deepEqual(stopping.batches, [CLAIM_BATCH]);
  const kinds = resultsStopping.map((r) => r.kind);
  assert.equal(kinds.filter((k) => k === 'claimed').length, CLAIM_BATCH);
  assert.equal(kinds.filter((k) => k === 'withdrawn').length, count + 1 - CLAIM_BATCH);
  const claimedLast = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pacing_test.fleet_claims WHERE scheduled_for = $1', [last]);
  assert.equal(claimedLast.rows[0]?.n, CLAIM_BATCH);
});
