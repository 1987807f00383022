import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyncFile } from '../model/sync-file';
import { composeNotice } from './message';
import type { NotifiedRun } from './notice';

const file: SyncFile = {
  version: 1,
  braze: { instance: 'US-03', api_key: '${env:BRAZE_API_KEY}', timezone: 'Europe/Paris' },
  connections: { warehouse: { type: 'redshift', host: 'example.abc.us-east-1.redshift.amazonaws.com', database: 'DB', user: 'braze_user', password: '${env:REDSHIFT_PASSWORD}' } },
  syncs: { orders: { connection: 'warehouse', table: 'INGESTION.ORDERS', data_type: 'purchases', schedule: 'every 15 minutes', contacts: ['a@example.com'], status: 'active' } },
  notifications: { smtp: { host: 'smtp.example.com', user: 'bot', password: '${env:SMTP_PASSWORD}', from: 'bot@example.com' }, row_error_threshold: 5 },
};
const ctx = { file, filePath: '/srv/syncs/shop.brazesync.yaml', syncName: 'orders' };
const base: NotifiedRun = {
  id: '20261128T100000Z-abc123',
  status: 'error',
  started_at: '2026-11-28T10:00:00.000Z',
  ended_at: '2026-11-28T10:00:03.000Z',
  rows_read: 0,
  rows_synced: 0,
  rows_failed: 0,
  watermark_before: '2026-11-28T09:44:00.000001Z',
  watermark_after: '2026-11-28T09:44:00.000001Z',
};

test('an error notice names the sync, and gives the run, its local time, counts, the error and its fix', () => {
  const n = composeNotice('error', ctx, { ...base, error: 'password authentication failed for user "braze_user"' });
  assert.equal(n.subject, '[brazesync] Error in sync orders');
  assert.match(n.text, /^Run: +20261128T100000Z-abc123$/m);
  assert.match(n.text, /^Started: +Sat 2026-11-28 11:00 CET \(10:00 UTC\)$/m);
  assert.match(n.text, /^Rows: +read 0, synced 0, failed 0$/m);
  assert.match(n.text, /^Table: +INGESTION\.ORDERS \(purchases\)$/m);
  assert.match(n.text, /Error:\n {2}password authentication failed for user "braze_user"/);
  assert.match(n.text, /Fix:\n {2}Check the connection's user and the password in its \$\{env:…\} variable/);
  assert.match(n.text, /brazesync test-connection \/srv\/syncs\/shop\.brazesync\.yaml --sync orders/);
});

test('fixes: a missing table gets its CREATE TABLE and GRANT, Braze errors keep their advice, a missing variable says where to set it', () => {
  const missing = composeNotice('error', ctx, { ...base, error: 'relation "ingestion.orders" does not exist' }).text;
  assert.match(missing, /CREATE TABLE "ingestion"\."orders" \(/);
  assert.match(missing, /GRANT SELECT ON TABLE "ingestion"\."orders" TO "braze_user";/);
  const braze = composeNotice('error', ctx, { ...base, error: 'Braze rejected the API key (401): check braze.api_key / the instance or endpoint; the key needs users.track.' }).text;
  assert.match(braze, /Fix:\n {2}Follow the advice in the error above; the next scheduled run tries again\. To run it again now: brazesync sync/);
  const noStart: NotifiedRun = { status: 'error', started_at: base.started_at, rows_read: 0, rows_synced: 0, rows_failed: 0, error: 'connections.warehouse.password refers to ${env:REDSHIFT_PASSWORD}, but the environment variable REDSHIFT_PASSWORD is not set. Set it (export REDSHIFT_PASSWORD=…) and run again.' };
  const secret = composeNotice('error', ctx, noStart).text;
  assert.match(secret, /^The sync orders could not start\.$/m);
  assert.match(secret, /Set REDSHIFT_PASSWORD in the environment of the scheduler/);
  assert.doesNotMatch(secret, /^Run:|^Rows:/m, 'a run that never started has no id and no counts');
});

test('a row-error notice gives the share of failed rows and the command that lists them', () => {
  const n = composeNotice('row-errors', ctx, { ...base, status: 'partial', rows_read: 80, rows_synced: 68, rows_failed: 12, watermark_after: '2026-11-28T09:59:00.000001Z' }, 5);
  assert.equal(n.subject, '[brazesync] Row errors in sync orders: 12 of 80 rows failed (15%)');
  assert.match(n.text, /12 of the 80 rows read by the sync orders failed \(15%; the threshold is 5%\)/);
  assert.match(n.text, /brazesync history \/srv\/syncs\/shop\.brazesync\.yaml --sync orders --run 20261128T100000Z-abc123/);
  assert.match(n.text, /^Watermark: +2026-11-28T09:59:00\.000001Z \(was 2026-11-28T09:44:00\.000001Z\)$/m);
});

test('a success notice', () => {
  const n = composeNotice('success', ctx, { ...base, status: 'success', rows_read: 1234, rows_synced: 1234 });
  assert.equal(n.subject, '[brazesync] Sync orders succeeded: 1,234 rows synced');
  assert.doesNotMatch(n.text, /Error:|Fix:/);
});

test('a catalog sync: a missing catalog keeps Braze advice, a missing table gets the catalog DDL', () => {
  const catalogFile: SyncFile = { ...file, syncs: { restaurants: { connection: 'warehouse', table: 'INGESTION.RESTAURANTS', data_type: 'catalog_items', catalog: 'restaurants', schedule: 'every 1 hours', contacts: ['a@example.com'], status: 'active' } } };
  const catalogCtx = { file: catalogFile, filePath: ctx.filePath, syncName: 'restaurants' };
  const missing = composeNotice('error', catalogCtx, { ...base, error: 'Braze has no catalog "restaurants" (404 catalog-not-found): create it in Braze (Data Settings › Catalogs) with the fields PAYLOAD holds, or fix `catalog` in the sync.' });
  assert.equal(missing.subject, '[brazesync] Error in sync restaurants');
  assert.match(missing.text, /^Table: +INGESTION\.RESTAURANTS \(catalog_items\)$/m);
  assert.match(missing.text, /Fix:\n {2}Follow the advice in the error above/);
  const table = composeNotice('error', catalogCtx, { ...base, error: 'relation "ingestion.restaurants" does not exist' }).text;
  assert.match(table, /CREATE TABLE "ingestion"\."restaurants" \(\n +updated_at timestamptz default sysdate not null,\n +id varchar not null,/);
});
