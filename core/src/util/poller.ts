/**
 * Calls `tick` every `intervalMs` while `wanted()` holds, one tick at a time (a slow database never
 * stacks reads), without holding the process open. Used where something must be looked for
 * because nothing announces it: the editor's views of shared state (the state store sends no
 * notifications, and a poll of a few reads while a view is visible costs less than a listening
 * connection held open by every editor), a fleet host's sweep for dead hosts' runs.
 */
export class Poller {
  private readonly timer: NodeJS.Timeout;
  private busy = false;

  constructor(
    intervalMs: number,
    private readonly wanted: () => boolean,
    private readonly tick: () => Promise<void>,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.timer = setInterval(() => void this.run(), intervalMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.busy || !this.wanted()) return;
    this.busy = true;
    try {
      await this.tick();
    } catch (err) {
      this.onError(err);
    } finally {
      this.busy = false;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
