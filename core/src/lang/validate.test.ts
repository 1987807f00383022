import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseSyncFile } from '../parse/sync-document';
import { connectionFingerprint } from '../state/connection-fingerprint';
import type { StateLookup } from '../state/sync-state';
import { DIAGNOSTIC_CODES } from './codes';
import { validate } from './validate';

const EXAMPLE = readFileSync(path.join(__dirname, '../../../test/fixtures/example.brazesync.yaml'), 'utf8');

interface Found {
  code: string;
  severity: string;
  /** The source text the diagnostic covers. */
  text: string;
  line: number;
  message: string;
}

function check(text: string, state?: StateLookup, stateKnown = false): Found[] {
  const doc = parseSyncFile(text);
  return validate(doc, state ? { state, stateKnown } : {}).map((d) => ({
    code: d.code,
    severity: d.severity,
    text: text.slice(doc.lines.offsetAt(d.range.start), doc.lines.offsetAt(d.range.end)),
    line: d.range.start.line + 1,
    message: d.message,
  }));
}

function edit(from: string, to: string): string {
  assert.ok(EXAMPLE.includes(from), `fixture lacks ${from}`);
  return EXAMPLE.replace(from, to);
}

test('the README example is clean', () => {
  assert.deepEqual(check(EXAMPLE), []);
});

interface Case {
  name: string;
  text: string;
  expect: { code: string; text: string; severity?: string; message?: RegExp }[];
  state?: StateLookup;
  stateKnown?: boolean;
}

