/**
 * Finding a table on a real PostgreSQL standing in for Redshift: datashare (three-part) names,
 * Spectrum external tables, permission errors on metadata, and the privilege checks. PostgreSQL has
 * no svv_all_columns / svv_external_columns: shim views with Redshift's documented columns (in a
 * schema only the tests that want them put on their search_path) make those code paths run, and
 * the SQL the code sends is asserted where PostgreSQL cannot show Redshift's behaviour.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { CatalogPermissionError, WrongDatabaseError, findTable } from '../../core/src/adapters/table-catalog';
import { granted, readPrivileges } from '../../core/src/adapters/table-privileges';
import { parseTableName, type TableName } from '../../core/src/model/table-name';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

let db: TestPostgres;
const clients: pg.Client[] = [];

/** Redshift's catalog views, as documented, over a Spectrum table and a datashare table PostgreSQL cannot hold. */
const CATALOG_SHIMS = `
CREATE SCHEMA catalog_shims;
CREATE VIEW catalog_shims.svv_external_columns AS
  SELECT current_database()::text AS redshift_database_name, v.schemaname, v.tablename, v.columnname, v.external_type, v.columnnum, 0 AS part_key, 'true'::text AS is_nullable
  FROM (VALUES ('spectrum', 'events', 'updated_at', 'timestamp', 1), ('spectrum', 'events', 'external_id', 'varchar(256)', 2), ('spectrum', 'events', 'payload', 'varchar(65535)', 3))
    AS v(schemaname, tablename, columnname, external_type, columnnum)
  UNION ALL SELECT 'otherdb', 'ingestion', 'elsewhere', 'external_id', 'varchar(256)', 1, 0, '';
CREATE VIEW catalog_shims.svv_all_columns AS
  SELECT table_catalog::varchar(128) AS database_name, table_schema::varchar(128) AS schema_name, table_name::varchar(128) AS table_name,
    column_name::varchar(128) AS column_name, ordinal_position::int AS ordinal_position, column_default::varchar(4000) AS column_default,
    is_nullable::varchar(3) AS is_nullable, data_type::varchar(128) AS data_type, character_maximum_length::int AS character_maximum_length,
    numeric_precision::int AS numeric_precision, numeric_scale::int AS numeric_scale, NULL::varchar(256) AS remarks
  FROM information_schema.columns
  UNION ALL
  SELECT 'consumer_db', 'ingestion', 'Shared_Users', c.column_name, c.ordinal_position, NULL, 'YES', c.data_type, NULL, NULL, NULL, NULL
  FROM (VALUES ('updated_at', 1, 'timestamp with time zone'), ('external_id', 2, 'character varying'), ('payload', 3, 'character varying')) AS c(column_name, ordinal_position, data_type);
`;

before(async () => {
  db = await startTestPostgres();
  await db.query(CATALOG_SHIMS);
  await db.createExampleTable('ingestion', 'users');
  await db.createReader('reader1', 'pw-reader1', ['ingestion.users']);
  await db.query(`CREATE ROLE nogrant LOGIN PASSWORD 'pw-nogrant'`);
  await db.query(`GRANT USAGE ON SCHEMA ingestion TO nogrant`);
});
after(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await db?.stop();
});

interface ClientOptions {
  user?: string;
  password?: string;
  /** Put the Redshift catalog shims on the search_path. */
  shims?: boolean;
  /** Every value as the server's text, as some drivers give booleans ('t' / 'f'). */
  rawText?: boolean;
}

/** A client that records the SQL it sends. */
async function connect(options: ClientOptions = {}): Promise<{ client: pg.Client; sent: string[] }> {
  const client = new pg.Client({
    host: db.host,
    port: db.port,
    database: db.database,
    user: options.user ?? db.user,
    password: options.password ?? db.password,
    ...(options.rawText ? { types: { getTypeParser: () => (v: string) => v } } : {}),
  });
  await client.connect();
  clients.push(client);
  if (options.shims) await client.query('SET search_path TO public, catalog_shims, redshift_shims');
  const sent: string[] = [];
  intercept(client, (sql) => void sent.push(sql));
  return { client, sent };
}

type Query = (config: unknown, values?: unknown) => Promise<unknown>;

