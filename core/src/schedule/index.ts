/** The schedule module: grammar, run times and time zones. Pure: no I/O, no editor APIs. */
export {
  MAX_INTERVAL_MINUTES, MIN_INTERVAL_MINUTES, SCHEDULE_SNIPPETS, WEEKDAY_NAMES, formatSchedule,
  type IntervalUnit, type Schedule, type ScheduleSnippet, type Weekday,
} from './schedule';
export { parseSchedule, type ScheduleErrorCode, type ScheduleError, type ScheduleParseResult } from './parse-schedule';
export { MAX_RUNS, nextRunTimes } from './next-runs';
export { isValidTimeZone, listTimeZones, suggestTimeZone } from './time-zones';
export { formatRunTime } from './zone-clock';
