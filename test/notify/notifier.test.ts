/** The notifier against a real SMTP server on a loopback port, and against servers that fail. */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { NotificationSettings, SyncFile } from '../../core/src/model/sync-file';
import type { NotifiedRun } from '../../core/src/notify/notice';
import { createNotifier } from '../../core/src/notify/notifier';
import { startTestSmtpServer, type TestSmtpServer } from '../support/test-smtp-server';

const SMTP_PASSWORD = 'smtp-secret-7d1e44';
let smtp: TestSmtpServer;
before(async () => {
  smtp = await startTestSmtpServer({ users: { bot: SMTP_PASSWORD } });
});
after(() => smtp.close());

function file(notifications: NotificationSettings | undefined, contacts: string[] = ['data-eng@example.com', 'oncall@example.com']): SyncFile {
  return {
    version: 1,
    braze: { endpoint: 'http://127.0.0.1:9', api_key: '${env:BRAZE_API_KEY}' },
    connections: { warehouse: { type: 'redshift', host: 'db.example.com', database: 'DB', user: 'braze_user', password: '${env:PG_PASSWORD}' } },
    syncs: { orders: { connection: 'warehouse', table: 'ingestion.orders', data_type: 'custom_attributes', schedule: 'every 15 minutes', status: 'active', ...(contacts.length ? { contacts } : {}) } },
    ...(notifications ? { notifications } : {}),
  };
}
const failed: NotifiedRun = { id: 'run-1', status: 'error', started_at: '2026-11-28T10:00:00.000Z', ended_at: '2026-11-28T10:00:01.000Z', rows_read: 0, rows_synced: 0, rows_failed: 0, error: 'password authentication failed for user "braze_user"' };
const target = (f: SyncFile) => ({ file: f, filePath: '/srv/shop.brazesync.yaml', syncName: 'orders' });
const env = (name: string) => ({ SMTP_PASSWORD, PG_PASSWORD: 'pg-secret-value' })[name];

test('an error email reaches the contacts through an authenticated SMTP server, without any secret', async () => {
  const notifier = createNotifier({ env });
  const settings: NotificationSettings = { smtp: { host: smtp.host, port: smtp.port, user: 'bot', password: '${env:SMTP_PASSWORD}', from: 'Braze Sync <bot@example.com>' } };
  const before = smtp.mails.length;
  const result = await notifier.notify(target(file(settings)), failed);
  assert.deepEqual(result, { outcome: 'sent', kind: 'error', to: ['data-eng@example.com', 'oncall@example.com'] });
  const mail = await smtp.waitForMail(before + 1);
  assert.equal(mail.user, 'bot', 'authenticated with the password from the environment');
  assert.deepEqual(mail.to, ['data-eng@example.com', 'oncall@example.com']);
  assert.equal(mail.from, 'bot@example.com');
  assert.equal(mail.subject, '[brazesync] Error in sync orders');
  assert.match(mail.text, /^Run: +run-1$/m);
  assert.match(mail.text, /password authentication failed for user "braze_user"/);
  for (const secret of [SMTP_PASSWORD, 'pg-secret-value']) assert.ok(!mail.raw.includes(secret), 'no secret in the message');
});

test('a failing mail server is reported, never thrown: refused, silent, and a wrong password', async () => {
  const closed = await freePort();
  const silent = await silentServer();
  try {
    const notifier = createNotifier({ env, timeoutMs: 300 });
    const refused = await notifier.notify(target(file({ smtp: { host: '127.0.0.1', port: closed, from: 'bot@example.com' } })), failed);
    assert.equal(refused.outcome, 'failed');
    assert.match(refused.outcome === 'failed' ? refused.error : '', /^Could not email data-eng@example\.com, oncall@example\.com through 127\.0\.0\.1: .*ECONNREFUSED/);

    const hung = await notifier.notify(target(file({ smtp: { host: '127.0.0.1', port: silent.port, from: 'bot@example.com' } })), failed);
    assert.equal(hung.outcome, 'failed', 'a server that never greets times out');

    const wrong = await createNotifier({ env: (n) => (n === 'SMTP_PASSWORD' ? 'not-the-password' : undefined) }).notify(
      target(file({ smtp: { host: smtp.host, port: smtp.port, user: 'bot', password: '${env:SMTP_PASSWORD}', from: 'bot@example.com' } })),
      failed,
    );
    assert.equal(wrong.outcome, 'failed');
    assert.ok(wrong.outcome === 'failed' && !wrong.error.includes('not-the-password'), 'the password is redacted from the error');
  } finally {
    await silent.close();
  }
});

test('nothing is sent without a notifications block, without contacts, or without the SMTP password variable', async () => {
  const notifier = createNotifier({ env: () => undefined });
  const count = smtp.mails.length;
  const noBlock = await notifier.notify(target(file(undefined)), failed);
  assert.equal(noBlock.outcome, 'skipped');
  assert.match(noBlock.outcome === 'skipped' ? noBlock.reason : '', /no notifications block/);
  const settings: NotificationSettings = { smtp: { host: smtp.host, port: smtp.port, user: 'bot', password: '${env:SMTP_PASSWORD}', from: 'bot@example.com' } };
  const noContacts = await notifier.notify(target(file(settings, [])), failed);
  assert.match(noContacts.outcome === 'skipped' ? noContacts.reason : '', /has no contacts/);
  const noVariable = await notifier.notify(target(file(settings)), failed);
  assert.match(noVariable.outcome === 'failed' ? noVariable.error : '', /environment variable SMTP_PASSWORD is not set/);
  assert.deepEqual(await notifier.notify(target(file(settings)), { ...failed, status: 'success' }), { outcome: 'none' });
  assert.equal(smtp.mails.length, count);
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Accepts connections and never says anything (a mail server that hangs). */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const s: Server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((r) => s.close(() => r()));
    },
  };
}
