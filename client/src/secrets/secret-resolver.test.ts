import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SyncFile } from '../../../core/src/model/sync-file';
import { SecretCancelledError, SecretResolver, secretRequestsForSync, type SecretRequest, type SecretStore } from './secret-resolver';

class MemoryStore implements SecretStore {
  readonly values = new Map<string, string>();
  async get(variable: string) {
    return this.values.get(variable);
  }
  async store(variable: string, value: string) {
    this.values.set(variable, value);
  }
}

const file: SyncFile = {
  version: 1,
  braze: { instance: 'US-03', api_key: '${env:BRAZE_API_KEY}' },
  connections: {
    warehouse: { type: 'redshift', host: 'h', database: 'd', user: '${env:RS_USER}', password: 'pre-${env:RS_PASSWORD}' },
    other: { type: 'redshift', host: 'h', database: 'd', user: 'u', password: '${env:OTHER_PASSWORD}' },
  },
  syncs: {
    users: { connection: 'warehouse', table: 's.t', data_type: 'custom_attributes', schedule: 'manual' },
  },
};

test('a sync needs the references of the braze block and of its own connection only', () => {
  assert.deepEqual(secretRequestsForSync(file, 'users', 'connection'), [
    { variable: 'RS_USER', field: 'connections.warehouse.user' },
    { variable: 'RS_PASSWORD', field: 'connections.warehouse.password' },
  ]);
  assert.deepEqual(secretRequestsForSync(file, 'users', 'sync'), [
    { variable: 'BRAZE_API_KEY', field: 'braze.api_key' },
    { variable: 'RS_USER', field: 'connections.warehouse.user' },
    { variable: 'RS_PASSWORD', field: 'connections.warehouse.password' },
  ]);
});

test('the environment wins: nothing is asked or stored', async () => {
  const store = new MemoryStore();
  const asked: SecretRequest[] = [];
  const resolver = new SecretResolver({ BRAZE_API_KEY: 'from-env' }, store, async (r) => (asked.push(r), 'typed'));
  assert.equal(await resolver.value({ variable: 'BRAZE_API_KEY', field: 'braze.api_key' }), 'from-env');
  assert.equal(asked.length, 0);
  assert.equal(store.values.size, 0);
});

test('asks once, stores the answer, and reuses it', async () => {
  const store = new MemoryStore();
  let asked = 0;
  const resolver = new SecretResolver({}, store, async () => (asked++, 'typed-key'));
  const request = { variable: 'BRAZE_API_KEY', field: 'braze.api_key' };
  const [a, b] = await Promise.all([resolver.value(request), resolver.value(request)]);
  assert.deepEqual([a, b, asked], ['typed-key', 'typed-key', 1]);
  assert.equal(store.values.get('BRAZE_API_KEY'), 'typed-key');
  assert.equal(await resolver.value(request), 'typed-key');
  assert.equal(asked, 1);
});

test('a stored value is used without asking', async () => {
  const store = new MemoryStore();
  store.values.set('RS_PASSWORD', 'stored');
  const resolver = new SecretResolver({}, store, async () => assert.fail('must not ask'));
  assert.equal(await resolver.value({ variable: 'RS_PASSWORD', field: 'x' }), 'stored');
});

test('cancelling names the variable and the field, and stores nothing', async () => {
  const store = new MemoryStore();
  const resolver = new SecretResolver({}, store, async () => undefined);
  await assert.rejects(resolver.value({ variable: 'RS_PASSWORD', field: 'connections.warehouse.password' }), (err: unknown) => {
    assert.ok(err instanceof SecretCancelledError);
    assert.match(err.message, /connections\.warehouse\.password refers to \$\{env:RS_PASSWORD\}.*environment variable RS_PASSWORD/);
    return true;
  });
  assert.equal(store.values.size, 0);
});

test('environmentFor merges the host environment with every needed value', async () => {
  const store = new MemoryStore();
  store.values.set('RS_PASSWORD', 'pw');
  const resolver = new SecretResolver({ PATH: '/bin', RS_USER: 'me' }, store, async () => 'key');
  const env = await resolver.environmentFor(secretRequestsForSync(file, 'users', 'sync'));
  assert.deepEqual(env, { PATH: '/bin', RS_USER: 'me', BRAZE_API_KEY: 'key', RS_PASSWORD: 'pw' });
});
