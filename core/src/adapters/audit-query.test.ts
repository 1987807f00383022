import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditCountsQuery, auditSamplesQuery } from './audit-query';
import type { ReadPlan } from './read-query';

const plan = (type: string): ReadPlan => ({ sqlName: '"s"."t"', updatedAt: 'UPDATED_AT', ids: [{ key: 'external_id', column: 'EXTERNAL_ID' }], payload: { column: 'PAYLOAD', type } });
const window = { from: '2026-01-01 00:00:00+00', until: "2026-02-01 00:00:00+00'; DROP TABLE t; --" };

test('text payloads are checked with Redshift IS_VALID_JSON and OCTET_LENGTH; values are parameters', () => {
  const q = auditCountsQuery(plan('character varying'), 'custom_attributes', window);
  assert.match(q.text, /WHEN NOT IS_VALID_JSON\("PAYLOAD"\) THEN 'payload-not-json'/);
  assert.match(q.text, /WHEN OCTET_LENGTH\("PAYLOAD"\) > 1048576 THEN 'payload-too-large'/);
  assert.match(q.text, /GROUP BY problem$/);
  assert.deepEqual(q.values, [window.until, window.from]);
  assert.ok(!q.text.includes('DROP'));
});

test('SUPER payloads use IS_OBJECT and JSON_SIZE, never IS_VALID_JSON', () => {
  const q = auditSamplesQuery(plan('super'), 'custom_events', window);
  assert.match(q.text, /WHEN NOT IS_OBJECT\("PAYLOAD"\) THEN 'payload-not-json'/);
  assert.match(q.text, /WHEN JSON_SIZE\("PAYLOAD"\) > 1024000 THEN 'payload-too-large'/);
  assert.ok(!q.text.includes('IS_VALID_JSON'));
  assert.match(q.text, /WHERE problem <> 'ok' ORDER BY "UPDATED_AT" LIMIT 5$/);
});

test('user deletes check identifiers only, and the window has no lower bound without a watermark', () => {
  const deletes: ReadPlan = { sqlName: '"s"."t"', updatedAt: 'UPDATED_AT', ids: [{ key: 'external_id', column: 'EXTERNAL_ID' }] };
  const q = auditCountsQuery(deletes, 'user_deletes', { until: '2026-02-01' });
  assert.ok(!q.text.includes('PAYLOAD'));
  assert.match(q.text, /THEN 'no-identifier'/);
  assert.ok(!q.text.includes('$2'));
  assert.deepEqual(q.values, ['2026-02-01']);
});
