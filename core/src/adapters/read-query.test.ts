import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceTable } from '../sync/source-reader';
import { planFor, windowCountsQuery, windowQuery } from './read-query';

const table = (payloadType = 'character varying'): SourceTable => ({
  sqlName: '"ingestion"."users"',
  schema: 'ingestion',
  table: 'users',
  columns: [
    { name: 'UPDATED_AT', type: 'timestamp with time zone' },
    { name: 'external_id', type: 'character varying' },
    { name: 'email', type: 'character varying' },
    { name: 'payload', type: payloadType },
  ],
});
const window = { from: '2026-01-01 00:00:00+00', until: '2026-02-01 00:00:00+00' };

test('a window is one statement sorted on UPDATED_AT alone, every value a parameter', () => {
  const q = windowQuery(planFor(table(), true), window);
  assert.equal(
    q.text,
    'SELECT "UPDATED_AT", "external_id", "email", "payload" FROM "ingestion"."users" WHERE "UPDATED_AT" <= CAST($1 AS TIMESTAMPTZ) AND "UPDATED_AT" >= CAST($2 AS TIMESTAMPTZ) ORDER BY "UPDATED_AT"',
  );
  assert.deepEqual(q.values, [window.until, window.from]);
  assert.doesNotMatch(q.text, /\|\||MD5|COALESCE|LIMIT/, 'no concatenation (VARCHAR caps it at 65,535 bytes), no key expressions');
});

test('LIMIT is a validated integer literal, never a bind parameter', () => {
  const q = windowQuery(planFor(table(), true), { until: window.until }, 25);
  assert.match(q.text, / ORDER BY "UPDATED_AT" LIMIT 25$/);
  assert.deepEqual(q.values, [window.until]);
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => windowQuery(planFor(table(), true), window, bad), RangeError);
});

test('SUPER payloads are serialised to VARBYTE (JSON_SERIALIZE fails past 65,535 bytes), guarded by their size', () => {
  const q = windowQuery(planFor(table('super'), true), window);
  assert.match(q.text, /CASE WHEN JSON_SIZE\("payload"\) <= 1024000 THEN JSON_SERIALIZE_TO_VARBYTE\("payload"\) END, JSON_SIZE\("payload"\) FROM/);
  assert.doesNotMatch(q.text, /JSON_SERIALIZE\(/);
});

test('user deletes read no payload; json columns are read as text', () => {
  assert.doesNotMatch(windowQuery(planFor(table(), false), window).text, /payload/);
  assert.match(windowQuery(planFor(table('jsonb'), true), window).text, /CAST\("payload" AS TEXT\)/);
});

test('both counts come from one scan that zone maps can narrow', () => {
  const q = windowCountsQuery(planFor(table(), true), window);
  assert.equal(
    q.text,
    'SELECT COUNT(CASE WHEN "UPDATED_AT" <= CAST($1 AS TIMESTAMPTZ) THEN 1 END), COUNT(CASE WHEN "UPDATED_AT" > CAST($1 AS TIMESTAMPTZ) THEN 1 END) FROM "ingestion"."users" WHERE "UPDATED_AT" >= CAST($2 AS TIMESTAMPTZ)',
  );
  assert.doesNotMatch(windowCountsQuery(planFor(table(), true), { until: window.until }).text, /WHERE/);
});
