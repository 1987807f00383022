import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyJson, preparedTrackBody } from './json-texts';
import { mapRow } from './row-mapping';

test('a prepared body is sent as the joined texts of its mapped objects', () => {
  const rows = ['u1', 'u2'].map((id) => mapRow({ updatedAt: '2026-11-28 10:00:00+00', ids: { external_id: id }, payload: '{"name":"e","n":1e2}' }, 'custom_events'));
  const objects: Record<string, unknown>[] = [];
  const texts: string[] = [];
  for (const r of rows) {
    assert.ok(r.ok && r.kind === 'events');
    objects.push(r.object);
    texts.push(r.json);
  }
  const body = preparedTrackBody('events', objects, texts);
  assert.deepEqual(body, { events: objects });
  assert.equal(bodyJson(body), JSON.stringify(body));
});

test('other bodies are serialised as usual; texts must match the objects', () => {
  const body = { attributes: [{ external_id: 'a', x: [1, { y: null }] }], events: undefined };
  assert.equal(bodyJson(body), JSON.stringify(body));
  assert.equal(bodyJson({ external_ids: ['a', 'b'] }), '{"external_ids":["a","b"]}');
  assert.throws(() => preparedTrackBody('attributes', [{ external_id: 'a' }], []), /1 objects but 0 texts/);
});
