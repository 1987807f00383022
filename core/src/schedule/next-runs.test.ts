import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RUNS, nextRunTimes } from './next-runs';
import { parseSchedule } from './parse-schedule';
import type { Schedule } from './schedule';
import { localEpochDay, wallClock } from './zone-clock';

function schedule(text: string): Schedule {
  const r = parseSchedule(text);
  if (!r.ok) throw new Error(`${text}: ${r.message}`);
  return r.schedule;
}

function runs(text: string, timeZone: string, from: string, count: number, anchor?: string): string[] {
  return nextRunTimes(schedule(text), timeZone, new Date(from), count, anchor ? new Date(anchor) : undefined).map((d) => d.toISOString());
}

const iso = (s: string) => new Date(s).toISOString();
const MINUTE = 60_000;
const DAY = 86_400_000;

// Europe/Paris 2026: clocks go forward 29 March 02:00 CET → 03:00 CEST, back 25 October 03:00 CEST → 02:00 CET.
// America/New_York 2026: forward 8 March 02:00 EST → 03:00 EDT, back 1 November 02:00 EDT → 01:00 EST.
const cases: Array<{ name: string; text: string; tz: string; from: string; anchor?: string; expect: string[] }> = [
  { name: 'Paris daily 09:00 stays 09:00 across spring-forward', text: 'daily at 09:00', tz: 'Europe/Paris', from: '2026-03-27T12:00Z',
    expect: ['2026-03-28T08:00Z', '2026-03-29T07:00Z', '2026-03-30T07:00Z'] },
  { name: 'Paris daily 09:00 stays 09:00 across fall-back', text: 'daily at 09:00', tz: 'Europe/Paris', from: '2026-10-23T12:00Z',
    expect: ['2026-10-24T07:00Z', '2026-10-25T08:00Z', '2026-10-26T08:00Z'] },
  { name: 'Paris nonexistent 02:30 runs once at 03:00 CEST', text: 'daily at 02:30', tz: 'Europe/Paris', from: '2026-03-28T12:00Z',
    expect: ['2026-03-29T01:00Z', '2026-03-30T00:30Z'] },
  { name: 'Paris ambiguous 02:30 runs once, at the first (CEST) occurrence', text: 'daily at 02:30', tz: 'Europe/Paris', from: '2026-10-24T12:00Z',
    expect: ['2026-10-25T00:30Z', '2026-10-26T01:30Z'] },
  { name: 'Paris every 15 minutes jumps 01:45 CET → 03:00 CEST, 15 real minutes', text: 'every 15 minutes', tz: 'Europe/Paris', from: '2026-03-29T00:20Z',
    expect: ['2026-03-29T00:30Z', '2026-03-29T00:45Z', '2026-03-29T01:00Z', '2026-03-29T01:15Z'] },
  { name: 'Paris every 15 minutes runs the repeated hour twice, 15 real minutes', text: 'every 15 minutes', tz: 'Europe/Paris', from: '2026-10-25T00:35Z',
    expect: ['2026-10-25T00:45Z', '2026-10-25T01:00Z', '2026-10-25T01:15Z', '2026-10-25T01:30Z'] },
  { name: 'Paris every 2 hours keeps even local hours; 02:00 does not exist', text: 'every 2 hours', tz: 'Europe/Paris', from: '2026-03-28T22:30Z',
    expect: ['2026-03-28T23:00Z', '2026-03-29T02:00Z', '2026-03-29T04:00Z'] },
  { name: 'Paris every 2 hours runs 02:00 CEST and 02:00 CET', text: 'every 2 hours', tz: 'Europe/Paris', from: '2026-10-24T21:30Z',
    expect: ['2026-10-24T22:00Z', '2026-10-25T00:00Z', '2026-10-25T01:00Z', '2026-10-25T03:00Z'] },
  { name: 'Paris every 1 day is local midnight', text: 'every 1 day', tz: 'Europe/Paris', from: '2026-03-28T12:00Z',
    expect: ['2026-03-28T23:00Z', '2026-03-29T22:00Z'] },
  { name: 'every 45 minutes is the grid from local midnight', text: 'every 45 minutes', tz: 'Europe/Paris', from: '2026-01-10T22:40Z',
    expect: ['2026-01-10T23:00Z', '2026-01-10T23:45Z', '2026-01-11T00:30Z'] },
  { name: 'Paris every 5 hours steps in real time across fall-back', text: 'every 5 hours', tz: 'Europe/Paris', from: '2026-10-24T21:40Z',
    expect: ['2026-10-24T23:00Z', '2026-10-25T04:00Z', '2026-10-25T09:00Z'] },
  { name: 'New York daily 09:00 across spring-forward', text: 'daily at 09:00', tz: 'America/New_York', from: '2026-03-07T00:00Z',
    expect: ['2026-03-07T14:00Z', '2026-03-08T13:00Z', '2026-03-09T13:00Z'] },
  { name: 'New York daily 09:00 across fall-back', text: 'daily at 09:00', tz: 'America/New_York', from: '2026-10-31T00:00Z',
    expect: ['2026-10-31T13:00Z', '2026-11-01T14:00Z', '2026-11-02T14:00Z'] },
  { name: 'New York weekly Sunday 02:30 on the spring-forward Sunday runs at 03:00 EDT', text: 'weekly on sunday at 02:30', tz: 'America/New_York', from: '2026-03-02T00:00Z',
    expect: ['2026-03-08T07:00Z', '2026-03-15T06:30Z'] },
  { name: 'New York weekly Sunday 01:30 on the fall-back Sunday runs once (EDT)', text: 'weekly on sun at 01:30', tz: 'America/New_York', from: '2026-10-26T00:00Z',
    expect: ['2026-11-01T05:30Z', '2026-11-08T06:30Z'] },
  { name: 'New York every 15 minutes through the repeated 01:00 hour', text: 'every 15 minutes', tz: 'America/New_York', from: '2026-11-01T05:40Z',
    expect: ['2026-11-01T05:45Z', '2026-11-01T06:00Z', '2026-11-01T06:15Z'] },
  { name: 'New York every 30 minutes jumps 01:30 EST → 03:00 EDT', text: 'every 30 minutes', tz: 'America/New_York', from: '2026-03-08T06:20Z',
    expect: ['2026-03-08T06:30Z', '2026-03-08T07:00Z', '2026-03-08T07:30Z'] },
  { name: 'monthly last day: 29 February in a leap year', text: 'monthly on day last at 09:00', tz: 'UTC', from: '2028-01-15T00:00Z',
    expect: ['2028-01-31T09:00Z', '2028-02-29T09:00Z', '2028-03-31T09:00Z', '2028-04-30T09:00Z'] },
  { name: 'monthly last day: 28 February otherwise', text: 'monthly on day last at 09:00', tz: 'UTC', from: '2027-02-01T00:00Z',
    expect: ['2027-02-28T09:00Z', '2027-03-31T09:00Z'] },
  { name: 'monthly last day in Paris, late evening', text: 'monthly on day last at 23:30', tz: 'Europe/Paris', from: '2026-10-30T00:00Z',
    expect: ['2026-10-31T22:30Z', '2026-11-30T22:30Z'] },
  { name: 'monthly day 1 keeps 09:00 Paris time in winter and summer', text: 'monthly on day 1 at 09:00', tz: 'Europe/Paris', from: '2026-02-15T00:00Z',
    expect: ['2026-03-01T08:00Z', '2026-04-01T07:00Z'] },
  { name: 'weekly is strictly after a run that is exactly `from`', text: 'weekly on monday at 09:00', tz: 'UTC', from: '2026-11-30T09:00Z',
    expect: ['2026-12-07T09:00Z', '2026-12-14T09:00Z'] },
  { name: 'every 3 days: local midnight, phase from 1970-01-01, across spring-forward', text: 'every 3 days', tz: 'America/New_York', from: '2026-03-05T21:40Z',
    expect: ['2026-03-08T05:00Z', '2026-03-11T04:00Z', '2026-03-14T04:00Z'] },
  { name: 'every 3 days anchored: the anchor’s local date sets the phase', text: 'every 3 days', tz: 'America/New_York', from: '2026-03-07T16:00Z', anchor: '2026-03-07T15:00Z',
    expect: ['2026-03-10T04:00Z', '2026-03-13T04:00Z'] },
  { name: 'every 7 hours anchored (seconds dropped)', text: 'every 7 hours', tz: 'UTC', from: '2026-01-02T00:00Z', anchor: '2026-01-01T05:30:45Z',
    expect: ['2026-01-02T02:30Z', '2026-01-02T09:30Z', '2026-01-02T16:30Z'] },
  { name: 'every 7 hours anchored in the future steps backwards to the first run after `from`', text: 'every 7 hours', tz: 'UTC', from: '2026-01-02T00:00Z', anchor: '2026-01-10T00:00Z',
    expect: ['2026-01-02T03:00Z', '2026-01-02T10:00Z'] },
  { name: 'manual never runs', text: 'manual', tz: 'Europe/Paris', from: '2026-01-01T00:00Z', expect: [] },
];

