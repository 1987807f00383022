/** Keeps the TypeScript model (core/src/model) and the JSON Schema (the source of truth) in step. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BRAZE_INSTANCES } from '../model/braze-instances';
import {
  AUTH_MODES, DATA_TYPES, SEND_MODES, SSL_MODES, SYNC_STATUSES, type BrazeSettings, type NotificationSettings, type RedshiftConnection, type SmtpSettings, type StateSettings, type SyncDefinition, type SyncFile,
} from '../model/sync-file';
import { deref, schema, type JsonSchema } from './schema';

type Exhaustive<T, K extends readonly (keyof T)[]> = Exclude<keyof T, K[number]> extends never ? K : never;
const keys = <T>() => <K extends readonly (keyof T)[]>(k: Exhaustive<T, K>) => k;

const FILE_KEYS = keys<SyncFile>()(['version', 'braze', 'connections', 'syncs', 'notifications', 'state'] as const);
const BRAZE_KEYS = keys<BrazeSettings>()(['instance', 'endpoint', 'api_key', 'timezone'] as const);
const CONNECTION_KEYS = keys<RedshiftConnection>()(['type', 'host', 'port', 'database', 'user', 'password', 'ssl', 'ca_file', 'auth', 'cluster_identifier', 'workgroup', 'region'] as const);
const SYNC_KEYS = keys<SyncDefinition>()(['connection', 'table', 'data_type', 'catalog', 'schedule', 'contacts', 'status', 'lookback', 'batch_size', 'send', 'resend_every'] as const);
const NOTIFICATION_KEYS = keys<NotificationSettings>()(['smtp', 'on_error', 'row_error_threshold', 'on_success'] as const);
const SMTP_KEYS = keys<SmtpSettings>()(['host', 'port', 'secure', 'user', 'password', 'from'] as const);
const STATE_KEYS = keys<StateSettings>()(['url', 'schema', 'ssl', 'ca_file'] as const);

function props(s: JsonSchema | undefined): string[] {
  return Object.keys(deref(s)?.properties ?? {}).sort();
}

test('schema properties match the TypeScript model', () => {
  assert.deepEqual(props(schema), [...FILE_KEYS].sort());
  assert.deepEqual(props(schema.definitions?.braze), [...BRAZE_KEYS].sort());
  assert.deepEqual(props(schema.definitions?.connection), [...CONNECTION_KEYS].sort());
  assert.deepEqual(props(schema.definitions?.sync), [...SYNC_KEYS].sort());
  assert.deepEqual(props(schema.definitions?.notifications), [...NOTIFICATION_KEYS].sort());
  assert.deepEqual(props(schema.definitions?.smtp), [...SMTP_KEYS].sort());
  assert.deepEqual(props(schema.definitions?.state), [...STATE_KEYS].sort());
});

test('schema enums match the model constants', () => {
  const sync = schema.definitions?.sync?.properties ?? {};
  assert.deepEqual(sync.data_type?.enum, [...DATA_TYPES]);
  assert.equal(sync.data_type?.enumDescriptions?.length, DATA_TYPES.length);
  assert.deepEqual(sync.status?.enum, [...SYNC_STATUSES]);
  assert.deepEqual(sync.send?.enum, [...SEND_MODES]);
  assert.deepEqual(schema.definitions?.connection?.properties?.ssl?.enum, [...SSL_MODES]);
  assert.deepEqual(schema.definitions?.state?.properties?.ssl?.enum, [...SSL_MODES]);
  assert.deepEqual(schema.definitions?.connection?.properties?.auth?.enum, [...AUTH_MODES]);
  assert.deepEqual(schema.definitions?.braze?.properties?.instance?.enum, BRAZE_INSTANCES.map((i) => i.id));
});

test('every property is documented', () => {
  const walk = (s: JsonSchema | undefined, where: string): void => {
    const d = deref(s);
    for (const [k, v] of Object.entries(d?.properties ?? {})) {
      const p = deref(v);
      assert.ok(p?.description, `${where}.${k} has a description`);
      walk(p, `${where}.${k}`);
    }
  };
  walk(schema, '');
  for (const [k, v] of Object.entries(schema.definitions ?? {})) walk(v, k);
});
