/**
 * Parser for the schedule grammar of issue 2. Errors carry character offsets into the text so the
 * validator can underline exactly the bad word, and a `replacement` for that range when the fix is
 * unambiguous, so the language server can offer it as a quick fix.
 */
import { closest } from '../util/closest';
import {
  MAX_INTERVAL_MINUTES, MIN_INTERVAL_MINUTES, UNIT_MINUTES, WEEKDAY_NAMES, formatClock, formatInterval,
  type IntervalUnit, type Schedule, type Weekday,
} from './schedule';

export type ScheduleErrorCode = 'schedule-syntax' | 'schedule-too-frequent' | 'schedule-too-rare';

export interface ScheduleError {
  ok: false;
  code: ScheduleErrorCode;
  message: string;
  /** Offsets into the parsed text: [start, end) is the part to underline. */
  start: number;
  end: number;
  /** Text that fixes [start, end) when there is one obvious fix; '' means delete the range. */
  replacement?: string;
}

export type ScheduleParseResult = { ok: true; schedule: Schedule } | ScheduleError;

interface Token {
  text: string;
  lower: string;
  start: number;
  end: number;
}

/** Each form's grammar and an example, keyed by its first word; messages quote them. */
const FORMS = {
  every: ['every N minutes|hours|days', 'every 30 minutes'],
  daily: ['daily at HH:MM', 'daily at 09:00'],
  weekly: ['weekly on <weekday> at HH:MM', 'weekly on monday at 09:00'],
  monthly: ['monthly on day <1-28|last> at HH:MM', 'monthly on day 1 at 09:00'],
  manual: ['manual', 'manual'],
} as const;
type Form = keyof typeof FORMS;
const KEYWORDS = Object.keys(FORMS) as Form[];

const MOST_OFTEN = formatInterval(MIN_INTERVAL_MINUTES, 'minutes');
const LEAST_OFTEN = formatInterval(MAX_INTERVAL_MINUTES / UNIT_MINUTES.days, 'days');
const ACCEPTED =
  `Use one of: ${KEYWORDS.map((k) => `\`${FORMS[k][0]}\``).join(', ')} ` +
  `(intervals from ${MOST_OFTEN} to ${LEAST_OFTEN}; \`manual\` runs only on Sync Now).`;

const UNIT_WORDS: Readonly<Record<string, IntervalUnit>> = {
  minutes: 'minutes', minute: 'minutes', hours: 'hours', hour: 'hours', days: 'days', day: 'days',
};

/** Thrown inside the parser only; parseSchedule turns it into the error result. */
class Failure {
  constructor(readonly error: ScheduleError) {}
}

function fail(at: { start: number; end: number }, message: string, replacement?: string, code: ScheduleErrorCode = 'schedule-syntax'): never {
  const error: ScheduleError = { ok: false, code, message, start: at.start, end: at.end };
  if (replacement !== undefined) error.replacement = replacement;
  throw new Failure(error);
}

function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` Did you mean \`${suggestion}\`?`;
}

function howTo(form: Form): string {
  const [syntax, example] = FORMS[form];
  return `Write \`${syntax}\`, e.g. \`${example}\`.`;
}

/** Reads the words of one form in order; every failure names the form being read. */
class Reader {
  private i = 1;
  constructor(private readonly tokens: readonly Token[], private readonly form: Form) {}

  /** The next word; when the text ends early, the last word is blamed (a visible range). */
  next(what: string): Token {
    const t = this.tokens[this.i++];
    if (t) return t;
    const last = this.tokens[this.tokens.length - 1] ?? { start: 0, end: 0 };
    return fail(last, `\`${this.form}\` is missing ${what}. ${howTo(this.form)}`);
  }

  keyword(word: string): void {
    const t = this.next(`\`${word}\``);
    if (t.lower === word) return;
    // A misspelt keyword gets corrected; a value where the keyword belongs gets the keyword inserted.
    const fix = closest(t.lower, [word]) ?? (isValueWord(t.lower) ? `${word} ${t.text}` : undefined);
    fail(t, `Expected \`${word}\` but found \`${t.text}\`.${didYouMean(fix)} ${howTo(this.form)}`, fix);
  }

  end(): void {
    const extra = this.tokens[this.i];
    const last = this.tokens[this.tokens.length - 1];
    if (!extra || !last) return;
    const text = this.tokens.slice(this.i).map((t) => t.text).join(' ');
    fail({ start: extra.start, end: last.end }, `Unexpected \`${text}\` at the end. ${howTo(this.form)}`, '');
  }
}

export function parseSchedule(text: string): ScheduleParseResult {
  const tokens = [...text.matchAll(/\S+/g)].map((m) => {
    const start = m.index ?? 0;
    return { text: m[0], lower: m[0].toLowerCase(), start, end: start + m[0].length };
  });
  try {
    return { ok: true, schedule: parseTokens(tokens) };
  } catch (e) {
    if (e instanceof Failure) return e.error;
    throw e;
  }
}

function parseTokens(tokens: readonly Token[]): Schedule {
  const first = tokens[0];
  if (!first) return fail({ start: 0, end: 0 }, `The schedule is empty. ${ACCEPTED}`);
  if (!(KEYWORDS as string[]).includes(first.lower)) {
    // `hourly` is the one natural word the grammar spells differently.
    const suggestion = first.lower === 'hourly' ? 'every 1 hour' : closest(first.lower, KEYWORDS);
    return fail(first, `Unknown schedule \`${first.text}\`.${didYouMean(suggestion)} ${ACCEPTED}`, suggestion);
  }
  const form = first.lower as Form;
  const r = new Reader(tokens, form);
  let schedule: Schedule;
  switch (form) {
    case 'manual':
      schedule = { kind: 'manual' };
      break;
    case 'every':
      schedule = readInterval(r);
      break;
    case 'daily':
      r.keyword('at');
      schedule = { kind: 'daily', ...readTime(r) };
      break;
    case 'weekly': {
      r.keyword('on');
      const weekday = readWeekday(r);
      r.keyword('at');
      schedule = { kind: 'weekly', weekday, ...readTime(r) };
      break;
    }
    case 'monthly': {
      r.keyword('on');
      r.keyword('day');
      const day = readDayOfMonth(r);
      r.keyword('at');
      schedule = { kind: 'monthly', day, ...readTime(r) };
      break;
    }
  }
  r.end();
  return schedule;
}