/** Answers the queries `answer` returns something for instead of the server (what PostgreSQL cannot show). */
function intercept(client: pg.Client, answer: (sql: string) => Promise<unknown> | undefined): void {
  const query = client.query.bind(client) as Query;
  client.query = ((config: unknown, values?: unknown) => {
    const sql = typeof config === 'string' ? config : String((config as { text: string }).text);
    return answer(sql) ?? query(config, values);
  }) as typeof client.query;
}

function name(text: string): TableName {
  const parsed = parseTableName(text);
  assert.ok(parsed.ok);
  return parsed.name;
}

test('a missing table falls through every catalog (svv_* do not exist here) to one probe, and is undefined', async () => {
  const { client, sent } = await connect();
  assert.equal(await findTable(client, name('ingestion.nope')), undefined);
  assert.deepEqual(
    sent.map((s) => /FROM ([\w.]+|"[^"]+"\."[^"]+")/.exec(s)?.[1]),
    ['information_schema.columns', 'pg_catalog.pg_class', 'svv_external_columns', 'svv_columns', '"ingestion"."nope"'],
  );
});

test('a three-part name in another database resolves through svv_all_columns to its quoted three-part name', async () => {
  const { client, sent } = await connect({ shims: true });
  const found = await findTable(client, name('CONSUMER_DB.Ingestion.shared_users'));
  assert.equal(found?.sqlName, '"consumer_db"."ingestion"."Shared_Users"');
  assert.equal(found?.database, 'consumer_db');
  assert.deepEqual(found?.columns.map((c) => `${c.name}:${c.type}`), ['updated_at:timestamp with time zone', 'external_id:character varying', 'payload:character varying']);
  assert.ok(sent.some((s) => /FROM svv_all_columns/.test(s)));
  assert.ok(!sent.some((s) => /information_schema|pg_catalog\.pg_class/.test(s)), 'another database is not looked up in this one');

  // Its grants are the datashare's: not checked, and no privilege function is called on it.
  sent.length = 0;
  const priv = await readPrivileges(client, found!);
  assert.match(priv.notChecked ?? '', /"consumer_db"\."ingestion"\."Shared_Users" is in database consumer_db \(a datashare\)/);
  assert.deepEqual(sent, []);
});

test("a three-part name in the connection's own database is the local table, by its two-part name", async () => {
  const { client } = await connect({ shims: true });
  const found = await findTable(client, name(`${db.database.toUpperCase()}.ingestion.users`));
  assert.equal(found?.sqlName, '"ingestion"."users"');
  assert.equal(found?.database, undefined);
});

