import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDefinitionText } from '../../../core/src/lang/load-definition';
import { definitionTemplate, syncNameFrom } from './definition-template';

test('the scaffold validates without errors and names the sync', () => {
  const loaded = checkDefinitionText('/tmp/none/new.brazesync.yaml', definitionTemplate('user_attributes'), { env: {} });
  assert.deepEqual(loaded.problems.filter((p) => p.severity === 'error'), []);
  assert.deepEqual(Object.keys(loaded.file?.syncs ?? {}), ['user_attributes']);
  assert.equal(loaded.file?.syncs.user_attributes?.status, 'draft');
});

test('sync names from free text', () => {
  assert.equal(syncNameFrom('  User Attributes! '), 'user_attributes');
  assert.equal(syncNameFrom('orders-2026'), 'orders_2026');
});
