import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimestampMicros, toIsoMicros } from './timestamps';

test('a date alone (a date UPDATED_AT column) is midnight UTC', () => {
  assert.equal(parseTimestampMicros('2026-06-01'), Date.UTC(2026, 5, 1) * 1000);
  assert.equal(toIsoMicros('2026-06-01'), '2026-06-01T00:00:00.000000Z');
  assert.equal(parseTimestampMicros('2026-06-01 10:00:00.5+02'), (Date.UTC(2026, 5, 1, 8) + 500) * 1000);
  assert.throws(() => parseTimestampMicros('06/01/2026 10:00'), /expected YYYY-MM-DD/);
});
