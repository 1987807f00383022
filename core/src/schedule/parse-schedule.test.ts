import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule, type ScheduleErrorCode } from './parse-schedule';
import { SCHEDULE_SNIPPETS, formatSchedule, type Schedule } from './schedule';

const valid: Array<[string, Schedule]> = [
  ['every 15 minutes', { kind: 'interval', every: 15, unit: 'minutes', minutes: 15 }],
  ['every 20 minute', { kind: 'interval', every: 20, unit: 'minutes', minutes: 20 }],
  ['every 1 hour', { kind: 'interval', every: 1, unit: 'hours', minutes: 60 }],
  ['  Every   2   HOURS  ', { kind: 'interval', every: 2, unit: 'hours', minutes: 120 }],
  ['every 1 day', { kind: 'interval', every: 1, unit: 'days', minutes: 1440 }],
  ['every 31 days', { kind: 'interval', every: 31, unit: 'days', minutes: 44640 }],
  ['every 744 hours', { kind: 'interval', every: 744, unit: 'hours', minutes: 44640 }],
  ['every 44640 minutes', { kind: 'interval', every: 44640, unit: 'minutes', minutes: 44640 }],
  ['every 015 minutes', { kind: 'interval', every: 15, unit: 'minutes', minutes: 15 }],
  ['daily at 09:00', { kind: 'daily', hour: 9, minute: 0 }],
  ['DAILY AT 9:05', { kind: 'daily', hour: 9, minute: 5 }],
  ['daily at 00:00', { kind: 'daily', hour: 0, minute: 0 }],
  ['daily at 23:59', { kind: 'daily', hour: 23, minute: 59 }],
  ['weekly on monday at 09:00', { kind: 'weekly', weekday: 1, hour: 9, minute: 0 }],
  ['Weekly On SUNDAY at 18:30', { kind: 'weekly', weekday: 0, hour: 18, minute: 30 }],
  ['weekly on sat at 06:15', { kind: 'weekly', weekday: 6, hour: 6, minute: 15 }],
  ['weekly\ton\tWed\tat\t12:00', { kind: 'weekly', weekday: 3, hour: 12, minute: 0 }],
  ['monthly on day 1 at 09:00', { kind: 'monthly', day: 1, hour: 9, minute: 0 }],
  ['monthly on day 28 at 23:45', { kind: 'monthly', day: 28, hour: 23, minute: 45 }],
  ['Monthly on Day LAST at 07:00', { kind: 'monthly', day: 'last', hour: 7, minute: 0 }],
  ['manual', { kind: 'manual' }],
  [' MANUAL ', { kind: 'manual' }],
];

test('parseSchedule reads every form, case-insensitive and with extra spaces', () => {
  for (const [text, schedule] of valid) {
    assert.deepEqual(parseSchedule(text), { ok: true, schedule }, text);
  }
});

test('formatSchedule writes canonical text that parses back to the same schedule', () => {
  for (const [, schedule] of valid) {
    const text = formatSchedule(schedule);
    assert.deepEqual(parseSchedule(text), { ok: true, schedule }, text);
  }
  assert.equal(formatSchedule({ kind: 'interval', every: 1, unit: 'hours', minutes: 60 }), 'every 1 hour');
  assert.equal(formatSchedule({ kind: 'weekly', weekday: 1, hour: 9, minute: 5 }), 'weekly on monday at 09:05');
  assert.equal(formatSchedule({ kind: 'monthly', day: 'last', hour: 0, minute: 0 }), 'monthly on day last at 00:00');
});

test('every completion snippet example is a valid schedule', () => {
  for (const s of SCHEDULE_SNIPPETS) assert.equal(parseSchedule(s.text).ok, true, s.text);
});

interface ErrorCase {
  text: string;
  code: ScheduleErrorCode;
  /** The exact text the error range covers. */
  marks: string;
  replacement?: string;
  says: string;
}

