/**
 * Finding a table and its columns in the catalog with bound parameters only. Unquoted names from
 * the file are case-insensitive (Redshift folds them); an exact match wins over a folded one.
 *
 * A table of the connection's database is looked up in, in order: information_schema (tables and
 * views the user can see), pg_catalog (visible even without privileges, so "permission denied" is
 * not mistaken for "missing"), Redshift's svv_external_columns (Spectrum external tables, which are
 * in no pg_class) and svv_columns (late-binding views, whose columns pg_attribute lacks). A
 * `database.schema.table` in another database of the cluster (a datashare consumer database) is
 * known only to svv_all_columns, and is read by its three-part name.
 *
 * When no catalog lists the table, reading no row of it tells the rest apart: missing, hidden
 * (with metadata_security on, Redshift lists only the objects a user has a grant on), readable but
 * unlisted, or another database on a server that cannot read one (PostgreSQL).
 */
import type pg from 'pg';
import { quoteIdent, type TableName } from '../model/table-name';
import type { SourceColumn, SourceTable } from '../sync/source-reader';
import { AmbiguousTableError, CatalogPermissionError, WrongDatabaseError, sqlState } from './table-catalog-errors';

export { AmbiguousTableError, CatalogPermissionError, WrongDatabaseError } from './table-catalog-errors';

interface CatalogRow {
  table_database?: string;
  table_schema: string;
  table_name: string;
  column_name: string;
  data_type: string;
}

interface CatalogSource {
  sql: string;
  external?: boolean;
}

/** $1 schema, $2 table. */
const LOCAL_SOURCES: CatalogSource[] = [
  {
    // Redshift has no domains; the PostgreSQL shim's SUPER is one, named as Redshift names the type.
    sql: `SELECT table_schema, table_name, column_name, COALESCE(domain_name, data_type) AS data_type FROM information_schema.columns
   WHERE lower(table_schema) = lower($1) AND lower(table_name) = lower($2) ORDER BY table_schema, table_name, ordinal_position`,
  },
  {
    sql: `SELECT n.nspname AS table_schema, c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, NULL) AS data_type
   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
   WHERE lower(n.nspname) = lower($1) AND lower(c.relname) = lower($2) AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
   ORDER BY n.nspname, c.relname, a.attnum`,
  },
  {
    // Also lists tables of other databases (cross-database queries): only this database's count.
    sql: `SELECT schemaname AS table_schema, tablename AS table_name, columnname AS column_name, external_type AS data_type FROM svv_external_columns
   WHERE redshift_database_name = current_database() AND lower(schemaname) = lower($1) AND lower(tablename) = lower($2) ORDER BY schemaname, tablename, columnnum`,
    external: true,
  },
  {
    sql: `SELECT table_schema, table_name, column_name, data_type FROM svv_columns
   WHERE lower(table_schema) = lower($1) AND lower(table_name) = lower($2) ORDER BY table_schema, table_name, ordinal_position`,
  },
];

/** $1 database, $2 schema, $3 table. */
const OTHER_DATABASE_SOURCE: CatalogSource = {
  sql: `SELECT database_name AS table_database, schema_name AS table_schema, table_name, column_name, data_type FROM svv_all_columns
   WHERE lower(database_name) = lower($1) AND lower(schema_name) = lower($2) AND lower(table_name) = lower($3)
   ORDER BY database_name, schema_name, table_name, ordinal_position`,
};

/** A catalog view that does not exist here (svv_* on PostgreSQL): the next source is tried. */
const ABSENT_CATALOG = new Set(['42P01', '42883']);
/** The probe's "no such table / schema / database". */
const NOT_FOUND = new Set(['42P01', '3F000', '3D000']);

/**
 * The table and its columns, or undefined when it does not exist. Throws CatalogPermissionError
 * when it exists (or may exist) but the user may not read it, WrongDatabaseError when it is in
 * another database the server cannot read from this connection, AmbiguousTableError.
 */
export async function findTable(client: pg.Client, name: TableName): Promise<SourceTable | undefined> {
  const other = await databaseSplit(client, name);
  const sources = other === undefined ? LOCAL_SOURCES : [OTHER_DATABASE_SOURCE];
  const values = other === undefined ? [name.schema, name.table] : [other.database, name.schema, name.table];
  let denied: unknown;
  for (const source of sources) {
    let rows: CatalogRow[];
    try {
      rows = (await client.query<CatalogRow>(source.sql, values)).rows;
    } catch (err) {
      if (ABSENT_CATALOG.has(sqlState(err) ?? '')) continue;
      if (sqlState(err) !== '42501') throw err;
      denied ??= err; // the table itself may still be readable: the probe decides
      continue;
    }
    const picked = pick(rows, name, source.external === true);
    if (picked) return picked;
  }
  return probe(client, name, other, denied);
}

