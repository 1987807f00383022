import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { trackObjectJson } from './json-texts';
import { rowIdentifier } from './row-identity';
import { mapRow, type MappedRow, type UserDataType } from './row-mapping';
import type { RowIdentifiers, SourceRow } from './ports';

const T = '2026-11-28 10:00:00.123456+00';
const T_ISO = '2026-11-28T10:00:00.123456Z';

function row(ids: RowIdentifiers, payload?: string | null, updatedAt = T): SourceRow {
  return payload === undefined ? { updatedAt, ids } : { updatedAt, ids, payload };
}

interface Case {
  name: string;
  dataType: UserDataType;
  row: SourceRow;
  /** Expected object (track rows) or target (deletes). */
  object?: Record<string, unknown>;
  target?: unknown;
  /** Substrings the row error must contain. */
  error?: (string | RegExp)[];
  identifier?: string;
}

const ext = { external_id: 'u1' };
const alias = { alias_name: 'n1', alias_label: 'crm' };

const cases: Case[] = [
  // custom_attributes, every identifier kind
  { name: 'attributes by external_id', dataType: 'custom_attributes', row: row(ext, '{"first_name":"Ada","vip":true}'), object: { external_id: 'u1', first_name: 'Ada', vip: true }, identifier: 'external_id=u1' },
  { name: 'attributes by alias create alias-only users', dataType: 'custom_attributes', row: row(alias, '{"x":1}'), object: { user_alias: alias, _update_existing_only: false, x: 1 }, identifier: 'alias_name=n1 alias_label=crm' },
  { name: 'attributes by alias keep an explicit _update_existing_only', dataType: 'custom_attributes', row: row(alias, '{"_update_existing_only":true,"x":1}'), object: { user_alias: alias, _update_existing_only: true, x: 1 } },
  { name: 'attributes by braze_id (update only)', dataType: 'custom_attributes', row: row({ braze_id: 'b1' }, '{"x":1}'), object: { braze_id: 'b1', x: 1 }, identifier: 'braze_id=b1' },
  { name: 'attributes by email', dataType: 'custom_attributes', row: row({ email: 'a@b.co' }, '{"x":1}'), object: { email: 'a@b.co', x: 1 }, identifier: 'email=a@b.co' },
  { name: 'attributes by phone', dataType: 'custom_attributes', row: row({ phone: '+15550100' }, '{"x":1}'), object: { phone: '+15550100', x: 1 }, identifier: 'phone=+15550100' },
  { name: 'email and phone: email identifies', dataType: 'custom_attributes', row: row({ email: 'a@b.co', phone: '+1555' }, '{"x":1}'), object: { email: 'a@b.co', phone: '+1555', x: 1 }, identifier: 'email=a@b.co phone=+1555' },
  { name: 'external_id rows may set email and phone attributes', dataType: 'custom_attributes', row: row(ext, '{"email":"a@b.co","phone":"+1"}'), object: { external_id: 'u1', email: 'a@b.co', phone: '+1' } },
  { name: 'email rows may set the phone attribute', dataType: 'custom_attributes', row: row({ email: 'a@b.co' }, '{"phone":"+1"}'), object: { email: 'a@b.co', phone: '+1' } },
  { name: 'null columns and absent columns are no identifier', dataType: 'custom_attributes', row: row({ external_id: 'u1', braze_id: null, email: null }, '{}'), object: { external_id: 'u1' } },
  { name: 'null attribute values pass through (they remove the attribute)', dataType: 'custom_attributes', row: row(ext, '{"x":null,"n":{"inc":1}}'), object: { external_id: 'u1', x: null, n: { inc: 1 } } },
  { name: '250 top-level keys are fine', dataType: 'custom_attributes', row: row(ext, JSON.stringify(Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`k${i}`, i])))) },

  // identifier errors
  { name: 'no identifier', dataType: 'custom_attributes', row: row({ external_id: null, braze_id: null }, '{}'), error: ['No identifier', 'EXTERNAL_ID, ALIAS_NAME+ALIAS_LABEL, BRAZE_ID, EMAIL or PHONE'], identifier: '(no identifier)' },
  { name: 'empty identifier is no identifier', dataType: 'custom_attributes', row: row({ external_id: '  ' }, '{}'), error: ['No identifier'] },
  { name: 'half alias (name only)', dataType: 'custom_attributes', row: row({ alias_name: 'n1', alias_label: null }, '{}'), error: ['Half a user alias', 'ALIAS_NAME is set but ALIAS_LABEL is empty'], identifier: 'alias_name=n1' },
  { name: 'half alias (label only)', dataType: 'custom_events', row: row({ alias_label: 'crm' }, '{"name":"e"}'), error: ['ALIAS_LABEL is set but ALIAS_NAME is empty'] },
  { name: 'external_id + braze_id', dataType: 'custom_attributes', row: row({ external_id: 'u1', braze_id: 'b1' }, '{}'), error: ['Several identifier types', 'EXTERNAL_ID, BRAZE_ID'], identifier: 'external_id=u1 braze_id=b1' },
  { name: 'alias + email', dataType: 'custom_attributes', row: row({ ...alias, email: 'a@b.co' }, '{}'), error: ['ALIAS_NAME+ALIAS_LABEL, EMAIL'] },
  { name: 'external_id + phone', dataType: 'purchases', row: row({ external_id: 'u1', phone: '+1' }, '{}'), error: ['EXTERNAL_ID, PHONE'] },
  { name: 'external_id + email + phone', dataType: 'custom_attributes', row: row({ external_id: 'u1', email: 'a@b.co', phone: '+1' }, '{}'), error: ['EXTERNAL_ID, EMAIL+PHONE'] },

  // payload errors
  { name: 'invalid JSON names the position', dataType: 'custom_attributes', row: row(ext, '{"a":}'), error: ['PAYLOAD is not valid JSON', "unexpected '}'", 'position 5 (line 1, column 6)'], identifier: 'external_id=u1' },
  { name: 'truncated JSON', dataType: 'custom_attributes', row: row(ext, '{"a":1'), error: ['not valid JSON', 'object is not closed at position 6'] },
  { name: 'array payload', dataType: 'custom_attributes', row: row(ext, '[1,2]'), error: ['PAYLOAD must be a JSON object', 'an array'] },
  { name: 'string payload', dataType: 'custom_events', row: row(ext, '"hello"'), error: ['PAYLOAD must be a JSON object', 'string "hello"'] },
  { name: 'JSON null payload', dataType: 'custom_attributes', row: row(ext, 'null'), error: ['PAYLOAD must be a JSON object', 'null'] },
  { name: 'SQL NULL payload', dataType: 'custom_attributes', row: row(ext, null), error: ['PAYLOAD is NULL'] },
  { name: 'no PAYLOAD column', dataType: 'custom_attributes', row: row(ext), error: ['no PAYLOAD column'] },
  { name: 'payload repeats external_id', dataType: 'custom_attributes', row: row(ext, '{"external_id":"u1","x":1}'), error: ['PAYLOAD repeats the identifier', 'remove "external_id"', 'EXTERNAL_ID column identifies'] },
  { name: 'payload carries user_alias', dataType: 'custom_attributes', row: row(ext, '{"user_alias":{"alias_name":"a","alias_label":"b"}}'), error: ['remove "user_alias"'] },
  { name: 'payload carries braze_id', dataType: 'custom_attributes', row: row(alias, '{"braze_id":"b"}'), error: ['remove "braze_id"', 'ALIAS_NAME+ALIAS_LABEL columns identify'] },
  { name: 'email row repeats email', dataType: 'custom_attributes', row: row({ email: 'a@b.co' }, '{"email":"c@d.co"}'), error: ['remove "email"'] },
  { name: 'email+phone row repeats phone', dataType: 'custom_attributes', row: row({ email: 'a@b.co', phone: '+1' }, '{"phone":"+2"}'), error: ['remove "phone"', 'EMAIL (with PHONE)'] },
  { name: 'phone row may not set email (it would take over)', dataType: 'custom_attributes', row: row({ phone: '+1' }, '{"email":"a@b.co"}'), error: ['remove "email"'] },
  { name: 'events may not carry email', dataType: 'custom_events', row: row(ext, '{"name":"e","email":"a@b.co"}'), error: ['remove "email"'] },
  { name: 'payload over 1 MB', dataType: 'custom_attributes', row: row(ext, JSON.stringify({ big: 'x'.repeat(1024 * 1024) })), error: ['Payload was greater than 1MB', 'split'] },
  { name: 'payload of exactly 1 MB is fine', dataType: 'custom_attributes', row: row(ext, JSON.stringify({ big: 'x'.repeat(1024 * 1024 - 10) })) },
  { name: '251 top-level keys', dataType: 'custom_attributes', row: row(ext, JSON.stringify(Object.fromEntries(Array.from({ length: 251 }, (_, i) => [`k${i}`, i])))), error: ['251 top-level keys', 'at most 250'] },

  // custom_events
  { name: 'event time defaults to UPDATED_AT with microseconds', dataType: 'custom_events', row: row(ext, '{"name":"rented","properties":{"movie":"x"}}'), object: { external_id: 'u1', name: 'rented', properties: { movie: 'x' }, time: T_ISO } },
  { name: 'event UPDATED_AT with an offset becomes UTC', dataType: 'custom_events', row: row(ext, '{"name":"e"}', '2026-11-28 15:30:00.5+05:30'), object: { external_id: 'u1', name: 'e', time: '2026-11-28T10:00:00.500000Z' } },
  { name: 'event UPDATED_AT without zone is UTC', dataType: 'custom_events', row: row(ext, '{"name":"e"}', '2026-11-28 10:00:00'), object: { external_id: 'u1', name: 'e', time: '2026-11-28T10:00:00.000000Z' } },
  { name: 'event keeps its own time', dataType: 'custom_events', row: row(ext, '{"name":"e","time":"2013-07-16T19:20:45+01:00"}'), object: { external_id: 'u1', name: 'e', time: '2013-07-16T19:20:45+01:00' } },
  { name: 'event time null takes UPDATED_AT', dataType: 'custom_events', row: row(ext, '{"name":"e","time":null}'), object: { external_id: 'u1', name: 'e', time: T_ISO } },
  { name: 'event by alias (no create flag on events)', dataType: 'custom_events', row: row(alias, '{"name":"e"}'), object: { user_alias: alias, name: 'e', time: T_ISO } },
  { name: 'event by braze_id', dataType: 'custom_events', row: row({ braze_id: 'b1' }, '{"name":"e"}'), object: { braze_id: 'b1', name: 'e', time: T_ISO } },
  { name: 'event by email', dataType: 'custom_events', row: row({ email: 'a@b.co' }, '{"name":"e"}'), object: { email: 'a@b.co', name: 'e', time: T_ISO } },
  { name: 'event by phone', dataType: 'custom_events', row: row({ phone: '+1' }, '{"name":"e"}'), object: { phone: '+1', name: 'e', time: T_ISO } },
  { name: 'event without name', dataType: 'custom_events', row: row(ext, '{"properties":{}}'), error: ['custom_events rows need "name"'] },
  { name: 'event name not a string', dataType: 'custom_events', row: row(ext, '{"name":42}'), error: ['"name" must be a non-empty string', 'number 42'] },
  { name: 'event name empty', dataType: 'custom_events', row: row(ext, '{"name":" "}'), error: ['"name" must be a non-empty string'] },
  { name: 'event time not ISO', dataType: 'custom_events', row: row(ext, '{"name":"e","time":"yesterday"}'), error: ['"time" must be an ISO 8601 time', 'yesterday'] },
  { name: 'event time impossible date', dataType: 'custom_events', row: row(ext, '{"name":"e","time":"2026-13-01T00:00:00Z"}'), error: ['"time" must be an ISO 8601 time'] },
  { name: 'event properties must be an object', dataType: 'custom_events', row: row(ext, '{"name":"e","properties":[1]}'), error: ['"properties" must be a JSON object'] },
  { name: 'event with unusable UPDATED_AT', dataType: 'custom_events', row: row(ext, '{"name":"e"}', 'infinity'), error: ['UPDATED_AT "infinity" is not a timestamp', 'add "time"'] },
  { name: 'event with unusable UPDATED_AT but its own time', dataType: 'custom_events', row: row(ext, '{"name":"e","time":"2026-01-01T00:00:00Z"}', 'infinity'), object: { external_id: 'u1', name: 'e', time: '2026-01-01T00:00:00Z' } },

  // purchases
  { name: 'purchase with defaults', dataType: 'purchases', row: row(ext, '{"product_id":"p1","currency":"USD","price":9.99}'), object: { external_id: 'u1', product_id: 'p1', currency: 'USD', price: 9.99, time: T_ISO } },
  { name: 'purchase with quantity 100 and time', dataType: 'purchases', row: row({ email: 'a@b.co' }, '{"product_id":"p1","currency":"EUR","price":0,"quantity":100,"time":"2026-01-01T00:00:00Z"}'), object: { email: 'a@b.co', product_id: 'p1', currency: 'EUR', price: 0, quantity: 100, time: '2026-01-01T00:00:00Z' } },
  { name: 'purchase by alias', dataType: 'purchases', row: row(alias, '{"product_id":"p","currency":"USD","price":1}'), object: { user_alias: alias, product_id: 'p', currency: 'USD', price: 1, time: T_ISO } },
  { name: 'purchase missing fields', dataType: 'purchases', row: row(ext, '{"product_id":"p1"}'), error: ['purchases rows need "currency", "price"'] },
  { name: 'purchase product_id not a string', dataType: 'purchases', row: row(ext, '{"product_id":7,"currency":"USD","price":1}'), error: ['"product_id" must be a non-empty string'] },
  { name: 'purchase product_id too long', dataType: 'purchases', row: row(ext, JSON.stringify({ product_id: 'p'.repeat(256), currency: 'USD', price: 1 })), error: ['256 characters long', 'at most 255'] },
  { name: 'purchase currency lower case', dataType: 'purchases', row: row(ext, '{"product_id":"p","currency":"usd","price":1}'), error: ['"currency" must be a three-letter ISO 4217 code', 'string "usd"'] },
  { name: 'purchase currency too short', dataType: 'purchases', row: row(ext, '{"product_id":"p","currency":"US","price":1}'), error: ['ISO 4217'] },
  { name: 'purchase price as a string', dataType: 'purchases', row: row(ext, '{"product_id":"p","currency":"USD","price":"9.99"}'), error: ['"price" must be a number', 'without quotes'] },
  { name: 'purchase quantity 0', dataType: 'purchases', row: row(ext, '{"product_id":"p","currency":"USD","price":1,"quantity":0}'), error: ['"quantity" must be a whole number from 1 to 100'] },
  { name: 'purchase quantity 101', dataType: 'purchases', row: row(ext, '{"product_id":"p","currency":"USD","price":1,"quantity":101}'), error: ['from 1 to 100', 'number 101'] },
  { name: 'purchase quantity fractional', dataType: 'purchases', row: row(ext, '{"product_id":"p","currency":"USD","price":1,"quantity":1.5}'), error: ['whole number'] },
  { name: 'purchase bad time', dataType: 'purchases', row: row(ext, '{"product_id":"p","currency":"USD","price":1,"time":12}'), error: ['"time" must be an ISO 8601 time'] },

  // user_deletes
  { name: 'delete by external_id', dataType: 'user_deletes', row: row(ext), target: { external_id: 'u1' }, identifier: 'external_id=u1' },
  { name: 'delete by alias', dataType: 'user_deletes', row: row(alias), target: { user_alias: alias } },
  { name: 'delete by braze_id', dataType: 'user_deletes', row: row({ braze_id: 'b1' }), target: { braze_id: 'b1' } },
  { name: 'delete by email is refused', dataType: 'user_deletes', row: row({ email: 'a@b.co' }), error: ["user_deletes rows can't identify users by EMAIL", 'EXTERNAL_ID, ALIAS_NAME+ALIAS_LABEL or BRAZE_ID'] },
  { name: 'delete by phone is refused', dataType: 'user_deletes', row: row({ phone: '+1' }), error: ['by PHONE'] },
  { name: 'delete with a payload is refused', dataType: 'user_deletes', row: row(ext, '{}'), error: ['must not have a PAYLOAD column'] },
  { name: 'delete with a NULL payload column is refused', dataType: 'user_deletes', row: row(ext, null), error: ['must not have a PAYLOAD column'] },
  { name: 'delete without identifier', dataType: 'user_deletes', row: row({ external_id: null }), error: ['No identifier'] },
  { name: 'delete with two identifiers', dataType: 'user_deletes', row: row({ external_id: 'u1', braze_id: 'b' }), error: ['Several identifier types'] },
];

