/**
 * What the local Braze server counts and remembers of the API requests it answered: the counters
 * `stats()` reports and the recent-request log `state()` shows, both forgotten on reset.
 */
import type { FaultKind } from './faults';
import type { WindowUsage } from './fixed-window';

export interface RequestLogEntry {
  seq: number;
  /** Arrival time, epoch ms (server clock). */
  at: number;
  method: string;
  path: string;
  /** HTTP status, or 0 when the connection was dropped. */
  status: number;
  objects: number;
  objectErrors: number;
  fault?: FaultKind;
}

export interface BrazeServerStats {
  /** API requests received (`/users/track`, `/users/delete`). */
  requests: number;
  /** Answers by status; dropped connections count under "dropped". */
  statusCounts: Record<string, number>;
  /** 429 answers, budget and injected. */
  rateLimited: number;
  objects: { attributes: number; events: number; purchases: number; deleted: number; errors: number; catalog_items: number; catalog_edited: number; catalog_deleted: number };
  /** Attributes written by processed attribute objects: what Braze bills as data points (identifiers and control keys excluded). */
  dataPoints: number;
  /** Catalog item fields written by accepted `PUT` and `PATCH` requests (the item id excluded). */
  catalogFields: number;
  profiles: number;
  /** Most API requests in progress at the same time. */
  maxConcurrent: number;
  /** TCP connections accepted. */
  connections: number;
  /** Recent `/users/track` budget windows, oldest first. */
  trackWindows: WindowUsage[];
}

/** The counters the server keeps itself; profiles and windows are read from their owners. */
export type ServerCounts = Omit<BrazeServerStats, 'profiles' | 'trackWindows'>;

export class ServerStats {
  /** Replaced on reset, so read it through this object each time. */
  counts: ServerCounts = emptyCounts();
  private log: RequestLogEntry[] = [];
  // Neither is reset: requests in progress still finish, and sequence numbers stay unique.
  private inProgress = 0;
  private seq = 0;

  /** `logLimit`: how many recent requests `recent()` returns. */
  constructor(private readonly logLimit: number) {}

  /** Counts a request as it arrives; its log entry is filled in as it is answered. */
  begin(method: string, path: string, at: number): RequestLogEntry {
    this.counts.requests++;
    this.inProgress++;
    this.counts.maxConcurrent = Math.max(this.counts.maxConcurrent, this.inProgress);
    return { seq: ++this.seq, at, method, path, status: 0, objects: 0, objectErrors: 0 };
  }

  /** The request's connection closed, answered or not. */
  end(): void {
    this.inProgress--;
  }

  record(entry: RequestLogEntry): void {
    const key = entry.status === 0 ? 'dropped' : String(entry.status);
    this.counts.statusCounts[key] = (this.counts.statusCounts[key] ?? 0) + 1;
    if (entry.status === 429) this.counts.rateLimited++;
    this.log.push(entry);
    // Trimmed in halves so the log is not copied on every request.
    if (this.log.length > 2 * this.logLimit) this.log = this.log.slice(-this.logLimit);
  }

  recent(): RequestLogEntry[] {
    return this.log.slice(-this.logLimit);
  }

  snapshot(profiles: number, trackWindows: WindowUsage[]): BrazeServerStats {
    return { ...structuredClone(this.counts), profiles, trackWindows };
  }

  reset(): void {
    this.log = [];
    this.counts = emptyCounts();
  }
}

function emptyCounts(): ServerCounts {
  return { requests: 0, statusCounts: {}, rateLimited: 0, objects: { attributes: 0, events: 0, purchases: 0, deleted: 0, errors: 0, catalog_items: 0, catalog_edited: 0, catalog_deleted: 0 }, dataPoints: 0, catalogFields: 0, maxConcurrent: 0, connections: 0 };
}