const cases: Case[] = [
  { name: 'yaml syntax error stays on its line', text: edit('    table: INGESTION.PURCHASES_SYNC', '    table: "INGESTION.PURCHASES_SYNC'), expect: [{ code: 'yaml-syntax', text: '"INGESTION.PURCHASES_SYNC' }] },
  { name: 'duplicate key', text: edit('    ssl: require', '    ssl: require\n    ssl: disable'), expect: [{ code: 'duplicate-key', text: 'ssl' }] },
  { name: 'second document', text: EXAMPLE + '---\nversion: 1\n', expect: [{ code: 'multiple-documents', text: '---' }] },
  { name: 'unknown field with suggestion', text: edit('    table: INGESTION.PURCHASES_SYNC', '    tabel: INGESTION.PURCHASES_SYNC'), expect: [{ code: 'missing-field', text: 'purchases' }, { code: 'unknown-field', text: 'tabel', message: /Did you mean `table`/ }] },
  { name: 'unknown top-level field', text: EXAMPLE + 'extra: 1\n', expect: [{ code: 'unknown-field', text: 'extra' }] },
  { name: 'missing required field in connection', text: edit('    user: braze_user\n', ''), expect: [{ code: 'missing-field', text: 'warehouse', message: /`user`/ }] },
  { name: 'missing top-level field', text: edit('version: 1\n', ''), expect: [{ code: 'missing-field', text: 'braze', message: /`version`/ }] },
  { name: 'wrong type', text: edit('    port: 5439', '    port: five'), expect: [{ code: 'wrong-type', text: 'five', message: /whole number/ }] },
  { name: 'out of range', text: edit('    port: 5439', '    port: 70000'), expect: [{ code: 'out-of-range', text: '70000', message: /at most 65535/ }] },
  { name: 'bad enum with suggestion', text: edit('    data_type: purchases', '    data_type: purchase'), expect: [{ code: 'invalid-value', text: 'purchase', message: /Did you mean `purchases`/ }] },
  { name: 'bad instance', text: edit('  instance: US-03', '  instance: US-09'), expect: [{ code: 'invalid-value', text: 'US-09' }] },
  { name: 'wrong version', text: edit('version: 1', 'version: 2'), expect: [{ code: 'invalid-value', text: '2' }] },
  { name: 'bad ssl', text: edit('    ssl: require', '    ssl: prefer'), expect: [{ code: 'invalid-value', text: 'prefer' }] },
  { name: 'bad status', text: edit('    status: draft', '    status: paused'), expect: [{ code: 'invalid-value', text: 'paused' }] },
  { name: 'invalid sync name', text: edit('  purchases:\n', '  9purchases:\n'), expect: [{ code: 'invalid-name', text: '9purchases' }] },
  { name: 'schedule too frequent names the bound', text: edit('every 15 minutes', 'every 5 minutes'), expect: [{ code: 'schedule-too-frequent', text: '5', message: /15 minutes/ }] },
  { name: 'schedule too rare names the bound', text: edit('every 15 minutes', 'every 40 days'), expect: [{ code: 'schedule-too-rare', text: '40', message: /31 days/ }] },
  { name: 'schedule syntax', text: edit('daily at 09:00', 'dayly at 09:00'), expect: [{ code: 'schedule-syntax', text: 'dayly' }] },
  { name: 'schedule bad time', text: edit('daily at 09:00', 'daily at 25:00'), expect: [{ code: 'schedule-syntax', text: '25' }] },
  { name: 'unknown connection', text: edit('    connection: warehouse\n    table: INGESTION.PURCHASES_SYNC', '    connection: warehose\n    table: INGESTION.PURCHASES_SYNC'), expect: [{ code: 'unknown-connection', text: 'warehose', message: /Did you mean `warehouse`/ }] },
  { name: 'two syncs on one table', text: edit('INGESTION.PURCHASES_SYNC', 'ingestion.users_attributes_sync'), expect: [{ code: 'duplicate-table', text: 'ingestion.users_attributes_sync', message: /`user_attributes` \(line 17\)/ }] },
  { name: 'same table through the database prefix', text: edit('INGESTION.PURCHASES_SYNC', 'BRAZE_CLOUD_PRODUCTION.INGESTION.USERS_ATTRIBUTES_SYNC'), expect: [{ code: 'duplicate-table', text: 'BRAZE_CLOUD_PRODUCTION.INGESTION.USERS_ATTRIBUTES_SYNC' }] },
  { name: 'invalid email', text: edit('      - data-eng@example.com', '      - data-eng(at)example'), expect: [{ code: 'invalid-email', text: 'data-eng(at)example' }] },
  { name: 'duplicate contact', text: edit('    contacts: [data-eng@example.com]', '    contacts: [a@example.com, a@example.com]'), expect: [{ code: 'duplicate-item', text: 'a@example.com', severity: 'warning' }] },
  { name: 'unknown time zone with suggestion', text: edit('America/New_York', 'America/New_Yrok'), expect: [{ code: 'unknown-timezone', text: 'America/New_Yrok', message: /America\/New_York/ }] },
  { name: 'table with one part', text: edit('INGESTION.PURCHASES_SYNC', 'PURCHASES_SYNC'), expect: [{ code: 'invalid-table-name', text: 'PURCHASES_SYNC' }] },
  { name: 'table with a bad identifier', text: edit('INGESTION.PURCHASES_SYNC', 'INGESTION.PURCHASES-SYNC'), expect: [{ code: 'invalid-table-name', text: 'PURCHASES-SYNC' }] },
  { name: 'table with injection attempt', text: edit('INGESTION.PURCHASES_SYNC', `'INGESTION."x"; DROP TABLE y'`), expect: [{ code: 'invalid-table-name', text: ';' }] },
  { name: 'quoted table parts are fine', text: edit('INGESTION.PURCHASES_SYNC', '\'"My Schema"."Purchases"\''), expect: [] },
  { name: 'literal state URL', text: EXAMPLE + 'state:\n  url: postgres://app:pw@db:5432/app\n', expect: [{ code: 'plaintext-secret', text: 'postgres://app:pw@db:5432/app', severity: 'warning', message: /BRAZESYNC_STATE_URL/ }] },
  { name: 'state URL of another kind', text: EXAMPLE + 'state:\n  url: mysql://db/app\n', expect: [{ code: 'plaintext-secret', text: 'mysql://db/app' }, { code: 'invalid-format', text: 'mysql://db/app', message: /postgres:\/\/user:password@host/ }] },
  { name: 'state schema not an identifier', text: EXAMPLE + 'state:\n  url: ${env:BRAZESYNC_STATE_URL}\n  schema: Bad-Name\n', expect: [{ code: 'invalid-format', text: 'Bad-Name' }] },
  { name: 'literal api key', text: edit('${env:BRAZE_API_KEY}', 'abcd-1234-secret'), expect: [{ code: 'plaintext-secret', text: 'abcd-1234-secret', severity: 'warning' }] },
  { name: 'literal password', text: edit('${env:REDSHIFT_PASSWORD}', 'hunter2'), expect: [{ code: 'plaintext-secret', text: 'hunter2', severity: 'warning', message: /WAREHOUSE_PASSWORD/ }] },
  {
    name: 'literal SMTP password',
    text: EXAMPLE + 'notifications:\n  smtp:\n    host: smtp.example.com\n    user: me\n    password: s3cret\n    from: a@example.com\n',
    expect: [{ code: 'plaintext-secret', text: 's3cret', message: /SMTP_PASSWORD/ }],
  },
  {
    name: 'SMTP user without password',
    text: EXAMPLE + 'notifications:\n  smtp:\n    host: smtp.example.com\n    user: me\n    from: a@example.com\n',
    expect: [{ code: 'incomplete-smtp-login', text: 'user' }],
  },
  { name: 'password missing with password auth', text: edit('    password: ${env:REDSHIFT_PASSWORD}\n', ''), expect: [{ code: 'missing-field', text: 'warehouse', message: /`password`/ }] },
  { name: 'iam auth needs no password', text: edit('    password: ${env:REDSHIFT_PASSWORD}\n', '    auth: iam\n'), expect: [] },
  { name: 'iam auth on a Serverless endpoint', text: edit('example.abc123.us-east-1.redshift.amazonaws.com\n    port: 5439\n    database: BRAZE_CLOUD_PRODUCTION\n    user: braze_user\n    password: ${env:REDSHIFT_PASSWORD}\n', 'default-wg.123456789012.eu-west-1.redshift-serverless.amazonaws.com\n    port: 5439\n    database: BRAZE_CLOUD_PRODUCTION\n    user: braze_user\n    auth: iam\n'), expect: [] },
  { name: 'iam auth with a password', text: edit('    ssl: require', '    ssl: require\n    auth: iam'), expect: [{ code: 'ignored-field', text: 'password', severity: 'warning', message: /not used/ }] },
  {
    name: 'iam auth through an alias host needs the cluster',
    text: edit('example.abc123.us-east-1.redshift.amazonaws.com\n    port: 5439\n    database: BRAZE_CLOUD_PRODUCTION\n    user: braze_user\n    password: ${env:REDSHIFT_PASSWORD}\n', 'warehouse.internal.example.com\n    port: 5439\n    database: BRAZE_CLOUD_PRODUCTION\n    user: braze_user\n    auth: iam\n'),
    expect: [{ code: 'iam-target', text: 'warehouse.internal.example.com', message: /cluster_identifier.*workgroup.*region/ }],
  },
  {
    name: 'iam auth with an explicit cluster still needs a region off an alias host',
    text: edit('example.abc123.us-east-1.redshift.amazonaws.com\n    port: 5439\n    database: BRAZE_CLOUD_PRODUCTION\n    user: braze_user\n    password: ${env:REDSHIFT_PASSWORD}\n', 'warehouse.internal.example.com\n    port: 5439\n    database: BRAZE_CLOUD_PRODUCTION\n    user: braze_user\n    auth: iam\n    cluster_identifier: example\n'),
    expect: [{ code: 'iam-target', text: 'iam', message: /add `region:`/ }],
  },
  { name: 'cluster and workgroup together', text: edit('    password: ${env:REDSHIFT_PASSWORD}\n', '    auth: iam\n    cluster_identifier: example\n    workgroup: wg\n'), expect: [{ code: 'iam-target', text: 'workgroup', message: /not both/ }] },
  { name: 'iam fields without iam auth', text: edit('    ssl: require', '    ssl: require\n    region: us-east-1'), expect: [{ code: 'ignored-field', text: 'region', severity: 'warning', message: /only with `auth: iam`/ }] },
  { name: 'bad region', text: edit('    password: ${env:REDSHIFT_PASSWORD}\n', '    auth: iam\n    region: US East\n'), expect: [{ code: 'invalid-format', text: 'US East' }] },
  { name: 'bad auth', text: edit('    ssl: require', '    ssl: require\n    auth: iam-role'), expect: [{ code: 'invalid-value', text: 'iam-role', message: /password, iam/ }] },
  { name: 'ca_file with verify-full', text: edit('    ssl: require', '    ssl: verify-full\n    ca_file: certs/redshift-ca-bundle.pem'), expect: [] },
  { name: 'catalog sync without catalog', text: edit('    data_type: purchases', '    data_type: catalog_items'), expect: [{ code: 'missing-catalog', text: 'catalog_items', severity: 'error', message: /add `catalog: <name>`/ }] },
  { name: 'catalog named otherwise', text: edit('    data_type: purchases', '    data_type: catalog_items\n    catalog: orders'), expect: [{ code: 'catalog-name-mismatch', text: 'orders', severity: 'warning', message: /exactly match/ }] },
  { name: 'ca_file without verify-full', text: edit('    ssl: require', '    ssl: require\n    ca_file: certs/redshift-ca-bundle.pem'), expect: [{ code: 'ignored-field', text: 'ca_file', message: /ssl: verify-full/ }] },
  { name: 'instance and endpoint together', text: edit('  instance: US-03', '  instance: US-03\n  endpoint: https://rest.iad-03.braze.com'), expect: [{ code: 'braze-target', text: 'endpoint' }] },
  { name: 'neither instance nor endpoint', text: edit('  instance: US-03\n', ''), expect: [{ code: 'braze-target', text: 'braze' }] },
  { name: 'plain http to a remote host', text: edit('  instance: US-03', '  endpoint: http://rest.iad-03.braze.com'), expect: [{ code: 'insecure-endpoint', text: 'http://rest.iad-03.braze.com' }] },
  { name: 'plain http to loopback is fine', text: edit('  instance: US-03', '  endpoint: http://127.0.0.1:4010'), expect: [] },
  { name: 'lookback format', text: edit('    status: draft', '    status: draft\n    lookback: half an hour'), expect: [{ code: 'invalid-format', text: 'half an hour' }] },
  { name: 'send: changed on purchases', text: edit('    data_type: purchases', '    data_type: purchases\n    send: changed'), expect: [{ code: 'send-not-diffable', text: 'changed', message: /only for `custom_attributes` and `catalog_items` syncs; each purchases row/ }] },
  { name: 'send: changed on events', text: edit('    data_type: purchases', '    data_type: custom_events\n    send: changed'), expect: [{ code: 'send-not-diffable', text: 'changed', message: /each custom_events row is a new occurrence/ }] },
  { name: 'send: changed on a catalog sync (per item)', text: edit('    data_type: purchases', '    data_type: catalog_items\n    catalog: purchases\n    send: changed\n    resend_every: 30 days'), expect: [] },
  { name: 'send mode spelt wrong', text: edit('    status: draft', '    status: draft\n    send: diff'), expect: [{ code: 'invalid-value', text: 'diff', message: /all, changed/ }] },
  { name: 'resend_every without send: changed', text: edit('    status: draft', '    status: draft\n    resend_every: 30 days'), expect: [{ code: 'ignored-field', text: 'resend_every', severity: 'warning', message: /only with `send: changed`/ }] },
  { name: 'resend_every format', text: edit('    status: active', '    status: active\n    send: changed\n    resend_every: monthly'), expect: [{ code: 'invalid-format', text: 'monthly' }] },
  { name: 'send: changed with resend_every on attributes', text: edit('    status: active', '    status: active\n    send: changed\n    resend_every: 30 days'), expect: [] },
  { name: 'batch size over the Braze limit', text: edit('    status: draft', '    status: draft\n    batch_size: 100'), expect: [{ code: 'out-of-range', text: '100', message: /at most 75/ }] },
  {
    name: 'data type changed after the first run',
    text: edit('    data_type: purchases', '    data_type: custom_events'),
    state: (name) => (name === 'purchases' ? { dataType: 'purchases', recordedAt: '2026-11-01T09:00:00.000Z' } : undefined),
    expect: [{ code: 'data-type-immutable', text: 'custom_events', message: /`purchases` \(recorded 2026-11-01T09:00:00.000Z\)/ }],
  },
  { name: 'state recorded for every sync flags only the changed one', text: EXAMPLE, state: () => ({ dataType: 'custom_attributes', recordedAt: 'x' }), expect: [{ code: 'data-type-immutable', text: 'purchases' }] },
  {
    name: 'removing a connection used by an active sync',
    text: edit('  warehouse:\n    type: redshift', '  other:\n    type: redshift'),
    expect: [
      { code: 'connection-in-use', text: 'warehouse', message: /Active sync `user_attributes`.*cannot be removed while active syncs use it/ },
      { code: 'unknown-connection', text: 'warehouse' },
    ],
  },
  {
    name: 'active sync never tested, where state exists',
    text: EXAMPLE,
    stateKnown: true,
    state: () => ({}),
    expect: [{ code: 'untested-active-sync', text: 'active', severity: 'warning', message: /never passed Test Connection/ }],
  },
  {
    name: 'active sync whose settings changed since its test',
    text: EXAMPLE,
    stateKnown: true,
    state: () => ({ lastTest: { at: '2026-11-01T09:00:00.000Z', fingerprint: 'stale' } }),
    expect: [{ code: 'untested-active-sync', text: 'active', message: /changed since the last passing Test Connection \(2026-11-01T09:00:00.000Z\)/ }],
  },
  {
    name: 'active sync with a passing test of its current settings',
    text: EXAMPLE,
    stateKnown: true,
    state: (name) =>
      name === 'user_attributes'
        ? {
            lastTest: {
              at: 'x',
              fingerprint: connectionFingerprint(
                { host: 'example.abc123.us-east-1.redshift.amazonaws.com', port: 5439, database: 'BRAZE_CLOUD_PRODUCTION', user: 'braze_user', ssl: 'require', password: '${env:REDSHIFT_PASSWORD}' },
                'INGESTION.USERS_ATTRIBUTES_SYNC',
                'custom_attributes',
              ),
            },
          }
        : undefined,
    expect: [],
  },
  { name: 'no state for the file: nothing said about tests', text: EXAMPLE, state: () => undefined, expect: [] },
  { name: 'no state: no immutability claim', text: edit('    data_type: purchases', '    data_type: custom_events'), expect: [] },
  { name: 'not a mapping', text: '- just\n- a list\n', expect: [{ code: 'wrong-type', text: '- just' }] },
];