interface DatabaseSplit {
  /** The table's database, as written. */
  database: string;
  /** The connection's. */
  current: string;
}

/**
 * The database part of `name` and the connection's, when they differ (compared after case
 * folding, as Redshift does); undefined for a table of the connection's database.
 */
async function databaseSplit(client: pg.Client, name: TableName): Promise<DatabaseSplit | undefined> {
  if (name.database === undefined) return undefined;
  const current = String((await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db ?? '');
  return current.toLowerCase() === name.database.toLowerCase() ? undefined : { database: name.database, current };
}

function sqlNameOf(database: string | undefined, schema: string, table: string): string {
  return [database, schema, table].filter((p): p is string => p !== undefined).map(quoteIdent).join('.');
}

function pick(rows: CatalogRow[], name: TableName, external: boolean): SourceTable | undefined {
  const groups = new Map<string, { database: string | undefined; schema: string; table: string; columns: SourceColumn[] }>();
  for (const r of rows) {
    const key = `${r.table_database ?? ''}\u0000${r.table_schema}\u0000${r.table_name}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { database: r.table_database, schema: r.table_schema, table: r.table_name, columns: [] }));
    g.columns.push({ name: r.column_name, type: r.data_type.toLowerCase() });
  }
  const all = [...groups.values()];
  if (all.length === 0) return undefined;
  const exact = all.find((g) => g.schema === name.schema && g.table === name.table && (g.database === undefined || g.database === name.database));
  const chosen = exact ?? (all.length === 1 ? all[0] : undefined);
  if (!chosen) throw new AmbiguousTableError(name.parts.map((p) => p.name).join('.'), all.map((g) => sqlNameOf(g.database, g.schema, g.table)));
  const { database, ...rest } = chosen;
  return { ...rest, sqlName: sqlNameOf(database, chosen.schema, chosen.table), ...(database !== undefined ? { database } : {}), ...(external ? { external } : {}) };
}

/**
 * Reads no row of the table, as the user would query it: its columns come from the result's
 * fields when the catalogs do not list it; its error says whether it is missing or forbidden.
 */
async function probe(client: pg.Client, name: TableName, other: DatabaseSplit | undefined, catalogDenied: unknown): Promise<SourceTable | undefined> {
  const sqlName = sqlNameOf(other?.database, name.schema, name.table);
  let fields: pg.FieldDef[];
  try {
    fields = (await client.query(`SELECT * FROM ${sqlName} LIMIT 0`)).fields;
  } catch (err) {
    const code = sqlState(err) ?? '';
    if (code === '42501') throw await permissionError(client, name, other?.database, 'table');
    // PostgreSQL: "cross-database references are not implemented".
    if (code === '0A000' && other) throw new WrongDatabaseError(other.database, other.current);
    if (!NOT_FOUND.has(code)) throw err;
    if (catalogDenied !== undefined) throw await permissionError(client, name, other?.database, 'catalog');
    return undefined;
  }
  return {
    sqlName,
    schema: name.schema,
    table: name.table,
    columns: await fieldColumns(client, fields),
    ...(other ? { database: other.database } : {}),
  };
}

/** Column names and catalog type names (as format_type spells them, like pg_catalog's source). */
async function fieldColumns(client: pg.Client, fields: pg.FieldDef[]): Promise<SourceColumn[]> {
  const oids = [...new Set(fields.map((f) => f.dataTypeID))];
  if (oids.length === 0) return [];
  // One row, one column per type: Redshift has no array parameters for `oid = ANY($1)`.
  const row = (await client.query<unknown[]>({ text: `SELECT ${oids.map((_, i) => `format_type($${i + 1}, NULL)`).join(', ')}`, values: oids, rowMode: 'array' })).rows[0] ?? [];
  const typeOf = new Map(oids.map((oid, i) => [oid, String(row[i] ?? '').toLowerCase()]));
  return fields.map((f) => ({ name: f.name, type: typeOf.get(f.dataTypeID) ?? '' }));
}

async function permissionError(client: pg.Client, name: TableName, otherDatabase: string | undefined, denied: 'table' | 'catalog'): Promise<CatalogPermissionError> {
  const user = String((await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u ?? '');
  return new CatalogPermissionError({ written: name.parts.map((p) => p.name).join('.'), user, database: otherDatabase, schema: name.schema, table: name.table, denied });
}