function readInterval(r: Reader): Schedule {
  const num = r.next('a number and a unit');
  if (!/^\d+$/.test(num.text)) {
    // `every hour` / `every day`: the user left out the 1.
    const unit = UNIT_WORDS[num.lower];
    const fix = unit && `1 ${unit.slice(0, -1)}`;
    fail(num, `Expected a whole number after \`every\` but found \`${num.text}\`.${didYouMean(fix && `every ${fix}`)} ${howTo('every')}`, fix);
  }
  const unitToken = r.next('a unit (minutes, hours or days)');
  const unit = UNIT_WORDS[unitToken.lower];
  if (!unit) {
    const suggestion = closest(unitToken.lower, Object.keys(UNIT_WORDS));
    const weeks = /^weeks?$/.test(unitToken.lower) ? ` For weeks write \`every ${Number(num.text) * 7} days\` or \`${FORMS.weekly[0]}\`.` : '';
    return fail(unitToken, `Unknown unit \`${unitToken.text}\`.${didYouMean(suggestion)} Use minutes, hours or days (e.g. \`every 6 hours\`).${weeks}`, suggestion);
  }
  const every = Number(num.text);
  const minutes = every * UNIT_MINUTES[unit];
  const written = `every ${num.text} ${unitToken.lower}`;
  if (minutes < MIN_INTERVAL_MINUTES) {
    const least = Math.ceil(MIN_INTERVAL_MINUTES / UNIT_MINUTES[unit]);
    fail(num, `Schedules run at most ${MOST_OFTEN}; \`${written}\` is too frequent. Use ${formatInterval(least, unit)} or more.`, String(least), 'schedule-too-frequent');
  }
  if (minutes > MAX_INTERVAL_MINUTES) {
    const most = Math.floor(MAX_INTERVAL_MINUTES / UNIT_MINUTES[unit]);
    fail(num, `Schedules run at least ${LEAST_OFTEN}; \`${written}\` is too rare. Use ${formatInterval(most, unit)} or less, or \`monthly on day <1-28|last> at HH:MM\`.`, String(most), 'schedule-too-rare');
  }
  return { kind: 'interval', every, unit, minutes };
}

function readTime(r: Reader): { hour: number; minute: number } {
  const t = r.next('a time (HH:MM, 24-hour)');
  const hhmm = /^(\d{1,2}):(\d{2})$/.exec(t.text);
  if (hhmm) {
    const hour = Number(hhmm[1]);
    const minute = Number(hhmm[2]);
    const colon = t.text.indexOf(':');
    if (hour > 23) fail({ start: t.start, end: t.start + colon }, `Hour ${hour} does not exist: use 00–23 (24-hour clock).`);
    if (minute > 59) fail({ start: t.start + colon + 1, end: t.end }, `Minute ${hhmm[2]} does not exist: use 00–59.`);
    return { hour, minute };
  }
  const ampm = /^(\d{1,2})(?::(\d{2}))?(am|pm)$/.exec(t.lower);
  const h12 = Number(ampm?.[1]);
  const m12 = Number(ampm?.[2] ?? 0);
  const fix = ampm && h12 >= 1 && h12 <= 12 && m12 <= 59 ? formatClock((h12 % 12) + (ampm[3] === 'pm' ? 12 : 0), m12) : undefined;
  return fail(t, `Expected a 24-hour time HH:MM (00:00–23:59) but found \`${t.text}\`.${didYouMean(fix)}`, fix);
}

/** Full English names and their three-letter abbreviations; -1 when `word` is neither. */
function weekdayIndex(word: string): number {
  return WEEKDAY_NAMES.findIndex((name) => word === name || word === name.slice(0, 3));
}

/** Words that fill a slot (time, day number, weekday), as opposed to keywords. */
function isValueWord(word: string): boolean {
  return /^\d/.test(word) || word === 'last' || weekdayIndex(word) >= 0;
}

function readWeekday(r: Reader): Weekday {
  const t = r.next('a weekday');
  const index = weekdayIndex(t.lower);
  if (index >= 0) return index as Weekday;
  const suggestion = closest(t.lower, WEEKDAY_NAMES);
  return fail(t, `Unknown weekday \`${t.text}\`.${didYouMean(suggestion)} Use monday … sunday (or mon … sun).`, suggestion);
}

function readDayOfMonth(r: Reader): number | 'last' {
  const t = r.next('a day of the month (1-28 or last)');
  if (t.lower === 'last') return 'last';
  const digits = /^(\d+)(st|nd|rd|th)?$/.exec(t.lower);
  const day = Number(digits?.[1]);
  if (digits && !digits[2] && day >= 1 && day <= 28) return day;
  if (day >= 29 && day <= 31) fail(t, `Day ${day} is missing from some months, so the sync would skip them. Use 1–28, or \`last\` for the last day of every month.`, 'last');
  const fix = digits && day >= 1 && day <= 28 ? String(day) : closest(t.lower, ['last']);
  return fail(t, `Expected a day of the month (1–28 or \`last\`) but found \`${t.text}\`.${didYouMean(fix)} ${howTo('monthly')}`, fix);
}