for (const c of cases) {
  test(`mapRow: ${c.dataType}: ${c.name}`, () => {
    const result: MappedRow = mapRow(c.row, c.dataType);
    if (c.identifier !== undefined) assert.equal(result.ok ? rowIdentifier(c.row.ids) : result.identifier, c.identifier);
    if (c.error) {
      assert.equal(result.ok, false, `expected a row error, got ${JSON.stringify(result).slice(0, 300)}`);
      if (result.ok) return;
      for (const part of c.error) {
        if (typeof part === 'string') assert.ok(result.reason.includes(part), `reason ${JSON.stringify(result.reason)} should include ${JSON.stringify(part)}`);
        else assert.match(result.reason, part);
      }
      return;
    }
    assert.ok(result.ok, `expected success, got ${result.ok ? '' : result.reason}`);
    if (result.kind === 'delete') {
      assert.equal(c.dataType, 'user_deletes');
      assert.deepEqual(result.target, c.target);
      return;
    }
    const expectedKind = { custom_attributes: 'attributes', custom_events: 'events', purchases: 'purchases', user_deletes: 'delete' }[c.dataType];
    assert.equal(result.kind, expectedKind);
    if (c.object) assert.deepEqual(JSON.parse(trackObjectJson(result)), c.object);
    assert.equal(result.bytes, Buffer.byteLength(trackObjectJson(result)));
  });
}

