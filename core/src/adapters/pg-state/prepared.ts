/**
 * The state store's statements as named prepared statements: PostgreSQL parses and plans each
 * once per connection instead of at every call. Every run sends the same few (the lease with what
 * it reads, run records, claims), and planning the lease statement took about as long as running
 * it. The name is a hash of the text, so one connection never meets one name with two texts.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Distinct texts are few (statement shapes × schemas); the cap only guards against a leak. */
const MAX_NAMES = 1000;
const names = new Map<string, string>();

export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMES) names.clear();
    name = `brazesync_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return { name, text, values };
}
