/**
 * Finding a table and its columns in the catalog with bound parameters only. Unquoted names from
 * the file are case-insensitive (Redshift folds them); an exact match wins over a folded one.
 * Sources, in order: information_schema (tables and views the user can see), pg_catalog (visible
 * even without privileges, so "permission denied" is not mistaken for "missing"), and Redshift's
 * svv_columns (late-binding views).
 */
import type pg from 'pg';
import { quoteIdent, type TableName } from '../model/table-name';
import type { SourceColumn, SourceTable } from '../sync/source-reader';

interface CatalogRow {
  table_schema: string;
  table_name: string;
  column_name: string;
  data_type: string;
}

const SOURCES = [
  `SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns
   WHERE lower(table_schema) = lower($1) AND lower(table_name) = lower($2) ORDER BY table_schema, table_name, ordinal_position`,
  `SELECT n.nspname AS table_schema, c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, NULL) AS data_type
   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
   WHERE lower(n.nspname) = lower($1) AND lower(c.relname) = lower($2) AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
   ORDER BY n.nspname, c.relname, a.attnum`,
  `SELECT table_schema, table_name, column_name, data_type FROM svv_columns
   WHERE lower(table_schema) = lower($1) AND lower(table_name) = lower($2) ORDER BY table_schema, table_name, ordinal_position`,
];

export class AmbiguousTableError extends Error {
  constructor(written: string, candidates: string[]) {
    super(`The table ${written} matches several tables that differ only in case: ${candidates.join(', ')}. Quote the parts of the name in the file to pick one.`);
    this.name = 'AmbiguousTableError';
  }
}

export async function findTable(client: pg.Client, name: TableName): Promise<SourceTable | undefined> {
  for (const text of SOURCES) {
    let rows: CatalogRow[];
    try {
      rows = (await client.query<CatalogRow>(text, [name.schema, name.table])).rows;
    } catch {
      continue; // svv_columns exists only on Redshift
    }
    const picked = pick(rows, name);
    if (picked) return picked;
  }
  return undefined;
}

function pick(rows: CatalogRow[], name: TableName): SourceTable | undefined {
  const groups = new Map<string, { schema: string; table: string; columns: SourceColumn[] }>();
  for (const r of rows) {
    const key = `${r.table_schema}\u0000${r.table_name}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { schema: r.table_schema, table: r.table_name, columns: [] }));
    g.columns.push({ name: r.column_name, type: r.data_type.toLowerCase() });
  }
  const all = [...groups.values()];
  if (all.length === 0) return undefined;
  const exact = all.find((g) => g.schema === name.schema && g.table === name.table);
  const chosen = exact ?? (all.length === 1 ? all[0] : undefined);
  if (!chosen) throw new AmbiguousTableError(`${name.schema}.${name.table}`, all.map((g) => `${quoteIdent(g.schema)}.${quoteIdent(g.table)}`));
  return { ...chosen, sqlName: `${quoteIdent(chosen.schema)}.${quoteIdent(chosen.table)}` };
}
