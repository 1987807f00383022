/**
 * The schedule model shared by the validator, hovers, completions and the scheduler. The text
 * grammar (issue 2) is parsed in parse-schedule.ts; run times are computed in next-runs.ts.
 */
export type IntervalUnit = 'minutes' | 'hours' | 'days';

/** 0 = Sunday … 6 = Saturday, as in cron and `Date#getDay`. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export type Schedule =
  /** `minutes` is the whole period, so bounds and run times never need the unit. */
  | { kind: 'interval'; every: number; unit: IntervalUnit; minutes: number }
  | { kind: 'daily'; hour: number; minute: number }
  | { kind: 'weekly'; weekday: Weekday; hour: number; minute: number }
  /** Days stop at 28 so that every month has the day; `last` covers month ends. */
  | { kind: 'monthly'; day: number | 'last'; hour: number; minute: number }
  /** Runs only on Sync Now; the scheduler never runs it. */
  | { kind: 'manual' };

/** Braze CDI's dashboard limits: every 15 minutes at most, once a month (31 days) at least. */
export const MIN_INTERVAL_MINUTES = 15;
export const MAX_INTERVAL_MINUTES = 31 * 24 * 60;

export const UNIT_MINUTES: Readonly<Record<IntervalUnit, number>> = { minutes: 1, hours: 60, days: 24 * 60 };

export const WEEKDAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/** `every 1 hour` reads better than `every 1 hours`; both parse. */
export function formatInterval(every: number | string, unit: IntervalUnit): string {
  return `every ${every} ${String(every) === '1' ? unit.slice(0, -1) : unit}`;
}

export function formatClock(hour: number, minute: number): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** Canonical text of a schedule (what quick fixes write and what `parseSchedule` reads back). */
export function formatSchedule(s: Schedule): string {
  switch (s.kind) {
    case 'interval':
      return formatInterval(s.every, s.unit);
    case 'daily':
      return `daily at ${formatClock(s.hour, s.minute)}`;
    case 'weekly':
      return `weekly on ${WEEKDAY_NAMES[s.weekday]} at ${formatClock(s.hour, s.minute)}`;
    case 'monthly':
      return `monthly on day ${s.day} at ${formatClock(s.hour, s.minute)}`;
    case 'manual':
      return 'manual';
  }
}

export interface ScheduleSnippet {
  /** A valid schedule, usable as a completion label and plain insert text. */
  text: string;
  /** The same as an LSP/VS Code snippet with tab stops and choices. */
  snippet: string;
  description: string;
}

/** Completion items for the `schedule` value, most common first. */
export const SCHEDULE_SNIPPETS: readonly ScheduleSnippet[] = [
  { text: 'every 15 minutes', snippet: 'every ${1|15,20,30,45|} minutes', description: 'The most frequent schedule allowed; runs at :00, :15, :30 and :45 in the time zone.' },
  { text: 'every 1 hour', snippet: 'every ${1|1,2,3,4,6,8,12|} hours', description: 'On the hour; periods that divide a day keep to the same clock times every day.' },
  { text: 'every 2 days', snippet: 'every ${1:2} days', description: 'At midnight in the time zone, every N days (up to 31).' },
  { text: 'daily at 09:00', snippet: 'daily at ${1:09}:${2:00}', description: 'Once a day at a 24-hour local time.' },
  { text: 'weekly on monday at 09:00', snippet: 'weekly on ${1|monday,tuesday,wednesday,thursday,friday,saturday,sunday|} at ${2:09}:${3:00}', description: 'Once a week on a weekday at a 24-hour local time.' },
  { text: 'monthly on day 1 at 09:00', snippet: 'monthly on day ${1:1} at ${2:09}:${3:00}', description: 'Once a month on day 1–28 at a 24-hour local time.' },
  { text: 'monthly on day last at 23:00', snippet: 'monthly on day last at ${1:23}:${2:00}', description: 'Once a month on its last day (28th–31st).' },
  { text: 'manual', snippet: 'manual', description: 'Never scheduled; runs only on Sync Now.' },
];
