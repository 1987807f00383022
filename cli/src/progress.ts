/**
 * Sync progress for people: a redrawn bar on a terminal, a plain line every few seconds otherwise
 * (CI logs, files). Written to stderr so stdout stays machine-readable.
 */
import type { SyncProgress } from '../../core/src/sync/engine';
import { formatCount } from './sync-args';

export interface ProgressReporter {
  update(p: SyncProgress): void;
  done(): void;
}

const BAR_WIDTH = 28;
const TTY_INTERVAL_MS = 100;
const PLAIN_INTERVAL_MS = 2000;

export function progressReporter(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string, now: () => number = Date.now): ProgressReporter {
  const tty = stream.isTTY === true;
  const start = now();
  let last = 0;
  let latest: SyncProgress | undefined;
  let drawn = false;

  const line = (p: SyncProgress) => {
    const seen = p.read + p.skipped;
    // The total arrives from a count that runs beside the read: until then, no percentage.
    const total = p.total === undefined ? undefined : Math.max(p.total, seen);
    const ratio = total === undefined ? 0 : total === 0 ? 1 : seen / total;
    const percent = total === undefined ? '  …' : String(Math.floor(ratio * 100)).padStart(3);
    const seconds = Math.max((now() - start) / 1000, 0.001);
    const rate = Math.round(p.read / seconds);
    const counts = `${formatCount(seen)}/${total === undefined ? '?' : formatCount(total)} rows · ${formatCount(p.synced)} synced · ${formatCount(p.failed)} failed · ${formatCount(rate)} rows/s`;
    if (!tty) return `${label}: ${percent.trim()}% ${counts}`;
    const filled = Math.round(ratio * BAR_WIDTH);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${percent}% ${counts}`;
  };

  const draw = (p: SyncProgress) => {
    if (tty) stream.write(`\r\u001b[2K${line(p)}`);
    else stream.write(`${line(p)}\n`);
    drawn = true;
  };

  return {
    update(p) {
      latest = p;
      const t = now();
      if (t - last < (tty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS)) return;
      last = t;
      draw(p);
    },
    done() {
      if (latest) draw(latest);
      if (tty && drawn) stream.write('\n');
    },
  };
}