test('nextRunTimes: every form and DST edge (table)', () => {
  for (const c of cases) {
    assert.deepEqual(runs(c.text, c.tz, c.from, c.expect.length || 3, c.anchor), c.expect.map(iso), c.name);
  }
});

test('daily, weekly and monthly keep their local wall-clock time all year in DST zones', () => {
  for (const tz of ['Europe/Paris', 'America/New_York', 'Australia/Sydney']) {
    for (const [text, n] of [['daily at 09:00', 400], ['weekly on friday at 17:45', 60], ['monthly on day last at 06:10', 14]] as const) {
      const all = nextRunTimes(schedule(text), tz, new Date('2026-01-01T00:00Z'), n);
      assert.equal(all.length, n);
      const s = schedule(text);
      for (const d of all) {
        const c = wallClock(d, tz);
        assert.ok(s.kind !== 'manual' && s.kind !== 'interval' && c.hour === s.hour && c.minute === s.minute, `${text} in ${tz}: ${d.toISOString()}`);
      }
    }
  }
});

const DST_ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago'];

/** UTC midnights one day before each 2026 change of the zone's UTC offset (found, not hard-coded). */
function daysBeforeTransitions(tz: string): Date[] {
  const offset = (t: number) => {
    const c = wallClock(new Date(t), tz);
    return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute) - t;
  };
  const found: Date[] = [];
  for (let t = Date.parse('2026-01-01T00:00Z'); t < Date.parse('2027-01-01T00:00Z'); t += DAY) {
    if (offset(t) !== offset(t + DAY)) found.push(new Date(t - DAY));
  }
  return found;
}

