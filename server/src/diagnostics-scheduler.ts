/**
 * Push diagnostics with a very short per-document debounce: a newer edit cancels the pending run of
 * an older one, so changes that arrive together are validated once, for the newest version. An
 * edit re-checks only the sync that changed (a few ms in a 1,000-sync file), so waiting longer
 * would only delay the answer. While a slow validation (a file that must be parsed whole) blocks
 * the event loop, the changes that queue up meanwhile are handled one per loop turn, each in well
 * under the delay, and so are coalesced too.
 */

const DELAY_MS = 2;

export type Validate = (uri: string) => void;

export class DiagnosticsScheduler {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly validate: Validate) {}

  /** Validates `uri` after the debounce, or at once (a freshly opened document). */
  schedule(uri: string, immediately = false): void {
    this.cancel(uri);
    this.pending.set(
      uri,
      setTimeout(() => {
        this.pending.delete(uri);
        this.validate(uri);
      }, immediately ? 0 : DELAY_MS),
    );
  }

  /** Drops pending work for `uri`. */
  cancel(uri: string): void {
    clearTimeout(this.pending.get(uri));
    this.pending.delete(uri);
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
