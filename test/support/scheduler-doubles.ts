/**
 * Test doubles for the scheduler's ports: a clock that moves only when told, and a log that tests
 * can wait on (an event, never a fixed sleep).
 */
import type { SchedulerClock } from '../../core/src/scheduler/clock';
import type { LogEntry } from '../../core/src/scheduler/log';

interface Timer {
  at: number;
  seq: number;
  fire(): void;
}

export class ManualClock implements SchedulerClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private armed: (() => void)[] = [];

  constructor(start: Date) {
    this.t = start.getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  setTimer(at: Date, fire: () => void): () => void {
    const timer: Timer = { at: at.getTime(), seq: ++this.seq, fire };
    this.timers.push(timer);
    for (const resolve of this.armed.splice(0)) resolve();
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** The earliest armed timer, if any. */
  get nextTimer(): Date | undefined {
    const first = [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
    return first ? new Date(first.at) : undefined;
  }

  /** Resolves when the next timer is set. */
  timerSet(): Promise<void> {
    return new Promise((resolve) => this.armed.push(resolve));
  }

  /** Moves to `to` (never back), firing the timers due on the way in order, each at its own time. */
  advanceTo(to: Date): void {
    const target = to.getTime();
    for (;;) {
      const due = this.timers.filter((x) => x.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fire();
    }
    this.t = Math.max(this.t, target);
  }
}

export class LogRecorder {
  readonly entries: LogEntry[] = [];
  private waiters: { match: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }[] = [];

  readonly log = (entry: LogEntry): void => {
    this.entries.push(entry);
    for (const w of this.waiters.filter((x) => x.match(entry))) {
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve(entry);
    }
  };

  /** Entries of one event (and sync), in order. */
  events(event: LogEntry['event'], sync?: string): LogEntry[] {
    return this.entries.filter((e) => e.event === event && (sync === undefined || e.sync === sync));
  }

  /**
   * Resolves with the first entry from index `from` on that matches (so an entry logged before
   * the call is found too); pass `this.entries.length` to wait for a new one.
   */
  waitFor(match: (e: LogEntry) => boolean, from = 0): Promise<LogEntry> {
    const seen = this.entries.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Waits for the `n`-th entry (1-based) of an event and sync. */
  waitForCount(event: LogEntry['event'], sync: string | undefined, n: number): Promise<LogEntry> {
    let seen = 0;
    return this.waitFor((e) => e.event === event && (sync === undefined || e.sync === sync) && ++seen === n);
  }
}
