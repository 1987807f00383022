/**
 * SQL text for checking every row of a window at once (sync/window-audit.ts): one CASE gives each
 * row its first problem in the order the engine's row mapping checks them (row-mapping.ts), so a
 * row is counted once; one aggregate counts the problems, and a second statement, run only when
 * there are problems, names the first few offending rows by their identifiers.
 *
 * Redshift functions: IS_VALID_JSON (true only for a JSON object, as the engine requires) on text
 * payloads, IS_OBJECT and JSON_SIZE on SUPER. PostgreSQL runs the same text through the shims of
 * redshift-shims.ts in tests. Every value is a parameter; only column names are written in.
 */
import { MAX_ROW_PAYLOAD_BYTES } from '../sync/braze-contract';
import type { DataType } from '../model/sync-file';
import { quoteIdent } from '../model/table-name';
import type { ReadWindow } from '../sync/source-reader';
import { MAX_SUPER_PAYLOAD_BYTES, isSuperPayload, type IdentifierColumn, type ReadPlan, type SqlQuery } from './read-query';

/** How many offending rows are named. */
export const AUDIT_SAMPLE_ROWS = 5;

/** The blanks JavaScript's trim() removes that SQL's TRIM keeps (tab, line breaks, form feed). */
const BLANKS = `' ' || CHR(9) || CHR(10) || CHR(11) || CHR(12) || CHR(13)`;

/** The CASE naming each row's first problem ('ok' when none), over `ts` bound as $1 (until). */
export function problemCase(plan: ReadPlan, dataType: DataType): string {
  const ts = quoteIdent(plan.updatedAt);
  const col = new Map(plan.ids.map((i) => [i.key, quoteIdent(i.column)]));
  const has = (key: IdentifierColumn) => {
    const c = col.get(key);
    return c ? `(${c} IS NOT NULL AND BTRIM(${c}, ${BLANKS}) <> '')` : 'FALSE';
  };
  if (plan.item) return catalogCase(plan, plan.item, ts);
  const one = (cond: string) => `CASE WHEN ${cond} THEN 1 ELSE 0 END`;
  const kinds = [one(has('external_id')), one(has('alias_name')), one(has('braze_id')), one(`${has('email')} OR ${has('phone')}`)].join(' + ');
  const whens: [string, string][] = [
    [`${ts} IS NULL`, 'updated-at-null'],
    [`${ts} > CAST($1 AS TIMESTAMPTZ)`, 'updated-at-future'],
    [`(${has('alias_name')} AND NOT ${has('alias_label')}) OR (${has('alias_label')} AND NOT ${has('alias_name')})`, 'half-alias'],
    [`(${kinds}) = 0`, 'no-identifier'],
    [`(${kinds}) > 1`, 'several-identifiers'],
  ];
  if (dataType === 'user_deletes') whens.push([`NOT (${has('external_id')} OR ${has('alias_name')} OR ${has('braze_id')})`, 'no-identifier']);
  else whens.push(...payloadWhens(plan));
  return `CASE ${whens.map(([cond, problem]) => `WHEN ${cond} THEN '${problem}'`).join(' ')} ELSE 'ok' END`;
}

/** A catalog row: its ID is its identifier, and a row with DELETED = true needs no PAYLOAD. */
function catalogCase(plan: ReadPlan, item: NonNullable<ReadPlan['item']>, ts: string): string {
  const id = quoteIdent(item.id);
  const idText = item.idIsJson ? `JSON_SERIALIZE(${id})` : id;
  const deleted = item.deleted ? `${quoteIdent(item.deleted)} IS TRUE` : 'FALSE';
  const whens: [string, string][] = [
    [`${ts} IS NULL`, 'updated-at-null'],
    [`${ts} > CAST($1 AS TIMESTAMPTZ)`, 'updated-at-future'],
    [`${id} IS NULL OR BTRIM(${idText}, ${BLANKS}) = ''`, 'no-identifier'],
    ...payloadWhens(plan).map(([cond, problem]): [string, string] => [`NOT (${deleted}) AND (${cond})`, problem]),
  ];
  return `CASE ${whens.map(([cond, problem]) => `WHEN ${cond} THEN '${problem}'`).join(' ')} ELSE 'ok' END`;
}

/** The columns that name an offending row: the identifier columns, or a catalog row's ID. */
export function auditIdColumns(plan: ReadPlan): string[] {
  return plan.item ? [plan.item.id] : plan.ids.map((i) => i.column);
}

function payloadWhens(plan: ReadPlan): [string, string][] {
  if (!plan.payload) return [];
  const p = quoteIdent(plan.payload.column);
  if (isSuperPayload(plan)) {
    return [[`${p} IS NULL`, 'payload-null'], [`JSON_SIZE(${p}) > ${MAX_SUPER_PAYLOAD_BYTES}`, 'payload-too-large'], [`NOT IS_OBJECT(${p})`, 'payload-not-json']];
  }
  const text = plan.payload.type === 'json' || plan.payload.type === 'jsonb' ? `CAST(${p} AS VARCHAR)` : p;
  return [[`${p} IS NULL`, 'payload-null'], [`OCTET_LENGTH(${text}) > ${MAX_ROW_PAYLOAD_BYTES}`, 'payload-too-large'], [`NOT IS_VALID_JSON(${text})`, 'payload-not-json']];
}

/** Rows of the window, plus every row whose UPDATED_AT is NULL or after it (those no run reads yet). */
function auditFrom(plan: ReadPlan, dataType: DataType, window: ReadWindow): { from: string; values: string[] } {
  const ts = quoteIdent(plan.updatedAt);
  const values = [window.until];
  let where = '';
  if (window.from !== undefined) {
    values.push(window.from);
    where = ` WHERE ${ts} >= CAST($2 AS TIMESTAMPTZ) OR ${ts} IS NULL`;
  }
  const ids = auditIdColumns(plan).map(quoteIdent);
  return { from: `(SELECT ${[ts, ...ids].join(', ')}, ${problemCase(plan, dataType)} AS problem FROM ${plan.sqlName}${where}) AS audited`, values };
}

/** `problem, count` for each problem found ('ok' counts the rows without one). */
export function auditCountsQuery(plan: ReadPlan, dataType: DataType, window: ReadWindow): SqlQuery {
  const { from, values } = auditFrom(plan, dataType, window);
  return { text: `SELECT problem, COUNT(*) FROM ${from} GROUP BY problem`, values };
}

/** The first offending rows: UPDATED_AT, the identifier columns (plan order), then the problem. */
export function auditSamplesQuery(plan: ReadPlan, dataType: DataType, window: ReadWindow): SqlQuery {
  const { from, values } = auditFrom(plan, dataType, window);
  const select = [plan.updatedAt, ...auditIdColumns(plan)].map(quoteIdent);
  return { text: `SELECT ${select.join(', ')}, problem FROM ${from} WHERE problem <> 'ok' ORDER BY ${quoteIdent(plan.updatedAt)} LIMIT ${AUDIT_SAMPLE_ROWS}`, values };
}
