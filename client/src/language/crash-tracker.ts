/**
 * Decides whether a language server that stopped unexpectedly is restarted: a server that keeps
 * crashing is left stopped (and the user told so) rather than restarted in a tight loop.
 */
export interface CrashDecision {
  restart: boolean;
  /** Crashes within the window, this one included. */
  recentCrashes: number;
  maxCrashes: number;
  windowMinutes: number;
}

export class CrashTracker {
  private crashes: number[] = [];

  constructor(
    private readonly maxCrashes = 5,
    private readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  recordCrash(): CrashDecision {
    const t = this.now();
    this.crashes = [...this.crashes.filter((c) => t - c < this.windowMs), t];
    return {
      restart: this.crashes.length < this.maxCrashes,
      recentCrashes: this.crashes.length,
      maxCrashes: this.maxCrashes,
      windowMinutes: Math.round(this.windowMs / 60_000),
    };
  }

  /** After a manual restart the user gets a fresh allowance. */
  reset(): void {
    this.crashes = [];
  }
}

/** The notification text for a crash; it never includes server output (which could hold file content). */
export function crashMessage(d: CrashDecision): string {
  return d.restart
    ? `Braze Sync: the language server stopped unexpectedly and was restarted (${d.recentCrashes} of ${d.maxCrashes} restarts allowed in ${d.windowMinutes} minutes). The log has the details.`
    : `Braze Sync: the language server stopped ${d.recentCrashes} times in ${d.windowMinutes} minutes and was not restarted, so diagnostics, completion and CodeLens are off. The log has the details.`;
}
