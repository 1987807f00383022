/**
 * Push diagnostics with a short per-document debounce. The delay follows what the last validation
 * of the document cost: an incremental re-check takes a few milliseconds, so it is published almost
 * at once, while a file that must be parsed whole (anchors, flow style) waits for a pause in typing
 * instead of blocking every keystroke. A newer edit cancels the pending run of an older version.
 */

const MIN_DELAY_MS = 10;
const MAX_DELAY_MS = 250;
/** Wait this many times the last validation's cost before validating again. */
const COST_FACTOR = 2;

export type Validate = (uri: string) => void;

export class DiagnosticsScheduler {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly lastCostMs = new Map<string, number>();

  constructor(private readonly validate: Validate) {}

  /** Validates `uri` after the debounce (at once when it has never been validated). */
  schedule(uri: string): void {
    this.cancel(uri);
    const cost = this.lastCostMs.get(uri);
    const delay = cost === undefined ? 0 : Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, cost * COST_FACTOR));
    this.pending.set(
      uri,
      setTimeout(() => this.run(uri), delay),
    );
  }

  /** Drops pending work for `uri`; `forget` also drops what it learned (the document closed). */
  cancel(uri: string, forget = false): void {
    const timer = this.pending.get(uri);
    if (timer) clearTimeout(timer);
    this.pending.delete(uri);
    if (forget) this.lastCostMs.delete(uri);
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private run(uri: string): void {
    this.pending.delete(uri);
    const start = performance.now();
    try {
      this.validate(uri);
    } finally {
      this.lastCostMs.set(uri, performance.now() - start);
    }
  }
}
