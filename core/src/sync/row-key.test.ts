import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowKey } from './row-key';

test('row keys stay what state files already hold (computed by earlier versions)', () => {
  assert.equal(rowKey({ updatedAt: 'x', ids: { external_id: 'u1' }, payload: '{"a":1}' }, 1767225600000001), '4vZltAgSInVQHdmb');
  assert.equal(rowKey({ updatedAt: 'x', ids: { alias_name: 'é', alias_label: 'crm', email: null } }, 0), '4xRVs7RQi8AMuGh2');
});

test('NULL, absent and empty values make different keys', () => {
  assert.equal(rowKey({ updatedAt: 'x', ids: { external_id: '' }, payload: null }, 5), 'lqApxIcA2WeUcM14');
  assert.equal(rowKey({ updatedAt: 'x', ids: {}, payload: '' }, 5), '_weluoMxGEQwzNnO');
  const key = (external_id: string | null | undefined) => rowKey({ updatedAt: 'x', ids: external_id === undefined ? {} : { external_id }, payload: '{}' }, 5);
  assert.equal(key(null), key(undefined), 'a NULL column and a missing column both have no value');
  assert.notEqual(key(''), key(null), 'an empty string is a value');
  assert.notEqual(key('a'), key(''));
});