test('the identifier comes first, then the payload as written (order, spacing and number digits kept)', () => {
  const r = mapRow(row(ext, ' {"b": 1, "a":12345678901234567890,\n "c":1.50} \n'), 'custom_attributes');
  assert.ok(r.ok && r.kind !== 'delete');
  assert.equal(trackObjectJson(r), '{"external_id":"u1","b": 1, "a":12345678901234567890,\n "c":1.50}');
  assert.deepEqual(Object.keys(JSON.parse(trackObjectJson(r)) as object), ['external_id', 'b', 'a', 'c']);
});

test('sizes are exact UTF-8 byte counts with non-ASCII identifiers and payloads, and time appended', () => {
  for (const [ids, payload, dataType] of [
    [{ external_id: 'é-ü' }, '{"city":"Zürich","emoji":"😀"}', 'custom_attributes'],
    [{ alias_name: 'ñ', alias_label: 'ß' }, '{}', 'custom_attributes'],
    [{ email: 'ä@b.co', phone: '+1' }, '\t{ "x" : "ø" }\r\n', 'custom_attributes'],
    [{ external_id: 'ü' }, '{"name":"ê","time":null}', 'custom_events'],
    [{ external_id: 'ü' }, '{ }', 'custom_attributes'],
    [{ braze_id: 'b' }, '{"product_id":"p","currency":"USD","price":1}', 'purchases'],
  ] as const) {
    const r = mapRow(row(ids, payload), dataType);
    assert.ok(r.ok && r.kind !== 'delete', r.ok ? '' : r.reason);
    assert.equal(r.bytes, Buffer.byteLength(trackObjectJson(r)), trackObjectJson(r));
    assert.doesNotThrow(() => JSON.parse(trackObjectJson(r)), trackObjectJson(r));
  }
});