const errors: ErrorCase[] = [
  // Frequency bounds: the number is marked and replaced by the nearest allowed value in the same unit.
  { text: 'every 5 minutes', code: 'schedule-too-frequent', marks: '5', replacement: '15', says: 'Schedules run at most every 15 minutes; `every 5 minutes` is too frequent. Use every 15 minutes or more.' },
  { text: 'every 14 minutes', code: 'schedule-too-frequent', marks: '14', replacement: '15', says: 'every 15 minutes or more' },
  { text: 'every 0 minutes', code: 'schedule-too-frequent', marks: '0', replacement: '15', says: 'too frequent' },
  { text: 'every 0 hours', code: 'schedule-too-frequent', marks: '0', replacement: '1', says: 'Use every 1 hour or more.' },
  { text: 'every 0 days', code: 'schedule-too-frequent', marks: '0', replacement: '1', says: 'Use every 1 day or more.' },
  { text: 'every 32 days', code: 'schedule-too-rare', marks: '32', replacement: '31', says: 'Schedules run at least every 31 days; `every 32 days` is too rare. Use every 31 days or less' },
  { text: 'every 745 hours', code: 'schedule-too-rare', marks: '745', replacement: '744', says: 'Use every 744 hours or less' },
  { text: 'every 44641 minutes', code: 'schedule-too-rare', marks: '44641', replacement: '44640', says: 'Use every 44640 minutes or less' },
  { text: 'every 99999999999999999999999 days', code: 'schedule-too-rare', marks: '99999999999999999999999', replacement: '31', says: '`every 99999999999999999999999 days`' },
  // Unknown or misspelt words.
  { text: '', code: 'schedule-syntax', marks: '', says: 'The schedule is empty. Use one of: `every N minutes|hours|days`' },
  { text: '   ', code: 'schedule-syntax', marks: '', says: 'empty' },
  { text: 'wekly on monday at 09:00', code: 'schedule-syntax', marks: 'wekly', replacement: 'weekly', says: 'Unknown schedule `wekly`. Did you mean `weekly`? Use one of:' },
  { text: 'evry 15 minutes', code: 'schedule-syntax', marks: 'evry', replacement: 'every', says: 'Did you mean `every`?' },
  { text: 'hourly', code: 'schedule-syntax', marks: 'hourly', replacement: 'every 1 hour', says: 'Did you mean `every 1 hour`?' },
  { text: 'sometimes', code: 'schedule-syntax', marks: 'sometimes', says: '`monthly on day <1-28|last> at HH:MM`, `manual` (intervals from every 15 minutes to every 31 days; `manual` runs only on Sync Now).' },
  { text: 'weekly on moday at 09:00', code: 'schedule-syntax', marks: 'moday', replacement: 'monday', says: 'Unknown weekday `moday`. Did you mean `monday`?' },
  { text: 'weekly on thrusday at 09:00', code: 'schedule-syntax', marks: 'thrusday', replacement: 'thursday', says: 'Did you mean `thursday`?' },
  { text: 'weekly on someday at 09:00', code: 'schedule-syntax', marks: 'someday', says: 'Use monday … sunday (or mon … sun).' },
  { text: 'every 15 minuts', code: 'schedule-syntax', marks: 'minuts', replacement: 'minutes', says: 'Unknown unit `minuts`. Did you mean `minutes`?' },
  { text: 'every 2 weeks', code: 'schedule-syntax', marks: 'weeks', says: 'For weeks write `every 14 days` or `weekly on <weekday> at HH:MM`.' },
  { text: 'every hour', code: 'schedule-syntax', marks: 'hour', replacement: '1 hour', says: 'Did you mean `every 1 hour`?' },
  { text: 'every 1.5 hours', code: 'schedule-syntax', marks: '1.5', says: 'Expected a whole number after `every` but found `1.5`.' },
  { text: 'every -15 minutes', code: 'schedule-syntax', marks: '-15', says: 'whole number' },
  // Missing and out-of-place words.
  { text: 'every', code: 'schedule-syntax', marks: 'every', says: '`every` is missing a number and a unit. Write `every N minutes|hours|days`, e.g. `every 30 minutes`.' },
  { text: 'every 15', code: 'schedule-syntax', marks: '15', says: 'missing a unit' },
  { text: 'daily', code: 'schedule-syntax', marks: 'daily', says: '`daily` is missing `at`. Write `daily at HH:MM`' },
  { text: 'daily at', code: 'schedule-syntax', marks: 'at', says: 'missing a time' },
  { text: 'daily 09:00', code: 'schedule-syntax', marks: '09:00', replacement: 'at 09:00', says: 'Expected `at` but found `09:00`. Did you mean `at 09:00`?' },
  { text: 'daily a 09:00', code: 'schedule-syntax', marks: 'a', replacement: 'at', says: 'Did you mean `at`?' },
  { text: 'weekly monday at 09:00', code: 'schedule-syntax', marks: 'monday', replacement: 'on monday', says: 'Expected `on`' },
  { text: 'monthly on 15 at 09:00', code: 'schedule-syntax', marks: '15', replacement: 'day 15', says: 'Expected `day`' },
  { text: 'monthly on day 15', code: 'schedule-syntax', marks: '15', says: '`monthly` is missing `at`' },
  { text: 'daily at 09:00 and 17:00', code: 'schedule-syntax', marks: 'and 17:00', replacement: '', says: 'Unexpected `and 17:00` at the end.' },
  { text: 'manual please', code: 'schedule-syntax', marks: 'please', replacement: '', says: 'Unexpected `please`' },
  { text: 'every 15 minutes  starting now ', code: 'schedule-syntax', marks: 'starting now', replacement: '', says: 'Unexpected' },
  // Times.
  { text: 'daily at 24:00', code: 'schedule-syntax', marks: '24', says: 'Hour 24 does not exist: use 00–23 (24-hour clock).' },
  { text: 'daily at 9:60', code: 'schedule-syntax', marks: '60', says: 'Minute 60 does not exist: use 00–59.' },
  { text: 'weekly on friday at 99:99', code: 'schedule-syntax', marks: '99', says: 'Hour 99' },
  { text: 'daily at 9pm', code: 'schedule-syntax', marks: '9pm', replacement: '21:00', says: 'Expected a 24-hour time HH:MM (00:00–23:59) but found `9pm`. Did you mean `21:00`?' },
  { text: 'daily at 12:30AM', code: 'schedule-syntax', marks: '12:30AM', replacement: '00:30', says: 'Did you mean `00:30`?' },
  { text: 'daily at 12pm', code: 'schedule-syntax', marks: '12pm', replacement: '12:00', says: '`12:00`' },
  { text: 'daily at 13pm', code: 'schedule-syntax', marks: '13pm', says: 'HH:MM' },
  { text: 'daily at 0900', code: 'schedule-syntax', marks: '0900', says: 'Expected a 24-hour time HH:MM' },
  { text: 'daily at 9:5', code: 'schedule-syntax', marks: '9:5', says: 'HH:MM' },
  // Days of the month.
  { text: 'monthly on day 29 at 09:00', code: 'schedule-syntax', marks: '29', replacement: 'last', says: 'Day 29 is missing from some months, so the sync would skip them. Use 1–28, or `last`' },
  { text: 'monthly on day 31 at 09:00', code: 'schedule-syntax', marks: '31', replacement: 'last', says: 'Day 31' },
  { text: 'monthly on day 0 at 09:00', code: 'schedule-syntax', marks: '0', says: 'Expected a day of the month (1–28 or `last`) but found `0`.' },
  { text: 'monthly on day 32 at 09:00', code: 'schedule-syntax', marks: '32', says: 'Expected a day of the month' },
  { text: 'monthly on day 1st at 09:00', code: 'schedule-syntax', marks: '1st', replacement: '1', says: 'Did you mean `1`?' },
  { text: 'monthly on day lst at 09:00', code: 'schedule-syntax', marks: 'lst', replacement: 'last', says: 'Did you mean `last`?' },
];

