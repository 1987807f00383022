import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionFingerprint, testStatus } from './connection-fingerprint';

const connection = { host: 'h.example.com', port: 5439, database: 'DB', user: 'u', ssl: 'require', password: '${env:PW}' };
const fingerprint = (extra: Record<string, unknown> = {}) => connectionFingerprint({ ...connection, ...extra }, 'ingestion.users', 'custom_attributes');

test('a test recorded before IAM and ca_file existed keeps its fingerprint', () => {
  assert.equal(fingerprint(), 'b29bb24962608d9d');
});

test('switching to IAM, another cluster, region or CA bundle makes an earlier test stale', () => {
  const before = { at: '2026-11-01T00:00:00.000Z', fingerprint: fingerprint() };
  for (const change of [{ auth: 'iam' }, { cluster_identifier: 'c2' }, { workgroup: 'wg' }, { region: 'eu-west-1' }, { ca_file: 'ca.pem' }]) {
    assert.notEqual(fingerprint(change), before.fingerprint, JSON.stringify(change));
    assert.deepEqual(testStatus({ ...connection, ...change }, 'ingestion.users', 'custom_attributes', before), { tested: false, reason: 'stale', lastAt: before.at });
  }
});
