import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyJson, preparedTrackBody } from './json-texts';
import { mapRow } from './row-mapping';

test('a prepared body is sent as the joined texts of its mapped objects, which stay readable', () => {
  const texts = ['u1', 'u2'].map((id) => {
    const r = mapRow({ updatedAt: '2026-11-28 10:00:00+00', ids: { external_id: id }, payload: '{"name":"e","n":1e2}' }, 'custom_events');
    assert.ok(r.ok && r.kind === 'events');
    return r.json;
  });
  const body = preparedTrackBody('events', texts);
  // PAYLOAD's members go out as written (1e2 stays 1e2); the objects parse back from the same text.
  assert.equal(bodyJson(body), `{"events":[${texts.join(',')}]}`);
  assert.match(bodyJson(body), /"n":1e2/);
  assert.deepEqual(body, {
    events: [
      { external_id: 'u1', name: 'e', n: 100, time: '2026-11-28T10:00:00.000000Z' },
      { external_id: 'u2', name: 'e', n: 100, time: '2026-11-28T10:00:00.000000Z' },
    ],
  });
  assert.deepEqual(JSON.parse(JSON.stringify(body)), JSON.parse(bodyJson(body)));
});

test('other bodies are serialised as usual', () => {
  const body = { attributes: [{ external_id: 'a', x: [1, { y: null }] }], events: undefined };
  assert.equal(bodyJson(body), JSON.stringify(body));
  assert.equal(bodyJson({ external_ids: ['a', 'b'] }), '{"external_ids":["a","b"]}');
});
