/** Small, deterministic text formats for the tree, notifications and webviews. */
import { toIsoMicros } from '../../../core/src/model/timestamps';

/** `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 10 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** `just now`, `5 min ago`, `3 h ago`, `2 days ago`; future times read `in 5 min`. */
export function relativeTime(at: Date, now: Date): string {
  const diff = now.getTime() - at.getTime();
  const abs = Math.abs(diff);
  const text =
    abs < 45_000
      ? undefined
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 86_400_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} days`;
  if (!text) return 'just now';
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/**
 * The one format for points in time the extension shows (runs, watermarks, dialogs): ISO 8601 in
 * UTC, `2026-11-28T10:02:03Z`, as the CLI and the run history print them.
 */
export function formatUtc(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

/** A watermark (database text) as the CLI and the run history print it: ISO 8601 UTC with microseconds. */
export function formatWatermark(text: string): string {
  try {
    return toIsoMicros(text);
  } catch {
    return text;
  }
}

/** `2026-11-28 10:02:03` in `timeZone` (for schedule times, which belong to their zone). */
export function formatLocalTime(at: Date, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
