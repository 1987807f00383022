import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceRow } from './ports';
import { TieGroup } from './tie-group';

const at = '2026-03-01 12:00:00.000001+00';
const row = (external_id: string | null, payload?: string | null, updatedAt = at): SourceRow => ({ updatedAt, ids: { external_id }, ...(payload !== undefined ? { payload } : {}) });

test('identical rows at one UPDATED_AT are taken once; any difference makes a new row', () => {
  const g = new TieGroup();
  assert.equal(g.admit(row('u1', '{"a":1}')), true);
  assert.equal(g.admit(row('u1', '{"a":1}')), false, 'identical');
  assert.equal(g.admit(row('u2', '{"a":1}')), true, 'same payload, other id');
  assert.equal(g.admit(row('u1', '{"a":1} ')), true, 'a trailing blank is a difference (SQL would ignore it)');
  assert.equal(g.admit(row('U1', '{"a":1}')), true, 'case is a difference');
  assert.equal(g.admit(row('u1', null)), true);
  assert.equal(g.admit(row('u1', '')), true, 'an empty payload is not NULL');
  assert.equal(g.admit(row('u1')), true, 'an absent payload is not NULL');
  assert.equal(g.admit(row('u1', '\u0000null')), true, 'a payload spelling the NULL marker is still a payload');
  assert.equal(g.admit(row(null, '{"a":1}')), true);
  assert.equal(g.size, 9);
  assert.equal(g.admit(row('u1', null)), false);
});

test('a new UPDATED_AT starts a new group; the old one is forgotten', () => {
  const g = new TieGroup();
  g.admit(row('u1', '{}'));
  assert.equal(g.admit(row('u1', '{}', '2026-03-01 12:00:00.000002+00')), true);
  assert.equal(g.lastUpdatedAt, '2026-03-01 12:00:00.000002+00');
  assert.equal(g.size, 1);
});

test('a group past a few thousand rows keeps keys instead of rows and still tells rows apart', () => {
  const g = new TieGroup();
  for (let i = 0; i < 10_000; i++) assert.equal(g.admit(row(`u${i}`, `{"n":${i % 7}}`)), true);
  assert.equal(g.size, 10_000);
  for (const i of [0, 4095, 4096, 4097, 9999]) assert.equal(g.admit(row(`u${i}`, `{"n":${i % 7}}`)), false, `row ${i} again`);
  assert.equal(g.admit(row('u0', '{"n":1}')), true);
  assert.equal(g.size, 10_001);
});