test('every 15 minutes keeps 15 real minutes between runs through each DST change', () => {
  for (const tz of DST_ZONES) {
    const windows = daysBeforeTransitions(tz);
    assert.equal(windows.length, 2, `${tz} changes its clocks twice in 2026`);
    for (const from of windows) {
      const all = nextRunTimes(schedule('every 15 minutes'), tz, from, 4 * 24 * 3);
      for (let i = 1; i < all.length; i++) assert.equal(all[i]!.getTime() - all[i - 1]!.getTime(), 15 * MINUTE, `${tz} after ${all[i - 1]!.toISOString()}`);
    }
  }
});

test('asking one run at a time from the previous run gives the same runs as asking many at once', () => {
  // This is how the scheduler walks a schedule; every way of computing runs must agree with it.
  const texts = ['every 15 minutes', 'every 45 minutes', 'every 50 minutes', 'every 2 hours', 'every 5 hours', 'every 25 hours', 'every 3 days', 'daily at 02:30', 'weekly on sunday at 02:30', 'monthly on day last at 00:00'];
  for (const tz of DST_ZONES) {
    for (const start of daysBeforeTransitions(tz)) {
      for (const text of texts) {
        const s = schedule(text);
        const many = nextRunTimes(s, tz, start, 30);
        let from = start;
        for (const expected of many) {
          const [next] = nextRunTimes(s, tz, from, 1);
          assert.equal(next?.toISOString(), expected.toISOString(), `${text} in ${tz} after ${from.toISOString()}`);
          from = expected;
        }
        for (let i = 1; i < many.length; i++) assert.ok(many[i - 1]! < many[i]!, `${text} in ${tz}: increasing`);
      }
    }
  }
});

