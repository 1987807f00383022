/**
 * Group commit: a request made while a write is running is folded into the next write, so
 * checkpoints keep up with any delivery rate while each one stays a full atomic write.
 */
export class CommitLoop {
  private running: Promise<void> | undefined;
  private dirty = false;
  private failure: unknown;

  constructor(private readonly write: () => Promise<void>) {}

  request(): void {
    this.dirty = true;
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty && this.failure === undefined) {
        this.dirty = false;
        await this.write();
      }
    } catch (err) {
      this.failure = err;
    } finally {
      this.running = undefined;
    }
  }

  /** Waits until everything requested so far is written; throws the first write failure. */
  async flush(): Promise<void> {
    if (this.running) await this.running;
    if (this.dirty && this.failure === undefined) {
      this.request();
      await this.running;
    }
    if (this.failure !== undefined) throw this.failure;
  }
}
