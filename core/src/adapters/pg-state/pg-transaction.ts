/**
 * One transaction on a pooled connection. While the connection is checked out, a reset between
 * two queries (the database restarting, the network dropping) is reported on the client as an
 * 'error' event: it is caught here (the failing query rejects anyway) instead of crashing the
 * process, and a connection that saw any error is discarded rather than returned to the pool.
 */
import type pg from 'pg';

export async function inTransaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  let failed = false;
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.off('error', ignore);
    client.release(failed);
  }
}