test('a "__proto__" payload key stays data', () => {
  const r = mapRow(row(ext, '{"__proto__":{"x":1},"a":1}'), 'custom_attributes');
  assert.ok(r.ok && r.kind !== 'delete');
  assert.equal(trackObjectJson(r), '{"external_id":"u1","__proto__":{"x":1},"a":1}');
  const parsed = JSON.parse(trackObjectJson(r)) as object;
  assert.ok(Object.hasOwn(parsed, '__proto__'));
});

test('row errors never quote the payload', () => {
  const secret = '123-45-6789';
  for (const payload of [`{"ssn": "${secret}" x}`, `["${secret}"]`, `{"ssn":"${secret}","external_id":"u"}`]) {
    const r = mapRow(row(ext, payload), 'custom_attributes');
    assert.equal(r.ok, false);
    assert.ok(!r.ok && !r.reason.includes(secret), r.ok ? '' : r.reason);
  }
});

test('identifier labels stay short and printable', () => {
  const long = mapRow(row({ external_id: 'x'.repeat(500) }, 'nope'), 'custom_attributes');
  assert.ok(!long.ok && long.identifier.length < 80, JSON.stringify(long));
  assert.ok(!long.ok && long.identifier.endsWith('…'));
  const odd = mapRow(row({ external_id: 'a b\n"c' }, 'nope'), 'custom_attributes');
  assert.ok(!odd.ok);
  assert.equal(odd.identifier, 'external_id="a b?\\"c"');
  assert.equal(rowIdentifier({ external_id: 'u1', braze_id: null, email: ' ' }), 'external_id=u1');
});

test('delete sizes count the identifier only', () => {
  const r = mapRow(row({ external_id: 'u1' }), 'user_deletes');
  assert.ok(r.ok);
  assert.equal(r.bytes, 4);
});

test('a "time": null in PAYLOAD is replaced by UPDATED_AT, not sent twice', () => {
  const r = mapRow(row(ext, '{"name":"e","time":null}'), 'custom_events');
  assert.ok(r.ok && r.kind !== 'delete');
  assert.equal(trackObjectJson(r), `{"external_id":"u1","name":"e","time":"${T_ISO}"}`);
});
