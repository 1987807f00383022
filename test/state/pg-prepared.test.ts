/**
 * The state store's named prepared statements on a real PostgreSQL: they are prepared once per
 * connection and reused, and when the server no longer has them (what a pooler in transaction mode
 * does: another server connection, or `DEALLOCATE ALL` between clients) the statement still runs,
 * sent again unnamed, and the process names no statement from then on.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { preparedQuery } from '../../core/src/adapters/pg-state/prepared';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

let db: TestPostgres;
let pool: pg.Pool;

before(async () => {
  db = await startTestPostgres();
  // One connection, so every statement below meets the same session.
  pool = new pg.Pool({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, max: 1 });
});
after(async () => {
  await pool?.end();
  await db?.stop();
});

const preparedHere = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows[0]?.n;

test('statements are prepared once per connection; a server that forgot them still gets them run, unnamed from then on', async () => {
  for (const k of [1, 2, 3]) assert.equal((await preparedQuery<{ n: number }>(pool, 'SELECT $1::int AS n', [k])).rows[0]?.n, k);
  assert.equal(await preparedHere(), 1, 'one statement prepared, used three times');

  await pool.query('DEALLOCATE ALL'); // the client still believes it is prepared
  assert.equal((await preparedQuery<{ n: number }>(pool, 'SELECT $1::int AS n', [4])).rows[0]?.n, 4, 'run again, unnamed');
  assert.equal((await preparedQuery<{ s: string }>(pool, 'SELECT $1::text AS s', ['x'])).rows[0]?.s, 'x');
  assert.equal(await preparedHere(), 0, 'nothing named any more');

  await assert.rejects(preparedQuery(pool, 'SELECT * FROM no_such_table', []), /no_such_table/, 'other errors are errors');
});
