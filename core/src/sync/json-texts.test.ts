import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { preparedTrackBody, requestBody, trackObjectJson } from './json-texts';
import { mapRow, type MappedRow } from './row-mapping';
import type { RowIdentifiers } from './ports';

function mapped(ids: RowIdentifiers, payload: string, dataType: 'custom_attributes' | 'custom_events' = 'custom_events'): Extract<MappedRow, { ok: true; kind: 'attributes' | 'events' | 'purchases' }> {
  const r = mapRow({ updatedAt: '2026-11-28 10:00:00+00', ids, payload }, dataType);
  assert.ok(r.ok && r.kind !== 'delete', r.ok ? r.kind : r.reason);
  return r;
}

test('a prepared body is sent as the bytes of its mapped objects, which stay readable', () => {
  const objects = ['u1', 'u2'].map((id) => mapped({ external_id: id }, '{"name":"e","n":1e2}'));
  const body = preparedTrackBody('events', objects);
  const sent = requestBody(body);
  assert.ok(Buffer.isBuffer(sent));
  // PAYLOAD's members go out as written (1e2 stays 1e2); the objects parse back from the same bytes.
  assert.equal(sent.toString('utf8'), `{"events":[${objects.map(trackObjectJson).join(',')}]}`);
  assert.match(sent.toString('utf8'), /"n":1e2/);
  assert.deepEqual(body, {
    events: [
      { external_id: 'u1', name: 'e', n: 100, time: '2026-11-28T10:00:00.000000Z' },
      { external_id: 'u2', name: 'e', n: 100, time: '2026-11-28T10:00:00.000000Z' },
    ],
  });
});

test('the bytes written are exactly the objects’ texts, whatever the characters, spacing and pieces', () => {
  const objects = [
    mapped({ external_id: 'é-ü' }, ' {"city":"Zürich","emoji":"😀"}\n', 'custom_attributes'),
    mapped({ alias_name: 'ñ', alias_label: 'ß' }, '{}', 'custom_attributes'),
    mapped({ email: 'ä@b.co', phone: '+1' }, '\t{ "x" : "ø" }\r\n', 'custom_attributes'),
    mapped({ external_id: 'ü' }, '{"name":"ê","time":null}'),
    mapped({ external_id: 'lone' }, '{"name":"\ud800","escaped":"\\ud800"}'),
  ];
  for (const o of objects) assert.equal(o.bytes, Buffer.byteLength(trackObjectJson(o)), trackObjectJson(o));
  const sent = requestBody(preparedTrackBody('attributes', objects));
  assert.ok(Buffer.isBuffer(sent));
  // A raw lone surrogate becomes U+FFFD in UTF-8, as Buffer.from would have it.
  assert.deepEqual(sent, Buffer.from(`{"attributes":[${objects.map(trackObjectJson).join(',')}]}`));
  assert.doesNotThrow(() => JSON.parse(sent.toString('utf8')));
});

test('other bodies are serialised as usual', () => {
  const body = { attributes: [{ external_id: 'a', x: [1, { y: null }] }], events: undefined };
  assert.equal(requestBody(body), JSON.stringify(body));
  assert.equal(requestBody({ external_ids: ['a', 'b'] }), '{"external_ids":["a","b"]}');
});
