/**
 * A host's claims on due runs. The claims asked for in one turn of the event loop (every sync due
 * at one instant) join the line at this host's own random place, so hosts mostly ask for different
 * runs first, and go out CLAIM_BATCH to a statement, several statements at once, as long as the
 * runs this host won and has not started, plus those it is asking for, stay within its backlog
 * (MAX_BACKLOG). Beyond that the next batch waits for runs to start (or `limitMs` at most, so a
 * host whose runs cannot start still gets through its line): a host busy starting runs leaves the
 * rest of the instant to the others instead of hoarding it. Every live host goes through its whole
 * line, so no due run is left unclaimed while one of them lives; the database lets exactly one
 * host win each.
 *
 * Why a backlog of 1,000 and not a small window: on the benchmark's two shared cores a window of
 * 25 or 250 runs spread the runs evenly over three hosts but delayed starts (p99 of 1,000 syncs on
 * one host 1.9–2.2 s against 1.6–1.7 s with every batch at once; docs/benchmarks.md), because
 * each claim then waits in the host's pool behind its runs' statements.
 */
import type { ClaimRequest, ClaimResult } from '../state/fleet';

/** Runs claimed per statement: large enough to cut round trips, small enough to spread runs over hosts. */
export const CLAIM_BATCH = 50;
/** Runs won and not started, plus claims asked and not answered, above which the next batch waits. */
export const MAX_BACKLOG = 1000;
/** The longest a batch waits for the runs won before it to start. */
export const PACE_LIMIT_MS = 1000;

export interface Pacing {
  backlog: number;
  limitMs: number;
}

/**
 * A won claim carries `started()`: call it once the run has started, or ended without starting.
 * `withdrawn`: never sent, this host is stopping (the other hosts claim the run).
 */
export type PacedClaim = Exclude<ClaimResult, { kind: 'claimed' }> | (Extract<ClaimResult, { kind: 'claimed' }> & { started(): void }) | { kind: 'withdrawn' };

interface Pending {
  request: ClaimRequest;
  resolve(result: PacedClaim): void;
  reject(err: unknown): void;
}

export class ClaimQueue {
  /** Asked for in this turn of the event loop, not yet in line. */
  private arriving: Pending[] = [];
  private readonly line: Pending[] = [];
  private sending = false;
  private withdrawn = false;
  /** Runs won and not started yet. */
  private unstarted = 0;
  /** Claims sent and not answered yet. */
  private inFlight = 0;
  private wake: (() => void) | undefined;
  /** Where in a list of due runs this host starts claiming (0–1), so hosts start apart. */
  private readonly offset = Math.random();

  constructor(
    private readonly send: (requests: readonly ClaimRequest[]) => Promise<ClaimResult[]>,
    private readonly pacing: Pacing = { backlog: MAX_BACKLOG, limitMs: PACE_LIMIT_MS },
  ) {}

  claim(request: ClaimRequest): Promise<PacedClaim> {
    if (this.withdrawn) return Promise.resolve({ kind: 'withdrawn' });
    return new Promise((resolve, reject) => {
      this.arriving.push({ request, resolve, reject });
      if (this.arriving.length === 1) setImmediate(() => this.enqueue());
    });
  }

  /** This host is stopping: the claims not sent yet, and any asked from now on, are withdrawn. */
  withdraw(): void {
    this.withdrawn = true;
    for (const p of [...this.arriving.splice(0), ...this.line.splice(0)]) p.resolve({ kind: 'withdrawn' });
    this.wake?.();
  }

  private enqueue(): void {
    const all = this.arriving;
    this.arriving = [];
    const start = Math.floor(this.offset * all.length);
    this.line.push(...all.slice(start), ...all.slice(0, start));
    if (!this.sending) void this.drain();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.line.length > 0) {
      await this.ready();
      if (this.line.length === 0) break; // withdrawn meanwhile
      const batch = this.line.splice(0, CLAIM_BATCH);
      this.inFlight += batch.length;
      void this.sendBatch(batch).finally(() => {
        this.inFlight -= batch.length;
        this.wakeIfReady();
      });
      // A turn for answers and starts to update the backlog before the next batch is weighed.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.sending = false;
  }

  private withinBacklog(): boolean {
    return this.unstarted + this.inFlight <= this.pacing.backlog;
  }

  private wakeIfReady(): void {
    if (this.withinBacklog()) this.wake?.();
  }

  /** Resolves once the backlog has room, or after `limitMs`. */
  private ready(): Promise<void> {
    if (this.withinBacklog()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), this.pacing.limitMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /**
   * Every claim of a batch is settled exactly once: with its own answer, or rejected with the
   * batch's error. Answers are matched by position, so a count that differs means nothing can be
   * trusted: the whole batch fails.
   */
  private async sendBatch(batch: Pending[]): Promise<void> {
    let results: ClaimResult[];
    try {
      results = await this.send(batch.map((p) => p.request));
      if (results.length !== batch.length) throw new Error(`The fleet answered ${results.length} claims of ${batch.length}.`);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, j) => p.resolve(this.paced(results[j] as ClaimResult)));
  }

  private paced(result: ClaimResult): PacedClaim {
    if (result.kind !== 'claimed') return result;
    this.unstarted++;
    let started = false;
    return {
      ...result,
      started: () => {
        if (started) return;
        started = true;
        this.unstarted--;
        this.wakeIfReady();
      },
    };
  }
}
