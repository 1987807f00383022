/**
 * One catalog row → one catalog item to replace, or one item id to delete (braze-cdi.md §1.3,
 * §2.5), with the checks Braze's catalog item endpoints apply to ids and values, made before
 * anything is sent: a bad row is a row error naming its id and how to fix it, and the run goes on.
 *
 * An item is written as `{"id":…,<PAYLOAD's members as the warehouse wrote them>}` (the pieces of
 * json-texts.ts), so values keep their exact digits.
 */
import { Buffer } from 'node:buffer';
import { CATALOG_ITEM_ID, MAX_CATALOG_ITEM_ID_LENGTH, MAX_ROW_PAYLOAD_BYTES, describeType, isPlainObject } from './braze-contract';
import { trackObjectBytes, type TrackObjectText } from './json-texts';
import type { SourceRow } from './ports';

/** Braze's `items-too-large`: an item's values can't exceed 5,000 characters. */
export const MAX_CATALOG_VALUE_LENGTH = 5000;
/** Braze's `too-deep-nesting-in-value-object`. */
const MAX_NESTING = 50;

export type CatalogMappedRow =
  | { ok: true; op: 'put'; id: string; item: TrackObjectText; fields: number }
  | { ok: true; op: 'delete'; id: string; bytes: number }
  | { ok: false; reason: string; identifier: string };

type Failure = Extract<CatalogMappedRow, { ok: false }>;

export function mapCatalogRow(row: SourceRow): CatalogMappedRow {
  const id = itemId(row);
  if (typeof id !== 'string') return id;
  const fail = (reason: string): Failure => ({ ok: false, reason, identifier: catalogRowIdentifier(row) });
  const idText = JSON.stringify(id);
  // A delete is written as `{"id":…}`; ids that pass itemId are ASCII.
  if (row.item?.deleted === true) return { ok: true, op: 'delete', id, bytes: idText.length + 7 };

  if (row.payloadBytes !== undefined) return fail(`PAYLOAD is ${row.payloadBytes} bytes as JSON, more than a SUPER value can be read as: keep catalog items small (each value at most ${MAX_CATALOG_VALUE_LENGTH} characters).`);
  const payload = row.payload;
  if (payload === undefined || payload === null) return fail("PAYLOAD is NULL: a catalog row needs its item's fields as a JSON object (or DELETED = true to delete the item).");
  const bytes = Buffer.byteLength(payload);
  if (bytes > MAX_ROW_PAYLOAD_BYTES) return fail(`Payload was greater than 1MB (${bytes} bytes): catalog items must be far smaller (each value at most ${MAX_CATALOG_VALUE_LENGTH} characters).`);
  let fields: unknown;
  try {
    fields = JSON.parse(payload);
  } catch (err) {
    return fail(`PAYLOAD is not valid JSON (${(err as Error).message}). Build it with JSON_SERIALIZE(OBJECT(...)) or fix the quoting.`);
  }
  if (!isPlainObject(fields)) return fail(`PAYLOAD must be a JSON object of the item's fields ({"Name": …, "Rating": …}), but it is ${describeType(fields)}.`);
  if (Object.hasOwn(fields, 'id')) return fail('PAYLOAD contains "id": the item id comes from the ID column alone. Remove "id" from PAYLOAD.');
  const problem = valueProblem(fields, 1);
  if (problem) return fail(problem);
  const text = payload.trim();
  const head = `"id":${idText}`;
  const count = Object.keys(fields).length;
  const textBytes = count > 0 ? Buffer.byteLength(text) : 0;
  const item: TrackObjectText = { head, payload: textBytes > 0 ? text : '', time: undefined, bytes: trackObjectBytes(Buffer.byteLength(head), textBytes, undefined) };
  return { ok: true, op: 'put', id, item, fields: count };
}

/** The row's item id when Braze accepts it (undefined: the row fails mapping). */
export function catalogItemId(row: SourceRow): string | undefined {
  const id = itemId(row);
  return typeof id === 'string' ? id : undefined;
}

/** The row's item id, or why it has none Braze accepts. */
function itemId(row: SourceRow): string | Failure {
  const fail = (reason: string): Failure => ({ ok: false, reason, identifier: catalogRowIdentifier(row) });
  const raw = row.item?.id ?? null;
  let id: unknown = raw;
  if (raw !== null && row.item?.idIsJson) {
    try {
      id = JSON.parse(raw);
    } catch {
      return fail(`ID is not valid JSON (${raw.slice(0, 40)}).`);
    }
  }
  if (id === null || id === undefined || (typeof id === 'string' && id.trim() === '')) return fail('ID is missing: every catalog row needs the item id in ID (a string of letters, digits, - and _).');
  if (typeof id !== 'string') return fail(`ID must be a string, but it is ${describeType(id)}: cast it, e.g. CAST(id AS VARCHAR) AS id.`);
  if (id.length > MAX_CATALOG_ITEM_ID_LENGTH) return fail(`ID is ${id.length} characters long; Braze accepts item ids of at most ${MAX_CATALOG_ITEM_ID_LENGTH}.`);
  if (!CATALOG_ITEM_ID.test(id)) return fail(`ID ${JSON.stringify(id.slice(0, 60))} has characters Braze rejects: item ids hold only letters, digits, - and _.`);
  return id;
}

/** What Braze would reject in an item's values: long strings, keys with `.` or `$`, deep nesting. */
function valueProblem(value: unknown, depth: number): string | undefined {
  if (depth > MAX_NESTING) return `PAYLOAD nests objects more than ${MAX_NESTING} levels deep; Braze rejects such items.`;
  if (typeof value === 'string') {
    return value.length > MAX_CATALOG_VALUE_LENGTH ? `PAYLOAD has a value of ${value.length} characters; Braze accepts catalog values of at most ${MAX_CATALOG_VALUE_LENGTH}.` : undefined;
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const p = valueProblem(v, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (depth > 1 && /[.$]/.test(k)) return `PAYLOAD key ${JSON.stringify(k)} inside an object has "." or "$", which Braze rejects in catalog values.`;
    const p = valueProblem(v, depth + 1);
    if (p) return p;
  }
  return undefined;
}

/** How row errors name a catalog row: `id=restaurant1`, bounded; `(no id)` without one. */
export function catalogRowIdentifier(row: SourceRow): string {
  const id = shownId(row);
  if (id === undefined || id.trim() === '') return '(no id)';
  // eslint-disable-next-line no-control-regex
  const shown = id.replace(/[\u0000-\u001f\u007f]/g, '?');
  return `id=${shown.length > 64 ? `${shown.slice(0, 63)}…` : shown}`;
}

/** The ID as text: a SUPER string id without its quotes. */
function shownId(row: SourceRow): string | undefined {
  const raw = row.item?.id;
  if (raw === null || raw === undefined || !row.item?.idIsJson) return raw ?? undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'string' ? parsed : raw;
  } catch {
    return raw;
  }
}
