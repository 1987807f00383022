/**
 * Push diagnostics with a short per-document debounce: changes that arrive together (fast typing,
 * a paste applied as several edits) are validated once, for the newest version. A newer edit
 * cancels the pending run of an older one. The delay is short because validating after an edit
 * re-checks only the sync that changed; while a slow validation (a file that must be parsed whole)
 * blocks the event loop, the changes that queue up meanwhile are coalesced the same way.
 */

const DELAY_MS = 15;

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
