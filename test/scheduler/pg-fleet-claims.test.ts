/**
 * Batched claims on the real state database: two hosts (two pools, two FleetMembers) claim every
 * run due at two instants at once, in overlapping batches. Each run goes to exactly one host, a
 * sync the hosts follow in different versions goes to neither and each host is told so with the
 * other's version, the instants stored are the ones asked (to the millisecond), a run asked twice
 * in one batch is won once, and a batch that cannot reach the database rejects every claim in it.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { SyncSlot } from '../../core/src/scheduler/definition-set';
import { DefinitionSet } from '../../core/src/scheduler/definition-set';
import { definitionHash, FleetMember } from '../../core/src/scheduler/fleet-member';
import type { ClaimResult, FleetCoordinator } from '../../core/src/state/fleet';
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

async function slotsOf(version: 'a' | 'b'): Promise<SyncSlot[]> {
  const syncs: Record<string, SyncLine> = {};
  for (let i = 0; i < SYNCS; i++) syncs[`s${i}`] = { table: `fleet.s${i}`, schedule: 'every 15 minutes', ...(version === 'b' && DIFFERENT.has(`s${i}`) ? { batchSize: 10 } : {}) };
  const def = writeDefinition({ brazeUrl: 'http://127.0.0.1:9', db, syncs });
  cleanup.push(def.dir);
  const set = new DefinitionSet({ discover: async () => ({ files: [def.filePath], unreadable: [] }), env: secretsFor(db) });
  const { all } = await set.reload();
  assert.equal(all.length, SYNCS);
  return all;
}

/** A host on its own pool; `batches` records the size of every claim statement it sends. */
function host(): { member: FleetMember; fleet: FleetCoordinator; backend: PgStateBackend; batches: number[] } {
  const backend = openTestStateBackend(stateUrl(db, db), 'claims_test');
  backends.push(backend);
  const batches: number[] = [];
  const fleet: FleetCoordinator = { ...backend.fleet, claim: (requests) => (batches.push(requests.length), backend.fleet.claim(requests)) };
  return { member: new FleetMember(fleet, 60_000), fleet, backend, batches };
}

test('two hosts claiming the same due runs in batches: each run to exactly one host, a version mismatch reported per sync', { timeout: 120_000 }, async () => {
  const [slotsA, slotsB] = await Promise.all([slotsOf('a'), slotsOf('b')]);
  const a = host();
  const b = host();
  await a.member.join(slotsA);
  await b.member.join(slotsB);

  // Every claim asked in one turn of the event loop, as the scheduler does when they come due.
  const ask = (h: ReturnType<typeof host>, slots: SyncSlot[]) => INSTANTS.flatMap((at) => slots.map((slot) => h.member.claim(slot, at)));
  const pendingA = ask(a, slotsA);
  const pendingB = ask(b, slotsB);
  const [resultsA, resultsB] = await Promise.all([Promise.all(pendingA), Promise.all(pendingB)]);

  // Batches of 50 at most: 240 claims in 5 statements per host, not 240.
  for (const h of [a, b]) assert.deepEqual([...h.batches].sort((x, y) => y - x), [50, 50, 50, 50, 40]);

  const byRun = (results: ClaimResult[], slots: SyncSlot[]) => new Map<string, ClaimResult | undefined>(INSTANTS.flatMap((at, k) => slots.map((slot, i) => [`${slot.target.syncName} ${at.toISOString()}`, results[k * SYNCS + i]] as const)));
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
  const twice = await Promise.all([a.member.claim(slotsA[1] as SyncSlot, third), a.member.claim(slotsA[1] as SyncSlot, third)]);
  assert.deepEqual(twice.map((r) => r.kind).sort(), ['claimed', 'taken']);

  // A host whose database is gone: every claim of every batch is rejected, none left hanging.
  const gone = host();
  await gone.backend.close();
  const outcomes = await Promise.allSettled(slotsA.map((slot) => gone.member.claim(slot, third)));
  assert.equal(gone.batches.length, 3);
  assert.deepEqual(new Set(outcomes.map((o) => o.status)), new Set(['rejected']));
});
