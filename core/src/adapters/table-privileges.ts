/**
 * The user's grants on a found table, from has_schema_privilege / has_table_privilege. Those
 * functions know only the relations of the connection's database that are in pg_class: on a
 * Spectrum external table has_table_privilege raises, and datashare objects (another database) are
 * granted on the database. Such tables come back "not checked" with the reason, so Test Connection
 * neither passes nor fails them on a guess; reading the table then shows whether SELECT works.
 */
import type pg from 'pg';
import type { SourceTable, TablePrivileges } from '../sync/source-reader';
import { sqlState } from './table-catalog-errors';

const PRIVILEGES_SQL = `SELECT has_schema_privilege($1, 'USAGE'), has_table_privilege($2, 'SELECT'), has_table_privilege($2, 'INSERT'), has_table_privilege($2, 'UPDATE'), has_table_privilege($2, 'DELETE')`;

/**
 * What the functions raise for a relation they cannot check: not in pg_class (42P01), schema not
 * in pg_namespace (3F000), function missing (42883), a reference to another database (0A000).
 * Anything else is a real failure.
 */
const UNCHECKABLE = new Set(['42P01', '3F000', '42883', '0A000']);

export async function readPrivileges(client: pg.Client, table: SourceTable): Promise<TablePrivileges> {
  const skipped = skipReason(table);
  if (skipped) return notChecked(skipped);
  let row: unknown[];
  try {
    row = (await client.query<unknown[]>({ text: PRIVILEGES_SQL, values: [table.schema, table.sqlName], rowMode: 'array' })).rows[0] ?? [];
  } catch (err) {
    if (!UNCHECKABLE.has(sqlState(err) ?? '')) throw err;
    return notChecked(`has_table_privilege cannot check ${table.sqlName} (${err instanceof Error ? err.message : String(err)})`);
  }
  const [schemaUsage, select, insert, update, del] = row.map(granted);
  return { schemaUsage: schemaUsage ?? false, select: select ?? false, insert: insert ?? false, update: update ?? false, delete: del ?? false };
}

/** Booleans arrive as `true` or, through some drivers and Redshift functions, as 't' / 'true' text. */
export function granted(value: unknown): boolean {
  return value === true || (typeof value === 'string' && /^(t|true)$/i.test(value));
}

function skipReason(table: SourceTable): string | undefined {
  if (table.database !== undefined) return `${table.sqlName} is in database ${table.database} (a datashare), where access is granted on the database, which has_table_privilege cannot check`;
  if (table.external) return `${table.sqlName} is an external (Spectrum) table, which has_table_privilege cannot check; access comes from USAGE on its external schema`;
  return undefined;
}

function notChecked(reason: string): TablePrivileges {
  return { schemaUsage: false, select: false, insert: false, update: false, delete: false, notChecked: reason };
}
