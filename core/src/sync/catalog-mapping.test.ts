import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { mapCatalogRow } from './catalog-mapping';
import { trackObjectJson } from './json-texts';
import type { SourceRow } from './ports';
import { checkTableContract } from './table-contract';

const T = '2026-11-28 10:00:00.123456+00';

function row(id: string | null, payload: string | null | undefined, deleted?: boolean | null, idIsJson = false): SourceRow {
  return { updatedAt: T, ids: {}, ...(payload !== undefined ? { payload } : {}), item: { id, ...(idIsJson ? { idIsJson } : {}), ...(deleted !== undefined ? { deleted } : {}) } };
}

test('a row becomes the item {"id", ...PAYLOAD} with PAYLOAD as written', () => {
  const m = mapCatalogRow(row('r1', ' {"Name": "Ada", "Rating": 12345678901234567890} '));
  assert.ok(m.ok && m.op === 'put');
  const text = trackObjectJson(m.item);
  assert.equal(text, '{"id":"r1","Name": "Ada", "Rating": 12345678901234567890}');
  assert.equal(m.item.bytes, Buffer.byteLength(text));
  const empty = mapCatalogRow(row('r2', '{}'));
  assert.ok(empty.ok && empty.op === 'put');
  assert.equal(trackObjectJson(empty.item), '{"id":"r2"}');
});

test('DELETED = true deletes the item, whatever PAYLOAD holds; false or NULL replaces it', () => {
  assert.deepEqual(mapCatalogRow(row('r1', null, true)), { ok: true, op: 'delete', id: 'r1', bytes: '{"id":"r1"}'.length });
  assert.equal((mapCatalogRow(row('r1', '{"a":1}', false)) as { op?: string }).op, 'put');
  assert.equal((mapCatalogRow(row('r1', '{"a":1}', null)) as { op?: string }).op, 'put');
  assert.equal((mapCatalogRow(row('"r1"', '{}', true, true)) as { id?: string }).id, 'r1', 'a SUPER id is JSON');
  assert.equal((mapCatalogRow(row('"r 1"', '{}', false, true)) as { identifier?: string }).identifier, 'id=r 1', 'named without its quotes');
});

const errors: [string, SourceRow, RegExp, string][] = [
  ['id missing', row(null, '{}'), /ID is missing/, '(no id)'],
  ['id blank', row('  ', '{}'), /ID is missing/, '(no id)'],
  ['id not a string', row('42', '{}', undefined, true), /ID must be a string, but it is number 42/, 'id=42'],
  ['id too long', row('x'.repeat(251), '{}'), /251 characters long; Braze accepts item ids of at most 250/, `id=${'x'.repeat(63)}…`],
  ['id with characters Braze rejects', row('r 1/é', '{}'), /characters Braze rejects: item ids hold only letters, digits, - and _/, 'id=r 1/é'],
  ['payload NULL', row('r1', null), /PAYLOAD is NULL/, 'id=r1'],
  ['payload not JSON', row('r1', '{"a":'), /not valid JSON/, 'id=r1'],
  ['payload not an object', row('r1', '[1,2]'), /must be a JSON object of the item's fields .* but it is an array/, 'id=r1'],
  ['payload containing id', row('r1', '{"id":"r2","Name":"x"}'), /PAYLOAD contains "id": the item id comes from the ID column alone/, 'id=r1'],
  ['payload too large', row('r1', JSON.stringify({ a: 'x'.repeat(1024 * 1024) })), /Payload was greater than 1MB/, 'id=r1'],
  ['a value too long', row('r1', JSON.stringify({ a: 'x'.repeat(5001) })), /value of 5001 characters; Braze accepts catalog values of at most 5000/, 'id=r1'],
  ['a nested key with $', row('r1', '{"a":{"$b":1}}'), /"\$b" inside an object/, 'id=r1'],
];

for (const [name, input, reason, identifier] of errors) {
  test(`row error: ${name}`, () => {
    const m = mapCatalogRow(input);
    assert.equal(m.ok, false);
    if (m.ok) return;
    assert.match(m.reason, reason);
    assert.equal(m.identifier, identifier);
  });
}

const col = (name: string, type: string) => ({ name, type });
const CATALOG = [col('UPDATED_AT', 'timestamp with time zone'), col('ID', 'character varying'), col('PAYLOAD', 'character varying'), col('DELETED', 'boolean')];

test('table contract: a catalog table needs UPDATED_AT, ID and PAYLOAD; DELETED is optional and boolean', () => {
  assert.deepEqual(checkTableContract('catalog_items', CATALOG), []);
  assert.deepEqual(checkTableContract('catalog_items', CATALOG.slice(0, 3)), []);
  const messages = (cols: { name: string; type: string }[]) => checkTableContract('catalog_items', cols).map((i) => `${i.severity}: ${i.message}`);
  assert.match(messages(CATALOG.filter((c) => c.name !== 'ID')).join(), /^error: The table has no ID column/);
  assert.match(messages([...CATALOG.slice(0, 1), col('ID', 'integer'), ...CATALOG.slice(2)]).join(), /ID has type integer; .* CAST\(id AS VARCHAR\)/);
  assert.match(messages(CATALOG.filter((c) => c.name !== 'PAYLOAD')).join(), /no PAYLOAD column/);
  assert.match(messages([...CATALOG.slice(0, 3), col('DELETED', 'integer')]).join(), /DELETED has type integer; it must be boolean/);
});

test('table contract: user identifier columns on a catalog sync and DELETED on a user sync are errors with the fix', () => {
  const withUsers = checkTableContract('catalog_items', [...CATALOG, col('EXTERNAL_ID', 'varchar'), col('email', 'varchar')]);
  assert.deepEqual(withUsers.map((i) => i.severity), ['error']);
  assert.match(withUsers[0]?.message ?? '', /user identifier column\(s\) EXTERNAL_ID, EMAIL.*drop them, or read from a view that selects only UPDATED_AT, ID, PAYLOAD and DELETED/);
  const users = [col('UPDATED_AT', 'timestamp'), col('EXTERNAL_ID', 'varchar'), col('PAYLOAD', 'varchar')];
  assert.deepEqual(checkTableContract('custom_attributes', users), []);
  const deleted = checkTableContract('custom_attributes', [...users, col('DELETED', 'boolean')]);
  assert.match(deleted.map((i) => i.message).join(), /DELETED column, which only catalog syncs use.*Drop the column/);
});
