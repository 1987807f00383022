/**
 * Virtual time for tests of code that waits (rate limits, backoff): `sleep` registers a timer, and
 * on the next turn of the event loop (after pending callbacks and promise jobs) the earliest timer
 * fires and `now` jumps to its due time. Tests then assert on what happened at which virtual time,
 * never on wall-clock durations.
 */
import type { Clock } from '../src/sync/ports';

interface Timer {
  at: number;
  seq: number;
  resolve(): void;
}

export class VirtualTime {
  private t: number;
  private seq = 0;
  private readonly timers: Timer[] = [];
  private ticking = false;
  /** Every sleep asked for, in order (ms). */
  readonly sleeps: number[] = [];

  constructor(start = Date.UTC(2026, 10, 28, 10, 0, 0)) {
    this.t = start;
  }

  readonly now = (): number => this.t;
  readonly clock: Clock = { now: () => new Date(this.t) };

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: ++this.seq,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.timers.indexOf(timer);
        if (i >= 0) this.timers.splice(i, 1);
        reject(abortReason(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.schedule();
    });
  };

  /** Moves time forward by hand (e.g. to let a rate-limit window pass). */
  advance(ms: number): void {
    this.t += ms;
  }

  private schedule(): void {
    if (this.ticking) return;
    this.ticking = true;
    setImmediate(() => {
      this.ticking = false;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) return;
      this.t = Math.max(this.t, next.at);
      next.resolve();
      if (this.timers.length > 0) this.schedule();
    });
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('aborted');
  error.name = 'AbortError';
  return error;
}
