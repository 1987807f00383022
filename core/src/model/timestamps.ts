/**
 * `UPDATED_AT` values travel as the database's text form so no precision is lost (a JS Date keeps
 * milliseconds only). Comparisons and window arithmetic use integer microseconds since the epoch,
 * which fit a double exactly for any realistic date.
 */

/** A timestamp, or a date alone (a `date` UPDATED_AT column): midnight UTC. */
const TS = /^(\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?)?$/i;

/** Microseconds since the epoch for a timestamp text; values without an offset are taken as UTC. */
export function parseTimestampMicros(text: string): number {
  const t = text.trim();
  if (/^infinity$/i.test(t)) return Number.POSITIVE_INFINITY;
  if (/^-infinity$/i.test(t)) return Number.NEGATIVE_INFINITY;
  const m = TS.exec(t);
  if (!m) throw new Error(`Unrecognised timestamp "${text}"; expected YYYY-MM-DD[ HH:MM:SS[.ffffff][+HH[:MM]]].`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const micros = frac ? Number(frac.padEnd(6, '0')) : 0;
  return ms * 1000 + micros - zoneOffsetMicros(zone);
}

function zoneOffsetMicros(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(/:/g, '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  const seconds = Number(digits.slice(4, 6) || '0');
  return sign * ((hours * 60 + minutes) * 60 + seconds) * 1_000_000;
}

/** Canonical UTC text `YYYY-MM-DD HH:MM:SS.ffffff+00`, accepted by Redshift and PostgreSQL. */
export function formatTimestampMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = micros - ms * 1000;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(rest).padStart(3, '0')}+00`;
}

/** A JS Date as canonical timestamp text (for `now`, bound as a query parameter). */
export function formatDate(date: Date): string {
  return formatTimestampMicros(date.getTime() * 1000);
}

/** ISO 8601 with microseconds, the form written to history and JSON output. */
export function toIsoMicros(text: string): string {
  const micros = parseTimestampMicros(text);
  if (!Number.isFinite(micros)) return text;
  return formatTimestampMicros(micros).replace(' ', 'T').replace(/\+00$/, 'Z');
}

const UNIT_MICROS: Record<string, number> = {
  second: 1_000_000,
  minute: 60_000_000,
  hour: 3_600_000_000,
  day: 86_400_000_000,
};

/** `30 minutes` → microseconds; the schema already restricts the syntax, this re-checks it. */
export function parseLookback(text: string): number {
  return parseDuration(text, 'lookback', '"30 minutes" or "2 hours"');
}

/** `30 days` → microseconds (`resend_every`). */
export function parseResendEvery(text: string): number {
  return parseDuration(text, 'resend_every', '"30 days" or "12 hours"');
}

function parseDuration(text: string, field: string, examples: string): number {
  const m = /^\s*(\d+)\s+(second|minute|hour|day)s?\s*$/i.exec(text);
  if (!m) throw new Error(`Invalid ${field} "${text}": write a number and a unit, e.g. ${examples}.`);
  return Number(m[1]) * (UNIT_MICROS[(m[2] ?? '').toLowerCase()] ?? 0);
}
