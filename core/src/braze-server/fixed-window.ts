/**
 * A fixed-window request budget like Braze's (`3,000 requests per 3 seconds`): windows are aligned
 * to multiples of the window length since the epoch, so a 3 s window's end is a whole second and
 * `X-RateLimit-Reset` (epoch seconds) is exact.
 */

export interface Budget {
  limit: number;
  windowMs: number;
}

export interface WindowUsage {
  /** Window start, epoch milliseconds. */
  start: number;
  used: number;
  rejected: number;
}

export interface RateLimitHeaders {
  'X-RateLimit-Limit': string;
  'X-RateLimit-Remaining': string;
  'X-RateLimit-Reset': string;
}

const HISTORY = 1000;

export class FixedWindow {
  private current: WindowUsage = { start: Number.NEGATIVE_INFINITY, used: 0, rejected: 0 };
  private readonly past: WindowUsage[] = [];

  constructor(readonly budget: Budget) {
    if (!(budget.limit >= 1) || !(budget.windowMs >= 1)) throw new Error(`Invalid budget ${budget.limit} per ${budget.windowMs} ms: both must be at least 1.`);
  }

  /** Counts one request at `now`; false when the window's budget is already used up. */
  take(now: number): boolean {
    const w = this.at(now);
    if (w.used >= this.budget.limit) {
      w.rejected++;
      return false;
    }
    w.used++;
    return true;
  }

  /** Headers describing the window at `now`; `exhausted` reports Remaining 0 (injected 429s). */
  headers(now: number, exhausted = false): RateLimitHeaders {
    const w = this.at(now);
    return {
      'X-RateLimit-Limit': String(this.budget.limit),
      'X-RateLimit-Remaining': String(exhausted ? 0 : Math.max(0, this.budget.limit - w.used)),
      'X-RateLimit-Reset': String(Math.ceil((w.start + this.budget.windowMs) / 1000)),
    };
  }

  /** Usage of recent windows (oldest first), the current one last. */
  history(): WindowUsage[] {
    return [...this.past, this.current].filter((w) => Number.isFinite(w.start)).map((w) => ({ ...w }));
  }

  reset(): void {
    this.current = { start: Number.NEGATIVE_INFINITY, used: 0, rejected: 0 };
    this.past.length = 0;
  }

  private at(now: number): WindowUsage {
    const start = Math.floor(now / this.budget.windowMs) * this.budget.windowMs;
    if (start !== this.current.start) {
      if (Number.isFinite(this.current.start)) this.past.push(this.current);
      if (this.past.length > HISTORY) this.past.splice(0, this.past.length - HISTORY);
      this.current = { start, used: 0, rejected: 0 };
    }
    return this.current;
  }
}
