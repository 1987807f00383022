/**
 * A host's claims on due runs, sent as the host can take on runs (a pull model). The claims asked
 * for in one turn of the event loop (every sync due at one instant) join the line at this host's
 * own random place, so hosts mostly ask for different runs first. The line goes out CLAIM_BATCH to
 * a statement, one statement at a time: the next batch only once its answers are handed over, the
 * event loop has turned, and at most READY_BELOW of the runs this host won are still to start (or
 * after `paceLimitMs` at most, so a host whose runs cannot start still gets through its line). A
 * host busy starting runs claims less and an idle one more, instead of whichever host reached the
 * database first taking most of the instant. Every live host goes through its whole line, so no
 * due run is left unclaimed while one of them lives; the database lets exactly one host win each.
 */
import type { ClaimRequest, ClaimResult } from '../state/fleet';

/** Runs claimed per statement: large enough to cut round trips, small enough to spread runs over hosts. */
export const CLAIM_BATCH = 50;
/** The next batch goes out once no more than this many runs this host won are still to start. */
export const READY_BELOW = 25;
/** The longest a batch waits for the runs won before it to start. */
export const PACE_LIMIT_MS = 1000;

/**
 * A won claim carries `started()`: call it once the run has started, or ended without starting.
 * `withdrawn`: never sent, this host is stopping (the other hosts claim the run).
 */
export type PacedClaim = Exclude<ClaimResult, { kind: 'claimed' }> | { kind: 'claimed'; started(): void } | { kind: 'withdrawn' };

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
  private wake: (() => void) | undefined;
  /** Where in a list of due runs this host starts claiming (0–1), so hosts start apart. */
  private readonly offset = Math.random();

  constructor(
    private readonly send: (requests: readonly ClaimRequest[]) => Promise<ClaimResult[]>,
    private readonly paceLimitMs = PACE_LIMIT_MS,
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
      await this.sendBatch(this.line.splice(0, CLAIM_BATCH));
      // The scheduler hands the won runs to their jobs before this host asks for more.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.sending = false;
  }

  /** Resolves once at most READY_BELOW won runs are still to start, or after `paceLimitMs`. */
  private ready(): Promise<void> {
    if (this.unstarted <= READY_BELOW) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), this.paceLimitMs);
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
      kind: 'claimed',
      started: () => {
        if (started) return;
        started = true;
        this.unstarted--;
        if (this.unstarted <= READY_BELOW) this.wake?.();
      },
    };
  }
}
