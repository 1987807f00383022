import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, editDistance } from '../util/closest';
import { isValidTimeZone, listTimeZones, suggestTimeZone } from './time-zones';
import { formatRunTime } from './zone-clock';

test('isValidTimeZone: IANA names as spelt, UTC and legacy links; not mis-cased or unknown names', () => {
  const table: Array<[string, boolean]> = [
    ['UTC', true], ['Europe/Paris', true], ['America/New_York', true], ['Asia/Kolkata', true], ['Asia/Calcutta', true],
    ['Europe/Kyiv', true], ['America/Argentina/Buenos_Aires', true], ['US/Eastern', true], ['Etc/GMT+5', true], ['Etc/UTC', true],
    ['utc', false], ['europe/paris', false], ['AMERICA/NEW_YORK', false], ['Europe/Pari', false], ['Mars/Olympus_Mons', false],
    ['', false], [' Europe/Paris', false], ['Europe/Paris ', false], ['+01:00', false],
  ];
  for (const [tz, valid] of table) assert.equal(isValidTimeZone(tz), valid, JSON.stringify(tz));
});

test('listTimeZones: sorted, unique, all valid, with UTC and the current names of renamed zones', () => {
  const zones = listTimeZones();
  assert.ok(zones.length > 400);
  assert.deepEqual([...zones].sort(), zones);
  assert.equal(new Set(zones).size, zones.length);
  for (const z of ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh']) assert.ok(zones.includes(z), z);
  for (const z of zones) assert.ok(isValidTimeZone(z), z);
});

test('suggestTimeZone: case, typos and bare cities', () => {
  const table: Array<[string, string | undefined]> = [
    ['Europe/Pari', 'Europe/Paris'],
    ['america/new_york', 'America/New_York'],
    ['Amercia/New_Yrok', 'America/New_York'],
    ['utc', 'UTC'],
    ['Paris', 'Europe/Paris'],
    ['new york', 'America/New_York'],
    ['Kolkata', 'Asia/Kolkata'],
    ['Tokio', 'Asia/Tokyo'],
    ['  europe/berlin ', 'Europe/Berlin'],
    ['Mars/Olympus_Mons', undefined],
    ['xyzzy', undefined],
    ['', undefined],
  ];
  for (const [bad, expected] of table) assert.equal(suggestTimeZone(bad), expected, JSON.stringify(bad));
});

test('formatRunTime: local time with the zone abbreviation, then UTC', () => {
  const table: Array<[string, string, string]> = [
    ['2026-11-30T08:00Z', 'Europe/Paris', 'Mon 2026-11-30 09:00 CET (08:00 UTC)'],
    ['2026-07-01T07:00Z', 'Europe/Paris', 'Wed 2026-07-01 09:00 CEST (07:00 UTC)'],
    ['2026-03-08T07:00Z', 'America/New_York', 'Sun 2026-03-08 03:00 EDT (07:00 UTC)'],
    ['2026-01-15T03:30Z', 'Asia/Kolkata', 'Thu 2026-01-15 09:00 IST (03:30 UTC)'],
    ['2026-01-15T03:15Z', 'Asia/Kathmandu', 'Thu 2026-01-15 09:00 GMT+5:45 (03:15 UTC)'],
    ['2026-01-15T09:00Z', 'UTC', 'Thu 2026-01-15 09:00 UTC'],
    ['2026-10-24T22:00Z', 'Europe/Paris', 'Sun 2026-10-25 00:00 CEST (2026-10-24 22:00 UTC)'],
    ['2026-01-01T04:30Z', 'America/Los_Angeles', 'Wed 2025-12-31 20:30 PST (2026-01-01 04:30 UTC)'],
  ];
  for (const [instant, tz, text] of table) assert.equal(formatRunTime(new Date(instant), tz), text, `${instant} ${tz}`);
});

test('editDistance and closest: one edit per typo, swaps included, nothing far-fetched', () => {
  assert.equal(editDistance('moday', 'monday'), 1);
  assert.equal(editDistance('mondya', 'monday'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(closest('wekly', ['every', 'daily', 'weekly', 'monthly', 'manual']), 'weekly');
  assert.equal(closest('WEDENSDAY', ['monday', 'wednesday']), 'wednesday');
  assert.equal(closest('banana', ['monday', 'wednesday']), undefined);
});
