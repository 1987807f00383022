import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SyncFile } from '../../../core/src/model/sync-file';
import { noticeForError, noticeForRunError } from './failure-notice';

const file: SyncFile = {
  version: 1,
  braze: { endpoint: 'https://rest.iad-01.braze.com', api_key: '${env:K}' },
  connections: { w: { type: 'redshift', host: 'c.example.com', database: 'dev', user: 'braze_user', password: '${env:P}' } },
  syncs: { users: { connection: 'w', table: 'ingestion.users', data_type: 'custom_attributes', schedule: 'manual' } },
};

test('a wrong password during Sync Now gets the same diagnosis and fix as Test Connection', () => {
  const err = Object.assign(new Error('password authentication failed for user "braze_user"'), { code: '28P01', severity: 'FATAL' });
  const n = noticeForError(err, file, 'users');
  assert.match(n.text, /^Authentication failed for user braze_user\. Fix: Check the connection's user and the password .* ALTER USER braze_user PASSWORD/);
  assert.match(n.log, /\(password authentication failed for user "braze_user"\)/);
  assert.equal(n.offerTest, true);
});

test('an unreachable host recorded in a run names the address and says how to reach it', () => {
  const n = noticeForRunError('connect EHOSTUNREACH 10.1.2.3:5439', file, 'users');
  assert.match(n.text, /^There is no network route to c\.example\.com:5439\. Fix: .*public endpoint/);
});

test("Braze's own errors and unknown errors are shown as they are", () => {
  assert.equal(noticeForRunError('Braze refused the API key (401): check braze.api_key', file, 'users').text, 'Braze refused the API key (401): check braze.api_key');
  assert.equal(noticeForRunError('something odd', file, 'users').offerTest, true);
});
