/**
 * What Test Connection shows for the tables the catalog lookup and privilege checks handle
 * specially: grants it could not check ("not checked", never a guessed pass or fail), a table the
 * user may not read (the GRANT to run, not "not found"), another database, and privileges that
 * arrive as 't'/'f' text. On a real PostgreSQL; Redshift-only catalog views are shim views.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { findTable } from '../../core/src/adapters/table-catalog';
import { readPrivileges } from '../../core/src/adapters/table-privileges';
import { syncSetup, openSource } from '../../core/src/app/open-sync';
import type { SourceReader } from '../../core/src/sync/source-reader';
import { testConnection, type ConnectionTestResult } from '../../core/src/app/test-connection';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { harness } from '../support/sync-harness';

let db: TestPostgres;
const clients: pg.Client[] = [];

before(async () => {
  db = await startTestPostgres();
  await db.createExampleTable('ingestion', 'users');
  await db.createReader('reader1', 'pw-reader1', ['ingestion.users']);
  await db.query(`CREATE ROLE nogrant LOGIN PASSWORD 'pw-nogrant'`);
  await db.query(`GRANT USAGE ON SCHEMA ingestion TO nogrant`);
  await db.query(`CREATE TABLE ingestion.secret (updated_at timestamptz, external_id varchar(256), payload varchar(65535))`);
  // Redshift's svv_external_columns (documented columns) listing a Spectrum table PostgreSQL cannot hold.
  await db.query(`CREATE SCHEMA catalog_shims;
    CREATE VIEW catalog_shims.svv_external_columns AS
    SELECT current_database()::text AS redshift_database_name, v.schemaname, v.tablename, v.columnname, v.external_type, v.columnnum, 0 AS part_key, 'true'::text AS is_nullable
    FROM (VALUES ('spectrum', 'events', 'updated_at', 'timestamp', 1), ('spectrum', 'events', 'external_id', 'varchar(256)', 2), ('spectrum', 'events', 'payload', 'varchar(65535)', 3))
      AS v(schemaname, tablename, columnname, external_type, columnnum);
    GRANT USAGE ON SCHEMA catalog_shims TO PUBLIC;
    GRANT SELECT ON ALL TABLES IN SCHEMA catalog_shims TO PUBLIC`);
});
after(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await db?.stop();
});

async function connect(user: string, password: string, options: { shims?: boolean; rawText?: boolean } = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: db.host, port: db.port, database: db.database, user, password, ...(options.rawText ? { types: { getTypeParser: () => (v: string) => v } } : {}) });
  await client.connect();
  clients.push(client);
  if (options.shims) await client.query('SET search_path TO public, catalog_shims, redshift_shims');
  return client;
}

/**
 * Test Connection of `table` as `user`, through the real reader; `lookup` replaces its describe /
 * privileges with the catalog functions on a client of the test's choosing (shims, text booleans).
 */
async function run(table: string, user: string, password: string, lookup?: pg.Client): Promise<ConnectionTestResult> {
  const h = harness(db, { table, dataType: 'custom_attributes', brazeUrl: 'http://127.0.0.1:9', user }, password);
  const setup = syncSetup(h.target);
  try {
    return await testConnection({
      file: h.target.file,
      syncName: 's',
      table: setup.table,
      store: h.store,
      openReader: () => {
        const source = openSource(h.target, setup, (n) => h.env[n]);
        const reader: SourceReader = lookup
          ? {
              ...source.reader,
              describe: () => findTable(lookup, setup.table),
              privileges: async () => readPrivileges(lookup, (await findTable(lookup, setup.table))!),
            }
          : source.reader;
        return { reader, settings: source.settings };
      },
    });
  } finally {
    h.cleanup();
  }
}

const check = (r: ConnectionTestResult, name: string) => r.checks.find((c) => c.name === name);

test('an external (Spectrum) table: privileges "not checked" with the reason, neither a pass nor a fail', async () => {
  const result = await run('spectrum.events', 'reader1', 'pw-reader1', await connect('reader1', 'pw-reader1', { shims: true }));
  assert.equal(check(result, 'table')?.message, 'Found "spectrum"."events" (3 columns).');
  assert.equal(check(result, 'columns')?.status, 'ok');
  const privileges = check(result, 'privileges');
  assert.equal(privileges?.status, 'warning');
  assert.match(privileges?.message ?? '', /^Not checked: "spectrum"\."events" is an external \(Spectrum\) table, which has_table_privilege cannot check; .*The preview below reads the table/);
  assert.equal(privileges?.fix, undefined);
});

test("privileges that come back as 't'/'f' text still pass a read-only user", async () => {
  const result = await run('ingestion.users', 'reader1', 'pw-reader1', await connect('reader1', 'pw-reader1', { rawText: true }));
  assert.deepEqual(check(result, 'privileges'), { name: 'privileges', status: 'ok', message: 'SELECT granted (read-only).' });
  assert.equal(result.ok, true, JSON.stringify(result.checks));
});

test('a table the user may not read, hidden from the catalog: connected, then the table check fails with the GRANT to run', async () => {
  // The catalog query on pg_attribute fails for the user, as metadata views can on Redshift.
  await db.query(`REVOKE SELECT ON pg_catalog.pg_attribute FROM PUBLIC`);
  try {
    const result = await run('ingestion.secret', 'nogrant', 'pw-nogrant');
    assert.deepEqual(result.checks.map((c) => `${c.name}:${c.status}`), ['connect:ok', 'table:failed']);
    const table = check(result, 'table');
    assert.equal(table?.kind, 'permission');
    assert.match(table?.message ?? '', /^User nogrant may not read ingestion\.secret \(permission denied\)/);
    assert.equal(table?.fix, 'Run as an administrator:\n  GRANT USAGE ON SCHEMA "ingestion" TO "nogrant";\n  GRANT SELECT ON TABLE "ingestion"."secret" TO "nogrant";');
  } finally {
    await db.query(`GRANT SELECT ON pg_catalog.pg_attribute TO PUBLIC`);
  }
});

test('another database that this server cannot read: the table check fails with the fix, after connecting', async () => {
  const result = await run('otherdb.ingestion.users', 'reader1', 'pw-reader1', await connect('reader1', 'pw-reader1'));
  assert.deepEqual(result.checks.map((c) => `${c.name}:${c.status}`), ['connect:ok', 'table:failed']);
  assert.equal(check(result, 'table')?.kind, 'database');
  assert.match(check(result, 'table')?.fix ?? '', /Set the connection's database to otherdb, or drop the database part of `table`/);
});
