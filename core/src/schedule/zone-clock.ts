/**
 * Reading wall clocks in IANA time zones (Intl) and finding where a local day starts (croner, so
 * that a midnight skipped by DST resolves the same way as every other schedule time).
 */
import { Cron } from 'croner';

const DAY_MS = 86_400_000;

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const CLOCK: Intl.DateTimeFormatOptions = { hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' };
const ZONE_NAME: Intl.DateTimeFormatOptions = { timeZoneName: 'short' };

// Intl formatters are costly to build and hovers ask often: one per style, locale and zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(style: 'clock' | 'zone-name', locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${style} ${locale} ${timeZone}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(locale, { timeZone, ...(style === 'clock' ? CLOCK : ZONE_NAME) })));
  return f;
}

export function wallClock(date: Date, timeZone: string): WallClock {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const p of formatter('clock', 'en-US', timeZone).formatToParts(date)) parts[p.type] = Number(p.value);
  return { year: parts.year ?? 0, month: parts.month ?? 1, day: parts.day ?? 1, hour: parts.hour ?? 0, minute: parts.minute ?? 0 };
}

/** Days since 1970-01-01 of the local calendar date: a time-zone-free day number. */
export function localEpochDay(date: Date, timeZone: string): number {
  const c = wallClock(date, timeZone);
  return Date.UTC(c.year, c.month - 1, c.day) / DAY_MS;
}

/**
 * The first instant of local day `epochDay` (its midnight, or the instant clocks jump to when DST
 * skips midnight). Local midnight lies within 14 h before to 12 h after UTC midnight, so croner's
 * midnights from 15 h before UTC midnight include it, possibly after the previous day's.
 */
export function startOfLocalDay(epochDay: number, timeZone: string): Date {
  const utcMidnight = epochDay * DAY_MS;
  const runs = new Cron('0 0 * * *', { timezone: timeZone }).nextRuns(3, new Date(utcMidnight - 15 * 3_600_000));
  return runs.find((d) => localEpochDay(d, timeZone) >= epochDay) ?? new Date(utcMidnight);
}

const WEEKDAY_SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/**
 * The zone's abbreviation where some English locale has one (CET, EST, IST, AEST); otherwise
 * Intl's `GMT+5:45` form. en-US alone would print `GMT+1` for Paris.
 */
function zoneAbbreviation(date: Date, timeZone: string): string {
  let fallback = 'UTC';
  for (const locale of ['en-US', 'en-GB', 'en-IN', 'en-AU']) {
    const name = formatter('zone-name', locale, timeZone).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value;
    if (name && !/^GMT[+\-\u2212]/.test(name)) return name;
    if (locale === 'en-US' && name) fallback = name;
  }
  return fallback;
}

function formatWallClock(c: WallClock, withDate: boolean): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(c.hour)}:${pad(c.minute)}`;
  return withDate ? `${c.year}-${pad(c.month)}-${pad(c.day)} ${time}` : time;
}

/**
 * A run time for people: `Mon 2026-11-30 09:00 CET (08:00 UTC)`. The UTC part repeats the date
 * when it differs, and is left out when the zone is UTC itself.
 */
export function formatRunTime(date: Date, timeZone: string): string {
  const local = wallClock(date, timeZone);
  const weekday = WEEKDAY_SHORT[new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay()];
  const abbreviation = zoneAbbreviation(date, timeZone);
  const text = `${weekday} ${formatWallClock(local, true)} ${abbreviation}`;
  if (abbreviation === 'UTC') return text;
  const utc = wallClock(date, 'UTC');
  const sameDate = utc.year === local.year && utc.month === local.month && utc.day === local.day;
  return `${text} (${formatWallClock(utc, !sameDate)} UTC)`;
}