test('another database on a server without svv_all_columns (PostgreSQL) is WrongDatabaseError, with the fix', async () => {
  const { client } = await connect();
  await assert.rejects(findTable(client, name('otherdb.ingestion.users')), (err: unknown) => {
    assert.ok(err instanceof WrongDatabaseError);
    assert.equal(err.connectionDatabase, db.database);
    assert.match(err.fix, /Set the connection's database to otherdb/);
    return true;
  });
});

test('a Spectrum external table is found in svv_external_columns and its grants are not checked (has_table_privilege raises there)', async () => {
  const { client, sent } = await connect({ shims: true });
  const found = await findTable(client, name('spectrum.events'));
  assert.equal(found?.sqlName, '"spectrum"."events"');
  assert.equal(found?.external, true);
  assert.deepEqual(found?.columns.map((c) => c.type), ['timestamp', 'varchar(256)', 'varchar(65535)']);
  sent.length = 0;
  const priv = await readPrivileges(client, found!);
  assert.match(priv.notChecked ?? '', /external \(Spectrum\) table/);
  assert.deepEqual(sent, [], 'has_table_privilege is never called on it');

  // A row of svv_external_columns for another database (cross-database queries) is not this one's table.
  assert.equal(await findTable(client, name('ingestion.elsewhere')), undefined);
});

test('a relation has_table_privilege cannot find (not in pg_class) is "not checked", never an error', async () => {
  const { client } = await connect();
  const priv = await readPrivileges(client, { sqlName: '"ingestion"."unlisted"', schema: 'ingestion', table: 'unlisted', columns: [] });
  assert.match(priv.notChecked ?? '', /has_table_privilege cannot check "ingestion"\."unlisted" \(relation "ingestion\.unlisted" does not exist\)/);
  assert.equal(priv.select, false);
  const noSchema = await readPrivileges(client, { sqlName: '"spectrum"."unlisted"', schema: 'spectrum', table: 'unlisted', columns: [] });
  assert.match(noSchema.notChecked ?? '', /schema "spectrum" does not exist/);
});

test("privileges parse whether the driver gives booleans or 't'/'f' text", async () => {
  for (const rawText of [false, true]) {
    const { client } = await connect({ user: 'reader1', password: 'pw-reader1', rawText });
    const check = await client.query({ text: `SELECT has_table_privilege('ingestion.users', 'SELECT')`, rowMode: 'array' });
    assert.equal(check.rows[0]?.[0], rawText ? 't' : true, 'the client really gives that form');
    const found = await findTable(client, name('ingestion.users'));
    assert.deepEqual(await readPrivileges(client, found!), { schemaUsage: true, select: true, insert: false, update: false, delete: false });
  }
  assert.deepEqual(['t', 'true', 'TRUE', true, 'f', false, null, 1].map(granted), [true, true, true, true, false, false, false, false]);
});

test('a table the catalog hides (metadata_security) and the user may not read is a permission error with the GRANT, not "not found"', async () => {
  await db.query(`CREATE TABLE ingestion.secret (updated_at timestamptz, external_id varchar(256))`);
  const { client, sent } = await connect({ user: 'nogrant', password: 'pw-nogrant' });
  // metadata_security: PostgreSQL's pg_catalog shows every table, so it answers as Redshift would.
  intercept(client, (sql) => (/pg_catalog\.pg_class/.test(sql) ? Promise.resolve({ rows: [] }) : undefined));
  await assert.rejects(findTable(client, name('ingestion.secret')), (err: unknown) => {
    assert.ok(err instanceof CatalogPermissionError);
    assert.equal(err.code, '42501');
    assert.match(err.summary, /User nogrant may not read ingestion\.secret \(permission denied\).*metadata_security/);
    assert.match(err.fix, /GRANT USAGE ON SCHEMA "ingestion" TO "nogrant";\n {2}GRANT SELECT ON TABLE "ingestion"\."secret" TO "nogrant";/);
    return true;
  });
  assert.ok(sent.includes('SELECT * FROM "ingestion"."secret" LIMIT 0'));
});

test('a permission error on a catalog query is not swallowed into "not found"', async () => {
  // The role may not read pg_attribute: the catalog query fails with 42501.
  await db.query(`REVOKE SELECT ON pg_catalog.pg_attribute FROM PUBLIC`);
  try {
    const { client } = await connect({ user: 'nogrant', password: 'pw-nogrant' });
    await assert.rejects(findTable(client, name('ingestion.secret')), (err: unknown) => err instanceof CatalogPermissionError && /may not read ingestion\.secret/.test(err.summary));
    // Even for a table that does not exist, the denied catalog is said, not "not found".
    await assert.rejects(findTable(client, name('ingestion.nope')), (err: unknown) => err instanceof CatalogPermissionError && /may not read the catalog/.test(err.summary));
  } finally {
    await db.query(`GRANT SELECT ON pg_catalog.pg_attribute TO PUBLIC`);
  }
});

test('any other catalog error propagates', async () => {
  const { client } = await connect();
  intercept(client, (sql) => (/svv_columns/.test(sql) ? Promise.reject(Object.assign(new Error('Invalid snapshot identifier'), { code: 'XX000' })) : undefined));
  await assert.rejects(findTable(client, name('ingestion.nope')), /Invalid snapshot identifier/);
});

test('a table readable but in no catalog gets its columns from the probe', async () => {
  const { client } = await connect({ user: 'reader1', password: 'pw-reader1' });
  intercept(client, (sql) => (/information_schema|pg_catalog\.pg_class/.test(sql) ? Promise.resolve({ rows: [] }) : undefined));
  const found = await findTable(client, name('ingestion.users'));
  assert.equal(found?.sqlName, '"ingestion"."users"');
  assert.deepEqual(found?.columns.slice(0, 2), [
    { name: 'updated_at', type: 'timestamp with time zone' },
    { name: 'external_id', type: 'character varying' },
  ]);
});
