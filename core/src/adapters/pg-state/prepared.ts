/**
 * The state store's statements as named prepared statements: PostgreSQL parses and plans each
 * once per connection instead of at every call. Every run sends the same few (the lease with what
 * it reads, run records, claims), and planning the lease statement took about as long as running
 * it. The name is a hash of the text, so one connection never meets one name with two texts.
 *
 * A pooler that hands each transaction to any server connection (PgBouncer before 1.21 in
 * transaction mode) cannot keep them: the server then says a statement does not exist (26000) or
 * already exists (42P05). Both come before anything is executed, so the statement is sent again
 * unnamed, and from then on this process names none.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Distinct texts are few (statement shapes × schemas); the cap only guards against a leak. */
const MAX_NAMES = 1000;
const names = new Map<string, string>();
let naming = true;

function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMES) names.clear();
    name = `brazesync_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

function lostStatement(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '26000' || code === '42P05';
}

/** Runs `text` on `pool` (a connection of its own, never inside a transaction) as a named statement. */
export async function preparedQuery<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
  if (!naming) return pool.query<R>(text, values);
  try {
    return await pool.query<R>({ name: nameOf(text), text, values });
  } catch (err) {
    if (!lostStatement(err)) throw err;
    naming = false;
    return pool.query<R>(text, values);
  }
}