test('unanchored run times do not depend on where the search starts', () => {
  // Restarts and Sync Now must not shift the schedule: runs from a later `from` are a suffix.
  for (const text of ['every 5 hours', 'every 25 hours', 'every 3 days', 'every 50 minutes']) {
    const s = schedule(text);
    const early = nextRunTimes(s, 'Europe/Paris', new Date('2026-03-20T00:00Z'), 200).map((d) => d.getTime());
    for (const offset of [1, 17, 333, 1440 * 2 + 7]) {
      const later = nextRunTimes(s, 'Europe/Paris', new Date(Date.parse('2026-03-20T00:00Z') + offset * MINUTE), 10).map((d) => d.getTime());
      const at = early.indexOf(later[0] ?? NaN);
      assert.ok(at >= 0, `${text}: run after +${offset} min is on the same grid`);
      assert.deepEqual(later, early.slice(at, at + 10), text);
    }
  }
});

test('intervals of whole days run at local midnight on days ≡ 0 mod N; 744 hours is 31 days', () => {
  const s = schedule('every 4 days');
  for (const d of nextRunTimes(s, 'America/New_York', new Date('2026-02-20T00:00Z'), 30)) {
    const c = wallClock(d, 'America/New_York');
    assert.deepEqual([c.hour, c.minute, localEpochDay(d, 'America/New_York') % 4], [0, 0, 0], d.toISOString());
  }
  const from = new Date('2026-05-05T05:05Z');
  assert.deepEqual(nextRunTimes(schedule('every 744 hours'), 'Asia/Kolkata', from, 5), nextRunTimes(schedule('every 31 days'), 'Asia/Kolkata', from, 5));
});

test('unanchored real-time steps sit on the UTC grid of their period when there is no DST', () => {
  for (const [text, hours] of [['every 5 hours', 5], ['every 7 hours', 7]] as const) {
    const all = nextRunTimes(schedule(text), 'UTC', new Date('2026-06-01T00:00Z'), 80);
    for (const d of all) assert.equal(d.getTime() % (hours * 3_600_000), 0, `${text}: ${d.toISOString()}`);
    for (let i = 1; i < all.length; i++) assert.equal(all[i]!.getTime() - all[i - 1]!.getTime(), hours * 3_600_000);
  }
});

test('a midnight that DST skips starts the day at 01:00; a skipped calendar day is passed over', () => {
  // Santiago moves from 00:00 to 01:00 on 6 September 2026.
  assert.deepEqual(runs('every 1 day', 'America/Santiago', '2026-09-05T12:00Z', 2), [iso('2026-09-06T04:00Z'), iso('2026-09-07T03:00Z')]);
  // Samoa skipped 30 December 2011 entirely.
  assert.deepEqual(runs('every 1 day', 'Pacific/Apia', '2011-12-29T00:00Z', 2), [iso('2011-12-29T10:00Z'), iso('2011-12-30T10:00Z')]);
});

test('nextRunTimes edge arguments: count, bad dates, bad zones', () => {
  const s = schedule('every 15 minutes');
  const from = new Date('2026-01-01T00:00Z');
  assert.deepEqual(nextRunTimes(s, 'UTC', from, 0), []);
  assert.deepEqual(nextRunTimes(s, 'UTC', from, -3), []);
  assert.deepEqual(nextRunTimes(s, 'UTC', from, Number.NaN), []);
  assert.equal(nextRunTimes(s, 'UTC', from, 2.9).length, 2);
  assert.equal(nextRunTimes(s, 'UTC', from, 1e9).length, MAX_RUNS);
  assert.deepEqual(nextRunTimes(s, 'UTC', new Date('nope'), 3), []);
  assert.deepEqual(nextRunTimes(schedule('every 7 hours'), 'UTC', from, 1, new Date('nope')), nextRunTimes(schedule('every 7 hours'), 'UTC', from, 1));
  assert.throws(() => nextRunTimes(s, 'Mars/Olympus_Mons', from, 3), { name: 'RangeError', message: /Unknown time zone "Mars\/Olympus_Mons"/ });
  assert.throws(() => nextRunTimes({ kind: 'interval', every: 0, unit: 'minutes', minutes: 0 }, 'UTC', from, 3), RangeError);
  assert.deepEqual(runs('daily at 09:00', 'UTC', '2026-01-01T08:59:59.999Z', 1), [iso('2026-01-01T09:00Z')]);
  assert.deepEqual(runs('daily at 09:00', 'UTC', '2026-01-01T09:00:00.001Z', 1), [iso('2026-01-02T09:00Z')]);
});
