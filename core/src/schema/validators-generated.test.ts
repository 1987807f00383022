/** The validators compiled ahead of time must be those of the schema as it is now. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { isValidName, validateSyncValue } from './schema';

const GENERATOR = path.resolve(__dirname, '../../../scripts/generate-validators.mjs');

test('validators.generated.ts matches schemas/brazesync.schema.json', () => {
  const run = spawnSync(process.execPath, [GENERATOR, '--check'], { encoding: 'utf8' });
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
});

test('the generated validators check what the schema says', () => {
  assert.equal(isValidName('users_daily'), true);
  assert.equal(isValidName('9lives'), false);
  const errors = validateSyncValue({ connection: 'warehouse', table: 'public.users', data_type: 'custom_attributes', schedule: 'every 10 minutes', colour: 'red' });
  assert.ok(errors.some((e) => e.keyword === 'additionalProperties' && e.params.additionalProperty === 'colour'), JSON.stringify(errors));
});
