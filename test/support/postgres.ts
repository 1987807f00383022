/**
 * A throwaway PostgreSQL per test file, made to look like Redshift: UTC, the Redshift shims on the
 * search_path, tables created from Redshift DDL through the fixture rewrite. Stopped and deleted
 * by `stop()`.
 */
import pg from 'pg';
import { startLocalPostgres, type LocalPostgres } from '../../core/src/adapters/local-postgres';
import { REDSHIFT_SHIMS_SQL, exampleTableDdl, redshiftDdlToPg, shimSearchPathSql } from '../../core/src/adapters/redshift-shims';

export const TEST_DATABASE = 'brazesync_test';

export interface TestPostgres {
  server: LocalPostgres;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Runs SQL on a shared admin connection to the test database. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Creates `schema.table` from the Braze-documented Redshift DDL (payload or not). */
  createExampleTable(schema: string, table: string, options?: { payload?: boolean }): Promise<void>;
  /** Runs Redshift DDL through the PostgreSQL rewrite. */
  redshiftDdl(sql: string): Promise<void>;
  /** A login role with SELECT on the given tables only. */
  createReader(user: string, password: string, tables: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestPostgres(database = TEST_DATABASE): Promise<TestPostgres> {
  const server = await startLocalPostgres();
  try {
    const admin = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    await admin.end();
    const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database });
    await client.connect();
    await client.query(REDSHIFT_SHIMS_SQL);
    await client.query(shimSearchPathSql(database));
    const redshiftDdl = async (sql: string) => {
      await client.query(redshiftDdlToPg(sql));
    };
    return {
      server,
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database,
      query: (text, values) => client.query(text, values),
      redshiftDdl,
      async createExampleTable(schema, table, options = {}) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await redshiftDdl(exampleTableDdl(`${schema}.${table}`, options.payload ?? true));
      },
      async createReader(user, password, tables) {
        await client.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
        for (const t of tables) {
          const schema = t.split('.')[0];
          await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${user}`);
          await client.query(`GRANT SELECT ON ${t} TO ${user}`);
        }
      },
      async stop() {
        await client.end().catch(() => undefined);
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
