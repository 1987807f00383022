/**
 * The scheduler's side of a fleet (state/fleet.ts): before a due run starts, claim it (one host
 * of the fleet wins), refuse it when live hosts follow another version of the definition, record
 * how it ended, and regularly take over the unfinished runs of hosts that died. Without shared
 * state the scheduler has no FleetMember and runs alone, as before.
 */
import { createHash } from 'node:crypto';
import type { ClaimRequest, ClaimResult, FleetCoordinator, TakenOver } from '../state/fleet';
import { sharedSyncKey } from '../state/state-backend';
import type { SyncSlot } from './definition-set';

/** What decides a run: the sync, its connection and the Braze target (secrets are `${env:…}` references). */
export function definitionHash(slot: SyncSlot): string {
  const { file, syncName } = slot.target;
  const sync = file.syncs[syncName];
  const connection = sync ? file.connections[sync.connection] : undefined;
  return createHash('sha256').update(JSON.stringify({ sync, connection, braze: file.braze })).digest('hex').slice(0, 16);
}

/** Runs claimed per statement: large enough to cut round trips, small enough to spread runs over hosts. */
const CLAIM_BATCH = 50;

interface PendingClaim {
  request: ClaimRequest;
  resolve(result: ClaimResult): void;
  reject(err: unknown): void;
}

export class FleetMember {
  private sweeper: NodeJS.Timeout | undefined;
  private readonly pending: PendingClaim[] = [];
  /** Where in a list of due runs this host starts claiming (0–1), so hosts start apart. */
  private readonly offset = Math.random();

  constructor(
    private readonly fleet: FleetCoordinator,
    /** How often to look for a dead host's runs (ms). */
    private readonly sweepMs: number,
  ) {}

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
   * instant) go out together, CLAIM_BATCH to a statement: a thousand syncs due at once cost
   * twenty round trips instead of a thousand, on every host. Each host starts its batches at its
   * own place in the list, so hosts mostly claim different runs instead of racing for the same.
   */
  claim(slot: SyncSlot, scheduledFor: Date): Promise<ClaimResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ request: { syncKey: sharedSyncKey(slot.target), scheduledFor, defHash: definitionHash(slot) }, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flushClaims());
    });
  }

  private flushClaims(): void {
    const all = this.pending.splice(0);
    const start = Math.floor(this.offset * all.length);
    const rotated = [...all.slice(start), ...all.slice(0, start)];
    for (let i = 0; i < rotated.length; i += CLAIM_BATCH) {
      const batch = rotated.slice(i, i + CLAIM_BATCH);
      // Every pending claim of a batch is settled exactly once: with its own answer, or rejected
      // with the batch's error (also one thrown before a promise exists). Answers are matched by
      // position, so a count that differs means nothing can be trusted: the whole batch fails.
      Promise.resolve()
        .then(() => this.fleet.claim(batch.map((p) => p.request)))
        .then((results) => {
          if (results.length !== batch.length) throw new Error(`The fleet answered ${results.length} claims of ${batch.length}.`);
          batch.forEach((p, j) => p.resolve(results[j] as ClaimResult));
        })
        .catch((err: unknown) => batch.forEach((p) => p.reject(err)));
    }
  }

  finish(slot: SyncSlot, scheduledFor: Date, outcome: string, runId?: string): Promise<void> {
    return this.fleet.finish(sharedSyncKey(slot.target), scheduledFor, outcome, runId);
  }

  /** Every `sweepMs`, claims the dead hosts' unfinished runs among `slots()` and hands each to `run`. */
  sweep(slots: () => SyncSlot[], run: (slot: SyncSlot, orphan: TakenOver) => void, onError: (err: unknown) => void): void {
    let busy = false;
    this.sweeper = setInterval(() => {
      if (busy) return;
      busy = true;
      const bySyncKey = new Map(slots().map((s) => [sharedSyncKey(s.target), s]));
      this.fleet
        .takeOver([...bySyncKey.keys()])
        .then((orphans) => {
          for (const orphan of orphans) {
            const slot = bySyncKey.get(orphan.syncKey);
            if (slot) run(slot, orphan);
          }
        })
        .catch(onError)
        .finally(() => (busy = false));
    }, this.sweepMs);
    this.sweeper.unref();
  }

  async leave(): Promise<void> {
    clearInterval(this.sweeper);
    await this.fleet.leave();
  }
}
