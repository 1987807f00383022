/**
 * `npm start`: the whole product with no external service. Embedded PostgreSQL stands in for
 * Redshift (with the README's table), the local Braze-compatible server stands in for Braze, and
 * the real commands run against a temporary definition file. Everything is removed at the end,
 * also on Ctrl-C.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startLocalPostgres, type LocalPostgres } from '../../../core/src/adapters/local-postgres';
import { REDSHIFT_SHIMS_SQL, exampleTableDdl, redshiftDdlToPg, shimSearchPathSql } from '../../../core/src/adapters/redshift-shims';
import { startBrazeServer, type BrazeServer } from '../../../core/src/braze-server/braze-server';
import { EXIT, type CliIo, type Command } from '../command';
import { CATALOG_SYNC, DEMO_CATALOG, createCatalogTable, showCatalog, updateCatalogTable } from '../demo-catalog';
import { demoRows, type DemoRow } from '../demo-data';
import { syncCommand } from './sync';
import { testConnectionCommand } from './test-connection';

const DATABASE = 'BRAZE_CLOUD_PRODUCTION';
const TABLE = 'INGESTION.USERS_ATTRIBUTES_SYNC';
const FIRST_LOAD = 5000;
const SECOND_LOAD = 40;

function definition(endpoint: string, port: number): string {
  return `version: 1
braze:
  endpoint: ${endpoint}
  api_key: \${env:BRAZE_API_KEY}
connections:
  warehouse:
    type: redshift
    host: 127.0.0.1
    port: ${port}
    database: ${DATABASE}
    user: braze_user
    password: \${env:REDSHIFT_PASSWORD}
    ssl: disable   # the embedded demo database has no TLS; Redshift keeps the default, require
syncs:
  user_attributes:
    connection: warehouse
    table: ${TABLE}
    data_type: custom_attributes
    schedule: every 15 minutes
    contacts: [data-eng@example.com]
    status: active
${CATALOG_SYNC}`;
}

async function insertRows(client: pg.Client, rows: DemoRow[]): Promise<void> {
  // One transaction per load, like a warehouse job: every row gets the same SYSDATE.
  await client.query('BEGIN');
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const values: (string | null)[] = [];
    const tuples = chunk.map((r) => {
      values.push(r.external_id, r.alias_name, r.alias_label, r.email, r.payload);
      const b = values.length - 5;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
    });
    await client.query(`INSERT INTO ingestion.users_attributes_sync (external_id, alias_name, alias_label, email, payload) VALUES ${tuples.join(', ')}`, values);
  }
  await client.query('COMMIT');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run the example sync end to end on an embedded PostgreSQL and the local Braze server (what `npm start` does).',
  usage: 'brazesync demo',
  async run(_args, io) {
    const say = (s: string) => io.stdout.write(`${s}\n`);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'brazesync-demo-'));
    const removeTmp = () => rmSync(tmp, { recursive: true, force: true });
    process.once('exit', removeTmp);
    let db: LocalPostgres | undefined;
    let braze: BrazeServer | undefined;
    let client: pg.Client | undefined;
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
    };
    process.on('SIGINT', onSigint);
    const step = () => {
      if (interrupted) throw new Error('Interrupted.');
    };
    try {
      say('1. Starting an embedded PostgreSQL (standing in for Redshift)…');
      db = await startLocalPostgres();
      const admin = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${DATABASE}"`);
      await admin.end();
      client = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: DATABASE });
      await client.connect();
      await client.query(REDSHIFT_SHIMS_SQL);
      await client.query(shimSearchPathSql(DATABASE));
      await client.query('CREATE SCHEMA ingestion');
      const ddl = exampleTableDdl(`${DATABASE}.${TABLE}`, true);
      say(`   Created the README's table (Redshift DDL, rewritten for PostgreSQL):\n${ddl.replace(/^/gm, '     ')}`);
      await client.query(redshiftDdlToPg(ddl));
      const readerPassword = randomBytes(12).toString('hex');
      await client.query(`CREATE USER braze_user PASSWORD '${readerPassword}'`);
      await client.query('GRANT USAGE ON SCHEMA ingestion TO braze_user');
      await client.query('GRANT SELECT ON TABLE ingestion.users_attributes_sync TO braze_user');
      await insertRows(client, demoRows(0, FIRST_LOAD));
      say(`   Loaded ${FIRST_LOAD} rows in one transaction (they share one UPDATED_AT, as with Redshift's SYSDATE).`);
      await createCatalogTable(client, DATABASE, say);
      step();

      say('2. Starting the local Braze-compatible server…');
      const apiKey = `demo-${randomBytes(8).toString('hex')}`;
      braze = await startBrazeServer({ port: 0, apiKeys: [apiKey], catalogs: [DEMO_CATALOG] });
      say(`   Listening on ${braze.url} (what it holds: ${braze.url}/_local/profiles), with an empty catalog ${DEMO_CATALOG.name}`);

      const file = path.join(tmp, 'demo.brazesync.yaml');
      writeFileSync(file, definition(braze.url, db.port));
      say(`3. Wrote ${file}; secrets come from BRAZE_API_KEY and REDSHIFT_PASSWORD in the environment.`);
      const env = { ...io.env, BRAZE_API_KEY: apiKey, REDSHIFT_PASSWORD: readerPassword };
      const sub: CliIo = { ...io, env, cwd: tmp };
      const common = [file, '--sync', 'user_attributes', '--state-dir', path.join(tmp, 'state')];
      step();

      say('\n$ brazesync test-connection demo.brazesync.yaml --sync user_attributes --limit 3');
      const tested = await testConnectionCommand.run([...common, '--limit', '3'], sub);
      if (tested !== EXIT.ok) return tested;
      step();

      say('\n$ brazesync sync demo.brazesync.yaml --sync user_attributes');
      const first = await syncCommand.run(common, sub);
      if (first !== EXIT.ok) return first;
      step();

      say('\nA few profiles as the Braze server now holds them:');
      for (const p of braze.profiles().slice(0, 3)) {
        const who = p.external_id ?? p.user_aliases[0]?.alias_name ?? p.email;
        say(`   ${who}: ${JSON.stringify(p.attributes)}`);
      }
      const afterFirst = braze.stats();
      say(`   ${afterFirst.profiles} profiles, ${afterFirst.requests} requests so far.`);

      await insertRows(client, demoRows(FIRST_LOAD, SECOND_LOAD));
      say(`\nInserted ${SECOND_LOAD} more rows. Running the sync again: only those are read and sent.`);
      say('$ brazesync sync demo.brazesync.yaml --sync user_attributes');
      const second = await syncCommand.run(common, sub);
      const afterSecond = braze.stats();
      say(`   The second run made ${afterSecond.requests - afterFirst.requests} request(s); the server now holds ${afterSecond.profiles} profiles.`);
      if (second !== EXIT.ok) return second;
      step();

      const catalog = [file, '--sync', 'restaurants', '--state-dir', path.join(tmp, 'state')];
      say('\nA catalog sync: each row of INGESTION.RESTAURANTS is an item of the Braze catalog restaurants.');
      say('$ brazesync sync demo.brazesync.yaml --sync restaurants');
      const items = await syncCommand.run(catalog, sub);
      if (items !== EXIT.ok) return items;
      showCatalog(braze, say);
      await updateCatalogTable(client);
      say('\nInserted two rows: r1 is rated 4 now, r3 has DELETED = true.');
      say('$ brazesync sync demo.brazesync.yaml --sync restaurants');
      const changed = await syncCommand.run(catalog, sub);
      showCatalog(braze, say);
      say('\nDone. Everything (database, server, files) is cleaned up now.');
      return changed;
    } catch (err) {
      if (interrupted) {
        io.stderr.write('Interrupted; cleaning up.\n');
        return 130;
      }
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
      await client?.end().catch(() => undefined);
      await braze?.close().catch(() => undefined);
      await db?.stop().catch(() => undefined);
      removeTmp();
      process.off('exit', removeTmp);
    }
  },
};
