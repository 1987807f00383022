/**
 * Group commit: a request made while a write is running is folded into the next write, so
 * checkpoints keep up with any delivery rate. A write starts at most `minIntervalMs` after the
 * previous one started, unless a request is urgent or `flush` is waiting: the caller makes a
 * request urgent once enough work waits, which bounds what a crash can lose to redo, while a fast
 * sync does not spend its time on fsync.
 */
export class CommitLoop {
  private running: Promise<void> | undefined;
  private dirty = false;
  private failure: unknown;
  private lastStart = Number.NEGATIVE_INFINITY;
  private flushing = false;
  private urgent = false;
  private hurry: (() => void) | undefined;

  constructor(
    private readonly write: () => Promise<void>,
    private readonly minIntervalMs = 0,
  ) {}

  request(urgent = false): void {
    this.dirty = true;
    if (urgent) {
      this.urgent = true;
      this.hurry?.();
    }
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty && this.failure === undefined) {
        const wait = this.lastStart + this.minIntervalMs - Date.now();
        if (wait > 0 && !this.flushing && !this.urgent) await this.pause(wait);
        this.urgent = false;
        this.dirty = false;
        this.lastStart = Date.now();
        await this.write();
      }
    } catch (err) {
      this.failure = err;
    } finally {
      this.running = undefined;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.hurry = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.hurry = done;
    });
  }

  /** Writes everything requested so far without waiting out the interval; throws the first write failure. */
  async flush(): Promise<void> {
    this.flushing = true;
    try {
      this.hurry?.();
      if (this.running) await this.running;
      if (this.dirty && this.failure === undefined) {
        this.request();
        await this.running;
      }
    } finally {
      this.flushing = false;
    }
    if (this.failure !== undefined) throw this.failure;
  }
}
