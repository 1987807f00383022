/**
 * SQL text for reading a source table in keyset pages, portable to Redshift: no row-value
 * comparisons, no server clock functions, every identifier quoted, every value a parameter.
 *
 * Total order: UPDATED_AT, then one key per identifier column, then a hash of the payload. Each
 * key is `COALESCE('1' || col, '0')` so NULL sorts apart from every string (including '') and the
 * key comparisons stay NULL-safe. Rows equal on all keys are identical rows.
 */
import { createHash } from 'node:crypto';
import { quoteIdent } from '../model/table-name';
import type { RowIdentifiers } from '../sync/ports';
import type { ReadWindow, SourceTable } from '../sync/source-reader';

export const IDENTIFIER_COLUMNS = ['external_id', 'alias_name', 'alias_label', 'braze_id', 'email', 'phone'] as const satisfies readonly (keyof RowIdentifiers)[];
export type IdentifierColumn = (typeof IDENTIFIER_COLUMNS)[number];

export interface ReadPlan {
  sqlName: string;
  updatedAt: string;
  ids: { key: IdentifierColumn; column: string }[];
  payload?: { column: string; type: string };
}

/** Picks the contract columns (case-insensitively) out of the table's columns. */
export function planFor(table: SourceTable, includePayload: boolean): ReadPlan {
  const byLower = new Map(table.columns.map((c) => [c.name.toLowerCase(), c]));
  const updated = byLower.get('updated_at');
  if (!updated) throw new Error(`${table.sqlName} has no UPDATED_AT column.`);
  const ids = IDENTIFIER_COLUMNS.flatMap((key) => {
    const col = byLower.get(key);
    return col ? [{ key, column: col.name }] : [];
  });
  const payload = includePayload ? byLower.get('payload') : undefined;
  return { sqlName: table.sqlName, updatedAt: updated.name, ids, ...(payload ? { payload: { column: payload.name, type: payload.type } } : {}) };
}

function payloadText(plan: ReadPlan): string | undefined {
  if (!plan.payload) return undefined;
  const col = quoteIdent(plan.payload.column);
  if (plan.payload.type === 'super') return `JSON_SERIALIZE(${col})`;
  if (plan.payload.type === 'json' || plan.payload.type === 'jsonb') return `CAST(${col} AS TEXT)`;
  return col;
}

/** The ordering keys after UPDATED_AT, as SQL expressions. */
function sortKeys(plan: ReadPlan): string[] {
  const keys = plan.ids.map((id) => `COALESCE('1' || ${quoteIdent(id.column)}, '0')`);
  const payload = payloadText(plan);
  if (payload) keys.push(`MD5(COALESCE('1' || ${payload}, '0'))`);
  return keys;
}

export interface PageQuery {
  text: string;
  values: (string | number)[];
}

/** Where a page ended: the last row's UPDATED_AT text and its sort keys, as the server computed them. */
export interface PageCursor {
  updatedAt: string;
  keys: string[];
}

/**
 * Select list: UPDATED_AT, the identifier columns (in `plan.ids` order), then the payload (if
 * any); `decodeRow` in the reader relies on this order. The sort keys are not selected: the
 * cursor computes them for the last row of a page only (`cursorKeys`).
 */
export function pageQuery(plan: ReadPlan, window: ReadWindow, limit: number, after?: PageCursor): PageQuery {
  const ts = quoteIdent(plan.updatedAt);
  const keys = sortKeys(plan);
  const payload = payloadText(plan);
  const select = [ts, ...plan.ids.map((i) => quoteIdent(i.column)), ...(payload ? [payload] : [])];
  const values: (string | number)[] = [window.until];
  const where = [`${ts} <= $1`];
  if (after) {
    values.push(after.updatedAt);
    where.push(`${ts} >= $2`);
    // `ts >= $2 AND (ts > $2 OR …)` keeps an index/sort-key range scan on UPDATED_AT.
    let chain = '';
    for (let i = keys.length - 1; i >= 0; i--) {
      values.push(after.keys[i] ?? '');
      const p = `$${values.length}`;
      chain = chain ? `(${keys[i]} > ${p} OR (${keys[i]} = ${p} AND ${chain}))` : `${keys[i]} > ${p}`;
    }
    where.push(`(${ts} > $2 OR ${chain})`);
  } else if (window.from !== undefined) {
    values.push(window.from);
    where.push(`${ts} >= $2`);
  }
  values.push(limit);
  return {
    text: `SELECT ${select.join(', ')} FROM ${plan.sqlName} WHERE ${where.join(' AND ')} ORDER BY ${['1', ...keys].join(', ')} LIMIT $${values.length}`,
    values,
  };
}

/**
 * The sort keys of a row as the server computes them (see `sortKeys`): `'1' || value` or `'0'`
 * for NULL, and the hex MD5 of the payload's UTF-8 text (the database encoding, UTF8 on
 * Redshift and in our PostgreSQL).
 */
export function cursorKeys(plan: ReadPlan, ids: RowIdentifiers, payload: string | null | undefined): string[] {
  const keys = plan.ids.map((id) => {
    const v = ids[id.key];
    return v === null || v === undefined ? '0' : `1${v}`;
  });
  if (plan.payload) keys.push(createHash('md5').update(payload === null || payload === undefined ? '0' : `1${payload}`, 'utf8').digest('hex'));
  return keys;
}

export function countQuery(plan: ReadPlan, window: ReadWindow): PageQuery {
  const ts = quoteIdent(plan.updatedAt);
  const values: string[] = [window.until];
  const where = [`${ts} <= $1`];
  if (window.from !== undefined) {
    values.push(window.from);
    where.push(`${ts} >= $2`);
  }
  return { text: `SELECT COUNT(*) FROM ${plan.sqlName} WHERE ${where.join(' AND ')}`, values };
}

export function countAfterQuery(plan: ReadPlan, until: string): PageQuery {
  return { text: `SELECT COUNT(*) FROM ${plan.sqlName} WHERE ${quoteIdent(plan.updatedAt)} > $1`, values: [until] };
}
