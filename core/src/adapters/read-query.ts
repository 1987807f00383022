/**
 * SQL text for reading a sync window from Redshift (or PostgreSQL in tests) as one statement
 * ordered by UPDATED_AT alone. Nothing else is sorted or compared in SQL: Redshift compares strings
 * ignoring trailing blanks (and maybe case), so no correctness may rest on SQL ordering of
 * identifiers or payloads; rows sharing a timestamp are told apart in the program (tie-group.ts).
 * No expression concatenates a value (VARCHAR tops out at 65,535 bytes), every identifier is
 * quoted, every value is a parameter, and a LIMIT is a validated integer literal.
 */
import { quoteIdent } from '../model/table-name';
import type { RowIdentifiers } from '../sync/ports';
import type { ReadWindow, SourceTable } from '../sync/source-reader';

export const IDENTIFIER_COLUMNS = ['external_id', 'alias_name', 'alias_label', 'braze_id', 'email', 'phone'] as const satisfies readonly (keyof RowIdentifiers)[];
export type IdentifierColumn = (typeof IDENTIFIER_COLUMNS)[number];

/**
 * VARBYTE's documented maximum, so the most a SUPER payload can be serialised to. A larger one is
 * not read (it would fail the whole statement, and so every run, forever): the reader reports it
 * as a row error with its size instead.
 */
export const MAX_SUPER_PAYLOAD_BYTES = 1_024_000;

export interface ReadPlan {
  sqlName: string;
  updatedAt: string;
  ids: { key: IdentifierColumn; column: string }[];
  payload?: { column: string; type: string };
  /** Catalog syncs: ID (SUPER read as JSON text) and the optional DELETED. */
  item?: { id: string; idIsJson: boolean; deleted?: string };
}

export interface SqlQuery {
  text: string;
  values: string[];
}

/**
 * Picks the contract columns (case-insensitively) out of the table's columns. A catalog sync reads
 * ID and DELETED instead of user identifiers.
 */
export function planFor(table: SourceTable, includePayload: boolean, catalog = false): ReadPlan {
  const byLower = new Map(table.columns.map((c) => [c.name.toLowerCase(), c]));
  const updated = byLower.get('updated_at');
  if (!updated) throw new Error(`${table.sqlName} has no UPDATED_AT column.`);
  const payload = includePayload ? byLower.get('payload') : undefined;
  const payloadPlan = payload ? { payload: { column: payload.name, type: payload.type } } : {};
  if (catalog) {
    const id = byLower.get('id');
    if (!id) throw new Error(`${table.sqlName} has no ID column.`);
    const deleted = byLower.get('deleted');
    const item = { id: id.name, idIsJson: id.type === 'super', ...(deleted ? { deleted: deleted.name } : {}) };
    return { sqlName: table.sqlName, updatedAt: updated.name, ids: [], ...payloadPlan, item };
  }
  const ids = IDENTIFIER_COLUMNS.flatMap((key) => {
    const col = byLower.get(key);
    return col ? [{ key, column: col.name }] : [];
  });
  return { sqlName: table.sqlName, updatedAt: updated.name, ids, ...payloadPlan };
}

export function isSuperPayload(plan: ReadPlan): boolean {
  return plan.payload?.type === 'super';
}

/**
 * The payload's select items. SUPER goes through JSON_SERIALIZE_TO_VARBYTE (JSON_SERIALIZE returns
 * VARCHAR and fails past 65,535 bytes), guarded by JSON_SIZE, which is selected too so an
 * oversized payload becomes a row error that names its size.
 */
function payloadItems(plan: ReadPlan): string[] {
  if (!plan.payload) return [];
  const col = quoteIdent(plan.payload.column);
  if (isSuperPayload(plan)) {
    return [`CASE WHEN JSON_SIZE(${col}) <= ${MAX_SUPER_PAYLOAD_BYTES} THEN JSON_SERIALIZE_TO_VARBYTE(${col}) END`, `JSON_SIZE(${col})`];
  }
  if (plan.payload.type === 'json' || plan.payload.type === 'jsonb') return [`CAST(${col} AS TEXT)`];
  return [col];
}

/** Window bounds compare with the column itself (so a SORTKEY's zone maps apply), whatever its temporal type. */
function windowWhere(plan: ReadPlan, window: ReadWindow, values: string[]): string[] {
  const ts = quoteIdent(plan.updatedAt);
  values.push(window.until);
  const where = [`${ts} <= CAST($${values.length} AS TIMESTAMPTZ)`];
  if (window.from !== undefined) {
    values.push(window.from);
    where.push(`${ts} >= CAST($${values.length} AS TIMESTAMPTZ)`);
  }
  return where;
}

/** A LIMIT count as a literal: Redshift does not take LIMIT or FETCH counts as bind parameters. */
function limitLiteral(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`LIMIT must be a non-negative integer, got ${limit}.`);
  return String(limit);
}

/** A catalog row's ID (a SUPER one serialised, so a string id arrives quoted) and DELETED. */
function itemItems(plan: ReadPlan): string[] {
  if (!plan.item) return [];
  const id = quoteIdent(plan.item.id);
  return [plan.item.idIsJson ? `JSON_SERIALIZE(${id})` : id, ...(plan.item.deleted ? [quoteIdent(plan.item.deleted)] : [])];
}

/**
 * The window's rows in UPDATED_AT order. Select list: UPDATED_AT, the identifier columns (in
 * `plan.ids` order), the payload items, then the item's columns; the reader's row decoding relies
 * on this order.
 */
export function windowQuery(plan: ReadPlan, window: ReadWindow, limit?: number): SqlQuery {
  const ts = quoteIdent(plan.updatedAt);
  const select = [ts, ...plan.ids.map((i) => quoteIdent(i.column)), ...payloadItems(plan), ...itemItems(plan)];
  const values: string[] = [];
  const where = windowWhere(plan, window, values);
  const tail = limit === undefined ? '' : ` LIMIT ${limitLiteral(limit)}`;
  return { text: `SELECT ${select.join(', ')} FROM ${plan.sqlName} WHERE ${where.join(' AND ')} ORDER BY ${ts}${tail}`, values };
}

/**
 * One scan for both counts a run needs: rows in the window, and rows stamped after its end (in the
 * future when the run started). `>= from` alone filters, so zone maps still skip older blocks.
 */
export function windowCountsQuery(plan: ReadPlan, window: ReadWindow): SqlQuery {
  const ts = quoteIdent(plan.updatedAt);
  const values: string[] = [window.until];
  const where = window.from === undefined ? '' : ` WHERE ${ts} >= CAST($2 AS TIMESTAMPTZ)`;
  if (window.from !== undefined) values.push(window.from);
  const until = 'CAST($1 AS TIMESTAMPTZ)';
  return {
    text: `SELECT COUNT(CASE WHEN ${ts} <= ${until} THEN 1 END), COUNT(CASE WHEN ${ts} > ${until} THEN 1 END) FROM ${plan.sqlName}${where}`,
    values,
  };
}