for (const c of cases) {
  test(`rule: ${c.name}`, () => {
    const found = check(c.text, c.state, c.stateKnown);
    assert.deepEqual(
      found.map((f) => ({ code: f.code, text: f.text })),
      c.expect.map((e) => ({ code: e.code, text: e.text })),
      JSON.stringify(found, null, 1),
    );
    c.expect.forEach((e, i) => {
      if (e.severity) assert.equal(found[i]?.severity, e.severity);
      if (e.message) assert.match(found[i]?.message ?? '', e.message);
    });
  });
}

test('quick fix data comes with fixable problems', () => {
  const doc = parseSyncFile(edit('    data_type: purchases', '    data_type: purchase'));
  const [d] = validate(doc);
  assert.equal(d?.fixes?.[0]?.edits[0]?.newText, 'purchases');
});

test('whole-file mode (anchors) reports the same problems as segmented mode', () => {
  const broken = edit('every 15 minutes', 'every 5 minutes');
  const anchored = broken.replace('contacts: [data-eng@example.com]', 'contacts: &team [data-eng@example.com]');
  assert.equal(parseSyncFile(broken).mode, 'segmented');
  assert.equal(parseSyncFile(anchored).mode, 'whole');
  assert.deepEqual(check(anchored).map((f) => [f.code, f.text, f.line]), check(broken).map((f) => [f.code, f.text, f.line]));
});

test('every diagnostic code is exercised above and documented in the README', () => {
  const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
  const exercised = new Set(cases.flatMap((c) => c.expect.map((e) => e.code)));
  for (const code of DIAGNOSTIC_CODES) {
    assert.ok(exercised.has(code), `no test case for ${code}`);
    assert.ok(readme.includes(`### \`${code}\``), `README lacks a section for ${code}`);
  }
  for (const code of exercised) assert.ok((DIAGNOSTIC_CODES as readonly string[]).includes(code), `${code} is not registered in codes.ts`);
});

test('schedule problems carry the schedule module replacement as a quick fix', () => {
  const text = edit('every 15 minutes', 'every 5 minutes');
  const doc = parseSyncFile(text);
  const [d] = validate(doc);
  const edit0 = d?.fixes?.[0]?.edits[0];
  assert.ok(edit0);
  const fixed = text.slice(0, doc.lines.offsetAt(edit0.range.start)) + edit0.newText + text.slice(doc.lines.offsetAt(edit0.range.end));
  assert.deepEqual(check(fixed), []);
  assert.equal(d?.fixes?.[0]?.title, 'Change to `every 15 minutes`');
});
