/**
 * When a schedule runs. Calendar times go through croner, whose DST handling is what issue 5 asks
 * for (measured in postgres-http-scheduling.md §6): a fixed local time keeps its wall-clock time
 * across changes, runs once at the instant clocks jump to when it does not exist, and once (at the
 * first occurrence) when it happens twice.
 *
 * Intervals (`every N …`), by period P:
 * - P divides a day (15, 20, 30, 45, 90 minutes, 1, 2, 3, 4, 6, 8, 12, 24 hours, …): a wall-clock
 *   grid that starts at local midnight, e.g. every 15 minutes → :00 :15 :30 :45, every 2 hours →
 *   00:00 02:00 …. croner runs it as a cron interval: when clocks go back the repeated times run
 *   again (so every 15 minutes stays 15 real minutes apart), when they go forward the skipped times
 *   do not run.
 * - P is whole days (every 2…31 days): local midnight of every P-th day, counted from 1970-01-01
 *   (or from the anchor's local date), so the time stays 00:00 across DST.
 * - Any other P (every 50 minutes, 5 hours, 36 hours): steps of P in real time. Without an anchor,
 *   the steps restart at local midnight every L days, L being the fewest whole days that are a
 *   multiple of P (every 5 hours: L = 5), counted from 1970-01-01; unless DST changed within the
 *   cycle, the restart falls exactly on the next step. With an anchor, the steps run from it.
 *
 * Without an anchor every run time is a pure function of the schedule and the zone: hovers and the
 * scheduler agree, restarts and Sync Now never shift the grid. An anchor, when given, should be a
 * planned run instant (not when a run actually started), or the grid drifts.
 */
import { Cron } from 'croner';
import { UNIT_MINUTES, type Schedule } from './schedule';
import { isKnownToIntl } from './time-zones';
import { localEpochDay, startOfLocalDay } from './zone-clock';

/** Upper bound on `count`, so a bad argument cannot allocate without end. */
export const MAX_RUNS = 1000;

const DAY_MINUTES = UNIT_MINUTES.days;
const MINUTE_MS = 60_000;

/**
 * The next `count` run instants strictly after `from`, in order. `manual` never runs. Throws a
 * RangeError only for a zone Intl does not know or an interval that is not a positive whole number
 * of minutes (which parseSchedule never produces).
 */
export function nextRunTimes(schedule: Schedule, timeZone: string, from: Date, count: number, anchor?: Date): Date[] {
  if (!isKnownToIntl(timeZone)) throw new RangeError(`Unknown time zone "${timeZone}": use an IANA name such as Europe/Paris or UTC.`);
  const n = Math.min(Math.floor(count), MAX_RUNS);
  if (!(n > 0) || Number.isNaN(from.getTime())) return [];
  const validAnchor = anchor && !Number.isNaN(anchor.getTime()) ? anchor : undefined;
  switch (schedule.kind) {
    case 'manual':
      return [];
    case 'daily':
      return cronRuns([`${schedule.minute} ${schedule.hour} * * *`], timeZone, from, n);
    case 'weekly':
      return cronRuns([`${schedule.minute} ${schedule.hour} * * ${schedule.weekday}`], timeZone, from, n);
    case 'monthly':
      return cronRuns([`${schedule.minute} ${schedule.hour} ${schedule.day === 'last' ? 'L' : schedule.day} * *`], timeZone, from, n);
    case 'interval':
      return intervalRuns(schedule.minutes, timeZone, from, n, validAnchor);
  }
}

function intervalRuns(minutes: number, timeZone: string, from: Date, count: number, anchor: Date | undefined): Date[] {
  if (!Number.isInteger(minutes) || minutes <= 0) throw new RangeError(`An interval must be a positive whole number of minutes, not ${minutes}.`);
  if (DAY_MINUTES % minutes === 0) return cronRuns(dayGridPatterns(minutes), timeZone, from, count);
  if (minutes % DAY_MINUTES === 0) return everyNthDay(minutes / DAY_MINUTES, timeZone, from, count, anchor);
  return realTimeSteps(minutes, timeZone, from, count, anchor);
}

function cronRuns(patterns: readonly string[], timeZone: string, from: Date, count: number): Date[] {
  const runs = patterns.flatMap((p) => new Cron(p, { timezone: timeZone }).nextRuns(count, from));
  runs.sort((a, b) => a.getTime() - b.getTime());
  return runs.filter((d, i) => d.getTime() !== runs[i - 1]?.getTime()).slice(0, count);
}

/**
 * Cron patterns for the grid 00:00 + k·P of a period dividing a day. Cron has no "every 45
 * minutes", so hours that share the same minutes become one pattern (45: `0,45 0,3,…`,
 * `30 1,4,…`, `15 2,5,…`).
 */
function dayGridPatterns(period: number): string[] {
  const hoursByMinutes = new Map<string, number[]>();
  for (let hour = 0; hour < 24; hour++) {
    const minutes: number[] = [];
    for (let t = Math.ceil((hour * 60) / period) * period; t < (hour + 1) * 60; t += period) minutes.push(t % 60);
    const key = minutes.join(',');
    if (key) hoursByMinutes.set(key, [...(hoursByMinutes.get(key) ?? []), hour]);
  }
  return [...hoursByMinutes].map(([minutes, hours]) => `${minutes} ${hours.length === 24 ? '*' : hours.join(',')} * * *`);
}

/** Local midnight of the days ≡ the anchor's local date (or 1970-01-01) modulo `days`. */
function everyNthDay(days: number, timeZone: string, from: Date, count: number, anchor: Date | undefined): Date[] {
  const phase = anchor ? localEpochDay(anchor, timeZone) : 0;
  const fromDay = localEpochDay(from, timeZone);
  const runs: Date[] = [];
  for (let day = fromDay + mod(phase - fromDay, days); runs.length < count; day += days) {
    const start = startOfLocalDay(day, timeZone);
    if (start > from) runs.push(start);
  }
  return runs;
}

function realTimeSteps(minutes: number, timeZone: string, from: Date, count: number, anchor: Date | undefined): Date[] {
  const period = minutes * MINUTE_MS;
  if (anchor) return steps(Math.floor(anchor.getTime() / MINUTE_MS) * MINUTE_MS, Infinity, period, from.getTime(), count);
  const cycleDays = minutes / gcd(minutes, DAY_MINUTES);
  const fromDay = localEpochDay(from, timeZone);
  const runs: Date[] = [];
  for (let day = fromDay - mod(fromDay, cycleDays); runs.length < count; day += cycleDays) {
    const cycleStart = startOfLocalDay(day, timeZone).getTime();
    const cycleEnd = startOfLocalDay(day + cycleDays, timeZone).getTime();
    // Later cycles start after `from`: their first run is the cycle start itself.
    runs.push(...steps(cycleStart, cycleEnd, period, Math.max(from.getTime(), cycleStart - 1), count - runs.length));
  }
  return runs;
}

/** base + k·period (any whole k) strictly after `after` and before `end`. */
function steps(base: number, end: number, period: number, after: number, count: number): Date[] {
  const runs: Date[] = [];
  for (let t = base + (Math.floor((after - base) / period) + 1) * period; t < end && runs.length < count; t += period) {
    runs.push(new Date(t));
  }
  return runs;
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
