/**
 * The session `connectPg` opens, against an embedded PostgreSQL: timestamps come back as ISO text
 * in UTC whatever the database's defaults say, and a wrong password is reported as an
 * authentication failure with its fix.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { diagnoseFailure } from '../../core/src/adapters/connection-diagnosis';
import { connectPg, resolvePgSettings } from '../../core/src/adapters/pg-connection';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

const READER_PASSWORD = 'session-reader-pw-4c3b2a';

let db: TestPostgres;

before(async () => {
  db = await startTestPostgres();
  await db.createExampleTable('ingestion', 'users');
  await db.createReader('braze_user', READER_PASSWORD, ['ingestion.users']);
  // Defaults a DBA might have set: European day-first SQL dates, a local time zone.
  await db.query(`ALTER DATABASE ${db.database} SET DateStyle = 'SQL, DMY'`);
  await db.query(`ALTER DATABASE ${db.database} SET timezone = 'Europe/Paris'`);
});
after(async () => {
  await db?.stop();
});

function settings(password: string) {
  return resolvePgSettings('warehouse', { type: 'redshift', host: db.host, port: db.port, database: db.database, user: 'braze_user', password: '${env:P}', ssl: 'disable' }, () => password);
}

const SAMPLE = `SELECT '2024-03-05 01:02:03.456789+00'::timestamptz::text AS tz, '2024-03-05 01:02:03'::timestamp::text AS ts, '2024-03-05'::date::text AS d`;

test('timestamps are ISO text in UTC even when the database defaults to SQL, DMY in another zone', async () => {
  // The defaults do bite a session that does not set its own.
  const plain = new pg.Client({ host: db.host, port: db.port, database: db.database, user: 'braze_user', password: READER_PASSWORD });
  await plain.connect();
  try {
    const r = await plain.query<{ tz: string; d: string }>(SAMPLE);
    assert.equal(r.rows[0]?.d, '05/03/2024');
    assert.equal(r.rows[0]?.tz, '05/03/2024 02:02:03.456789 CET');
  } finally {
    await plain.end();
  }

  const client = await connectPg(settings(READER_PASSWORD));
  try {
    const style = await client.query<{ datestyle: string; timezone: string }>('SELECT current_setting(\'DateStyle\') AS datestyle, current_setting(\'TimeZone\') AS timezone');
    assert.deepEqual(style.rows[0], { datestyle: 'ISO, MDY', timezone: 'UTC' });
    const r = await client.query<{ tz: string; ts: string; d: string }>(SAMPLE);
    assert.deepEqual(r.rows[0], { tz: '2024-03-05 01:02:03.456789+00', ts: '2024-03-05 01:02:03', d: '2024-03-05' });
  } finally {
    await client.end();
  }
});

test('a wrong password is an authentication failure with the fix, and the password is in no message', async () => {
  const wrong = 'not-the-password-9z8y';
  const err = await connectPg(settings(wrong)).then(
    () => assert.fail('connected with a wrong password'),
    (e: unknown) => e,
  );
  const d = diagnoseFailure(err, { settings: { host: db.host, port: db.port, database: db.database, user: 'braze_user', ssl: 'disable' } });
  assert.equal(d.kind, 'auth');
  assert.equal(d.message, 'Authentication failed for user braze_user.');
  assert.match(d.fix, /ALTER USER braze_user PASSWORD/);
  assert.doesNotMatch(`${d.message} ${d.fix} ${String(err)}`, new RegExp(wrong));
});
