/**
 * One shared pacer for every request a Braze client sends to an endpoint. It learns the budget from
 * `X-RateLimit-Limit/Remaining/Reset` and spreads what remains of the window evenly over the time
 * left (so it slows down as Remaining nears 0 and never bursts into a 429), counts each request it
 * lets through (and those still in flight) against Remaining, pauses everyone until Reset when the
 * budget is spent, and caps the requests in flight at the connection count. Before it knows the
 * window (first request, or just after a reset) it lets at most `min(concurrency, Limit)` probe.
 */

export interface RateLimitReport {
  limit?: number;
  remaining?: number;
  /** Epoch milliseconds at which the window resets. */
  resetAt?: number;
}

export interface RateLimiterOptions {
  concurrency: number;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called once per pause for budget (Remaining spent, or a 429 without Reset). */
  onPause?: (ms: number) => void;
}

/** A request sent this long after Reset surely lands in the next window. */
export const RESET_MARGIN_MS = 10;
/** The pacer may catch up at most this much time's worth of requests at once. */
const BURST_MS = 20;
/** Sleeps up to this long are left to run out when the pacer is woken early. */
const SHORT_SLEEP_MS = 20;
/** Abort reason for cancelling a sleep: a constant, so waking costs no exception object. */
const WOKEN = Object.freeze({ woken: true });

interface Waiter {
  grant(): void;
  fail(error: unknown): void;
}

type Decision = { wait: 0 } | { wait: number; pauseUntil?: number };

export class RateLimiter {
  private limit: number | undefined;
  /** Requests this window still allows after those already granted (an estimate on the safe side). */
  private remaining: number | undefined;
  /** The lowest Remaining an answer reported in this window. */
  private lowestRemaining: number | undefined;
  private resetAt: number | undefined;
  private inFlight = 0;
  private blockedUntil = 0;
  private tokens = 1;
  private refilledAt = 0;
  private readonly queue: Waiter[] = [];
  private pumping = false;
  private wake: (() => void) | undefined;
  private reportedPause = Number.NaN;
  private closed = false;

  constructor(private readonly options: RateLimiterOptions) {}

  /** Resolves when a request may be sent; the caller must `release()` once it is answered or failed. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.closed) return Promise.reject(new Error('The Braze client is closed.'));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(abortError(signal));
        this.wakeUp();
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      void this.pump();
    });
  }

  /** A granted request finished; `report` carries the rate-limit headers of its answer, if any. */
  release(report?: RateLimitReport): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (report) this.learn(report);
    this.wakeUp();
  }

  /** Holds every sender until `until` (epoch ms): a 429 that said nothing usable about its reset. */
  block(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
    this.wakeUp();
  }

  close(): void {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.fail(new Error('The Braze client was closed while a request waited for the rate limit.'));
    this.wakeUp();
  }

  private learn(report: RateLimitReport): void {
    if (report.limit !== undefined) this.limit = report.limit;
    const { remaining, resetAt } = report;
    if (remaining === undefined || resetAt === undefined) return;
    if (resetAt + RESET_MARGIN_MS <= this.options.now()) return; // an answer from a window that is over
    // Remaining only falls within a window, so the lowest value seen is the server's latest count;
    // answers arriving out of order with a higher value are older news. Requests still in flight
    // may not be counted in it yet: assume they are not (the safe side), which also lets the
    // estimate rise back to the exact figure once they are answered.
    const fresh = this.resetAt === undefined || resetAt > this.resetAt || (resetAt === this.resetAt && remaining < (this.lowestRemaining ?? Number.POSITIVE_INFINITY));
    if (!fresh) return;
    this.resetAt = resetAt;
    this.lowestRemaining = remaining;
    this.remaining = remaining - this.inFlight;
  }

  private decide(now: number): Decision {
    if (now < this.blockedUntil) return { wait: this.blockedUntil - now, pauseUntil: this.blockedUntil };
    if (this.inFlight >= this.options.concurrency) return { wait: Number.POSITIVE_INFINITY };
    if (this.resetAt !== undefined && now >= this.resetAt + RESET_MARGIN_MS) {
      this.resetAt = undefined;
      this.remaining = undefined;
      this.lowestRemaining = undefined;
    }
    if (this.resetAt === undefined || this.remaining === undefined) {
      this.refilledAt = now;
      const probes = Math.max(1, Math.min(this.options.concurrency, this.limit ?? Number.POSITIVE_INFINITY));
      return this.inFlight < probes ? { wait: 0 } : { wait: Number.POSITIVE_INFINITY };
    }
    const end = this.resetAt + RESET_MARGIN_MS;
    if (this.remaining <= 0) return { wait: end - now, pauseUntil: end };
    // Spread what is left over the time to Reset (the margin only guards the next window's start).
    const rate = this.remaining / Math.max(1, this.resetAt - now);
    this.tokens = Math.min(Math.max(1, rate * BURST_MS), this.tokens + (now - this.refilledAt) * rate);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.remaining--;
      return { wait: 0 };
    }
    return { wait: (1 - this.tokens) / rate };
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const decision = this.decide(this.options.now());
        if (decision.wait === 0) {
          this.inFlight++;
          this.queue.shift()?.grant();
          continue;
        }
        if ('pauseUntil' in decision && decision.pauseUntil !== undefined && decision.pauseUntil !== this.reportedPause) {
          this.reportedPause = decision.pauseUntil;
          this.options.onPause?.(Math.ceil(decision.wait));
        }
        await this.idle(decision.wait);
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Sleeps `ms`, or until woken (an answer, an abort, a block). Only long sleeps are cancelled
   * when woken, so a pause never holds a timer past its use; short pacing sleeps just run out.
   */
  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: AbortController | undefined;
      const done = () => {
        if (this.wake === wake) this.wake = undefined;
        resolve();
      };
      const wake = () => {
        timer?.abort(WOKEN);
        done();
      };
      this.wake = wake;
      if (!Number.isFinite(ms)) return;
      if (ms > SHORT_SLEEP_MS) timer = new AbortController();
      this.options.sleep(Math.max(1, Math.ceil(ms)), timer?.signal).then(done, done);
    });
  }

  private wakeUp(): void {
    this.wake?.();
  }
}

/** The error an aborted wait or request rejects with: always named `AbortError`, the reason as cause. */
export function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('The Braze request was aborted.', { cause: reason });
  error.name = 'AbortError';
  return error;
}
