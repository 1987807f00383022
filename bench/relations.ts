/**
 * The relations `npm run bench:sync` reads, generated in SQL (generate_series, seconds per million
 * rows). Every relation exposes exactly the columns the engine reads for a custom-attributes sync
 * with PAYLOAD (UPDATED_AT, EXTERNAL_ID, PAYLOAD), so the engine and the `\copy` baseline move the
 * same bytes and the relations differ only in how expensive the warehouse finds the window:
 *   indexed: a table with an index on UPDATED_AT (PostgreSQL's cheap case; Redshift has no indexes);
 *   noindex: the same rows with no index: every ordered read is a full scan plus a sort, as on a
 *            Redshift table without a SORTKEY on UPDATED_AT;
 *   view:    a view joining two tables, neither indexed, recomputed by every query that reads it.
 */
import type { TestPostgres } from '../test/support/postgres';

export const RELATIONS = ['indexed', 'noindex', 'view'] as const;
export type Relation = (typeof RELATIONS)[number];

const SCHEMA = 'bench';
/** Rows per UPDATED_AT value: ties are the engine's hard case (a page or slice boundary inside a tie). */
const ROWS_PER_TIMESTAMP = 10;
/** Multiplier of the permutation that scatters UPDATED_AT over the heap (prime; 10^k sizes are coprime to it). */
const SCATTER = 7919;

export const relationName = (relation: Relation, rows: number) => `${SCHEMA}.${relation}_${rows}`;

/**
 * One generated row per g in 1..n: EXTERNAL_ID follows g, UPDATED_AT follows a permutation of g, so
 * the heap is not already in UPDATED_AT order (a real table's rows are updated in any order and a
 * sort over presorted input would flatter the no-index case). ~200-byte PAYLOAD, 8 attributes.
 */
function generatedRows(n: number): string {
  return `SELECT g,
      '2026-11-01'::timestamptz + (((g::bigint * ${SCATTER}) % ${n}) / ${ROWS_PER_TIMESTAMP}) * interval '1 millisecond' AS updated_at,
      'user-' || lpad(g::text, 9, '0') AS external_id,
      '{"first_name":"Ada","last_name":"Lovelace","email_subscribe":"opted_in","home_city":"London","plan":"'
        || (array['free','silver','gold'])[1 + g % 3] || '","points":' || (g % 10000)
        || ',"favorite_colors":["green","blue"],"last_purchase_at":"2026-10-' || lpad((1 + g % 28)::text, 2, '0') || 'T12:34:56Z"}' AS payload
    FROM generate_series(1, ${n}) g`;
}

/** Redshift DDL (through the PostgreSQL rewrite) for a table with the three engine columns. */
const tableDdl = (name: string) => `CREATE TABLE ${name} (updated_at timestamptz default sysdate, external_id varchar(64), payload varchar(max))`;

/** A table of `n` generated rows with an index on UPDATED_AT (also the budget run's table). */
export async function createIndexedTable(db: TestPostgres, name: string, n: number): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  await db.redshiftDdl(tableDdl(name));
  await db.query(`INSERT INTO ${name} (updated_at, external_id, payload) SELECT updated_at, external_id, payload FROM (${generatedRows(n)}) r`);
  await db.query(`CREATE INDEX ON ${name} (updated_at)`);
  await db.query(`VACUUM ANALYZE ${name}`);
}

/** The indexed table's rows, in the same physical order, without the index. */
async function createNoIndex(db: TestPostgres, n: number): Promise<void> {
  const name = relationName('noindex', n);
  await db.redshiftDdl(tableDdl(name));
  await db.query(`INSERT INTO ${name} SELECT * FROM ${relationName('indexed', n)}`);
  await db.query(`VACUUM ANALYZE ${name}`);
}

/**
 * users(user_key, external_id) ⋈ attributes(user_key, updated_at, payload), the shape of a view a
 * customer writes over their own model; no index, no key, so each query hashes one side.
 */
async function createView(db: TestPostgres, n: number): Promise<void> {
  const users = `${SCHEMA}.view_users_${n}`;
  const attributes = `${SCHEMA}.view_attributes_${n}`;
  await db.redshiftDdl(`CREATE TABLE ${users} (user_key bigint, external_id varchar(64))`);
  await db.redshiftDdl(`CREATE TABLE ${attributes} (user_key bigint, updated_at timestamptz, payload varchar(max))`);
  await db.query(`INSERT INTO ${users} SELECT g, external_id FROM (${generatedRows(n)}) r`);
  await db.query(`INSERT INTO ${attributes} SELECT g, updated_at, payload FROM (${generatedRows(n)}) r`);
  await db.query(`CREATE VIEW ${relationName('view', n)} AS
    SELECT a.updated_at, u.external_id, a.payload FROM ${attributes} a JOIN ${users} u ON u.user_key = a.user_key`);
  for (const t of [users, attributes]) await db.query(`VACUUM ANALYZE ${t}`);
}

/**
 * Creates the relations of `n` rows that `wanted` needs, analysed (visibility and statistics settled
 * before any timing). The indexed table is always made: the no-index table is copied from it.
 */
export async function createRelations(db: TestPostgres, n: number, wanted: readonly Relation[]): Promise<void> {
  await createIndexedTable(db, relationName('indexed', n), n);
  if (wanted.includes('noindex')) await createNoIndex(db, n);
  if (wanted.includes('view')) await createView(db, n);
  await db.query('CHECKPOINT'); // so no checkpoint of the load runs during a timed read
}

/**
 * What a user would run instead of the engine: the columns the engine needs, the window a first
 * sync reads (everything up to `until`), ordered by UPDATED_AT alone. Not the engine's own query.
 */
export const baselineSelect = (relation: Relation, rows: number, until: string) =>
  `SELECT updated_at, external_id, payload FROM ${relationName(relation, rows)} WHERE updated_at <= '${until}' ORDER BY updated_at`;
