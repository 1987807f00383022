/**
 * What a scheduler host needs from shared state to run one fleet with other hosts: each due run
 * claimed by exactly one host, a dead host's unfinished runs handed to a live one, and hosts
 * that follow different versions of a definition found before either runs it. The PostgreSQL
 * adapter is `adapters/pg-state/pg-fleet.ts`; without shared state a scheduler runs alone.
 */
import type { SyncState } from './sync-state';

export interface FleetDefinition {
  syncKey: string;
  /** Hash of what decides a run (the sync, its connection, the Braze target). */
  defHash: string;
}

export interface HostVersion {
  host: string;
  defHash: string;
}

export interface ClaimRequest {
  syncKey: string;
  scheduledFor: Date;
  defHash: string;
}

export type ClaimResult =
  /**
   * `tested`: the sync's record of its last passing Test Connection, read with the claim so the
   * scheduler needs no read of its own before the run (absent: not read).
   */
  | { kind: 'claimed'; tested?: Pick<SyncState, 'last_test'> }
  /** Another host claimed this instant (it runs it, or ran it). */
  | { kind: 'taken' }
  /** Live hosts follow another version of the definition: nobody should run it until they agree. */
  | { kind: 'mismatch'; others: HostVersion[] };

/** A claimed run whose host stopped heartbeating before finishing it, now claimed by this host. */
export interface TakenOver {
  syncKey: string;
  scheduledFor: Date;
  fromHost: string;
}

export interface FleetStats {
  hosts: { host: string; host_id: string; heartbeat_at: string; alive: boolean; running: number }[];
  /** Claims since `since`, by host and outcome. */
  runs: { host_id: string; outcome: string; count: number; late: number }[];
}

export interface FleetCoordinator {
  /** `hostname (pid N)`: how other hosts and messages name this one. */
  readonly host: string;
  /** Announces this host and starts its heartbeat. */
  join(): Promise<void>;
  /** Records the definitions this host follows now (added, changed, removed). */
  publish(definitions: readonly FleetDefinition[]): Promise<void>;
  /**
   * Claims runs in one round trip, each for this host unless another host claimed it first or
   * live hosts follow another version of its definition; one result per request, in order.
   */
  claim(requests: readonly ClaimRequest[]): Promise<ClaimResult[]>;
  /** Records how a claimed run ended (`finished`, `skipped`, `failed`, …) so nobody takes it over. */
  finish(syncKey: string, scheduledFor: Date, outcome: string, runId?: string): Promise<void>;
  /** Claims for this host the unfinished runs of dead hosts among `syncKeys`. */
  takeOver(syncKeys: readonly string[]): Promise<TakenOver[]>;
  stats(since: Date): Promise<FleetStats>;
  /** Stops the heartbeat and says this host left (its unfinished claims are taken over at once). */
  leave(): Promise<void>;
}