test('parseSchedule errors: code, exact range, message and fix', () => {
  for (const c of errors) {
    const r = parseSchedule(c.text);
    assert.equal(r.ok, false, c.text);
    if (r.ok) continue;
    assert.equal(r.code, c.code, c.text);
    assert.equal(c.text.slice(r.start, r.end), c.marks, `range of ${JSON.stringify(c.text)}`);
    assert.ok(r.message.includes(c.says), `${JSON.stringify(c.text)}: ${r.message}`);
    assert.equal(r.replacement, c.replacement, `replacement for ${JSON.stringify(c.text)}`);
  }
});

test('applying the suggested replacement always yields a valid schedule (quick fixes)', () => {
  for (const c of errors.filter((e) => e.replacement !== undefined)) {
    const r = parseSchedule(c.text);
    assert.ok(!r.ok);
    const fixed = c.text.slice(0, r.start) + r.replacement + c.text.slice(r.end);
    assert.equal(parseSchedule(fixed).ok, true, `${c.text} → ${fixed}`);
  }
});

test('parseSchedule never throws and always returns a range inside the text', () => {
  const words = ['every', 'daily', 'weekly', 'monthly', 'manual', 'on', 'at', 'day', 'last', 'monday', 'mon', '15', '0', '999', 'minutes', 'hour', 'days', '09:00', '25:61', ':', '9pm', '', ' ', '\t', 'x', '-1', '1.5', '𝒙'];
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 3000; i++) {
    const text = Array.from({ length: Math.floor(random() * 7) }, () => words[Math.floor(random() * words.length)]).join(random() < 0.5 ? ' ' : '  ');
    const r = parseSchedule(text);
    if (!r.ok) {
      assert.ok(r.start >= 0 && r.start <= r.end && r.end <= text.length, `range for ${JSON.stringify(text)}`);
      assert.ok(r.message.length > 0);
    } else {
      assert.deepEqual(parseSchedule(formatSchedule(r.schedule)), r, text);
    }
  }
});
