/**
 * The fix for a table that does not fit its data type: a view over the existing table that
 * renames, casts and adds the columns Braze needs (braze-cdi.md §1), so nobody has to copy data
 * into a new table. Columns are guessed by name and type; the text says where it guessed.
 * Redshift SQL: OBJECT() builds a SUPER from the other columns and JSON_SERIALIZE makes it the
 * PAYLOAD text.
 */
import type { DataType } from '../model/sync-file';
import { quoteIdent, type TableName } from '../model/table-name';
import type { SourceColumn } from '../sync/source-reader';

const TEXT = /^(character varying|varchar|character|char|bpchar|text|nvarchar|nchar|name|string)\b/;
const TIME = /^(timestamp|timestamptz|date)\b/;
const ID_COLUMNS = ['external_id', 'alias_name', 'alias_label', 'braze_id', 'email', 'phone'];

/** A select expression and the source column it consumed. */
interface Pick {
  expr: string;
  used?: string;
}

/** `CREATE VIEW …` over `table` that gives it the columns of `dataType`, and the GRANT for `user`. */
export function contractViewDdl(table: TableName, columns: SourceColumn[], dataType: DataType, user: string): string {
  const byLower = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const source = `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
  const view = `${quoteIdent(table.schema)}.${quoteIdent(`${table.table}_braze_sync`)}`;
  const used = new Set<string>();
  const take = (p: Pick, as: string): string => {
    if (p.used) used.add(p.used);
    return `${p.expr} AS ${as}`;
  };
  const select = [take(updatedAt(columns, byLower), 'updated_at')];
  const ids = ID_COLUMNS.filter((n) => byLower.has(n) && (dataType !== 'user_deletes' || !['email', 'phone'].includes(n)));
  if (ids.length === 0) select.push(take(guessIdentifier(columns), 'external_id'));
  for (const n of ids) {
    const c = byLower.get(n)!;
    select.push(take({ expr: TEXT.test(c.type) ? quoteIdent(c.name) : `CAST(${quoteIdent(c.name)} AS VARCHAR)`, used: c.name }, n));
  }
  if (dataType !== 'user_deletes') select.push(take(payload(columns, byLower, used), 'payload'));
  return [
    `CREATE VIEW ${view} AS`,
    `SELECT ${select.join(',\n       ')}`,
    `FROM ${source};`,
    `GRANT SELECT ON ${view} TO ${quoteIdent(user)};`,
  ].join('\n');
}

function updatedAt(columns: SourceColumn[], byLower: Map<string, SourceColumn>): Pick {
  const own = byLower.get('updated_at');
  if (own && TIME.test(own.type)) return { expr: quoteIdent(own.name), used: own.name };
  const times = columns.filter((c) => TIME.test(c.type));
  const best = times.find((c) => /updat|modif|chang/i.test(c.name)) ?? times[0];
  if (best) return { expr: `CAST(${quoteIdent(best.name)} AS TIMESTAMPTZ) /* guessed: the time each row last changed, in UTC */`, used: best.name };
  return { expr: 'CAST(NULL AS TIMESTAMPTZ) /* replace with the column holding when each row last changed */' };
}

function guessIdentifier(columns: SourceColumn[]): Pick {
  const best = columns.find((c) => /user.?id|customer.?id|external/i.test(c.name)) ?? columns.find((c) => /id$/i.test(c.name));
  if (best) return { expr: `CAST(${quoteIdent(best.name)} AS VARCHAR) /* guessed: the user's external id */`, used: best.name };
  return { expr: 'CAST(NULL AS VARCHAR) /* replace with the column identifying the user */' };
}

/** The existing PAYLOAD, or one built from every column not used above. */
function payload(columns: SourceColumn[], byLower: Map<string, SourceColumn>, used: Set<string>): Pick {
  const own = byLower.get('payload');
  if (own) return { expr: quoteIdent(own.name), used: own.name };
  const rest = columns.filter((c) => !used.has(c.name));
  if (rest.length === 0) return { expr: "'{}' /* no other columns to send */" };
  return { expr: `JSON_SERIALIZE(OBJECT(${rest.map((c) => `'${c.name.toLowerCase().replace(/'/g, "''")}', ${quoteIdent(c.name)}`).join(', ')}))` };
}
