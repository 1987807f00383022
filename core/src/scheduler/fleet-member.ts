/**
 * The scheduler's side of a fleet (state/fleet.ts): before a due run starts, claim it (one host
 * of the fleet wins), refuse it when live hosts follow another version of the definition, record
 * how it ended, and regularly take over the unfinished runs of hosts that died. Without shared
 * state the scheduler has no FleetMember and runs alone, as before.
 */
import { createHash } from 'node:crypto';
import type { FleetCoordinator, TakenOver } from '../state/fleet';
import { sharedSyncKey } from '../state/state-backend';
import { Poller } from '../util/poller';
import type { SyncSlot } from './definition-set';
import { ClaimQueue, type PacedClaim, type Pacing } from './claim-queue';

/** What decides a run: the sync, its connection and the Braze target (secrets are `${env:…}` references). */
export function definitionHash(slot: SyncSlot): string {
  const { file, syncName } = slot.target;
  const sync = file.syncs[syncName];
  const connection = sync ? file.connections[sync.connection] : undefined;
  return createHash('sha256').update(JSON.stringify({ sync, connection, braze: file.braze })).digest('hex').slice(0, 16);
}

export class FleetMember {
  private sweeper: Poller | undefined;
  private readonly claims: ClaimQueue;

  constructor(
    private readonly fleet: FleetCoordinator,
    /** How often to look for a dead host's runs (ms). */
    private readonly sweepMs: number,
    /** How many won runs may wait to start before claiming waits, and for how long at most (claim-queue.ts). */
    pacing?: Pacing,
  ) {
    this.claims = new ClaimQueue((requests) => this.fleet.claim(requests), pacing);
  }

  get host(): string {
    return this.fleet.host;
  }

  async join(slots: readonly SyncSlot[]): Promise<void> {
    await this.fleet.join();
    await this.publish(slots);
  }

  publish(slots: readonly SyncSlot[]): Promise<void> {
    return this.fleet.publish(slots.map((slot) => ({ syncKey: sharedSyncKey(slot.target), defHash: definitionHash(slot) })));
  }

  /**
   * Claims one run. Claims asked for in the same turn of the event loop (every sync due at one
   * instant) go out in batches, one statement each, while this host's backlog of runs won and not
   * started has room: call `started()` on a won answer once its run has started, or ended without
   * starting (claim-queue.ts).
   */
  claim(slot: SyncSlot, scheduledFor: Date): Promise<PacedClaim> {
    return this.claims.claim({ syncKey: sharedSyncKey(slot.target), scheduledFor, defHash: definitionHash(slot) });
  }

  /** This host is stopping: it claims no more runs (those it has not asked for yet are left to the others). */
  withdrawClaims(): void {
    this.claims.withdraw();
  }

  finish(slot: SyncSlot, scheduledFor: Date, outcome: string, runId?: string): Promise<void> {
    return this.fleet.finish(sharedSyncKey(slot.target), scheduledFor, outcome, runId);
  }

  /** Every `sweepMs`, claims the dead hosts' unfinished runs among `slots()` and hands each to `run`. */
  sweep(slots: () => SyncSlot[], run: (slot: SyncSlot, orphan: TakenOver) => void, onError: (err: unknown) => void): void {
    this.sweeper = new Poller(
      this.sweepMs,
      () => true,
      async () => {
        const bySyncKey = new Map(slots().map((s) => [sharedSyncKey(s.target), s]));
        for (const orphan of await this.fleet.takeOver([...bySyncKey.keys()])) {
          const slot = bySyncKey.get(orphan.syncKey);
          if (slot) run(slot, orphan);
        }
      },
      onError,
    );
  }

  async leave(): Promise<void> {
    this.sweeper?.dispose();
    await this.fleet.leave();
  }
}
