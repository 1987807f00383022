/**
 * One source row → one Braze object (or a user to delete), with the row-level checks CDI applies
 * before anything is sent. A failed check names the row's identifier and says how to fix the row;
 * the engine records it and carries on (partial success).
 *
 * An object is described as pieces of JSON text (json-texts.ts): the identifier's members, then
 * PAYLOAD's members exactly as the warehouse wrote them, then a default `time`. PAYLOAD is checked
 * by one scan that builds nothing (json-scan.ts); only the few values a check looks at (an event's
 * name, a purchase's price…) are parsed. Nothing is re-serialised, so large numbers keep their
 * digits; the batcher writes the pieces straight into request bodies.
 */
import { Buffer } from 'node:buffer';
import {
  MAX_PRODUCT_ID_LENGTH,
  MAX_PURCHASE_QUANTITY,
  MAX_ROW_PAYLOAD_BYTES,
  MAX_TOP_LEVEL_KEYS,
  describeType,
  isBrazeTime,
  isCurrencyCode,
  IDENTIFIER_KEYS,
  isPlainObject,
  type TrackArray,
  type UserAlias,
} from './braze-contract';
import { JsonMembers } from './json-members';
import { formatJsonSyntaxError, scanJson } from './json-scan';
import { trackObjectBytes, type TrackObjectText } from './json-texts';
import type { DataType, RowIdentifiers, SourceRow } from './ports';
import { parseTimestampMicros, toIsoMicros } from '../model/timestamps';

export type DeleteTarget = { external_id: string } | { user_alias: UserAlias } | { braze_id: string };

export type MappedRow =
  | ({ ok: true; kind: TrackArray; identity: string } & TrackObjectText)
  | { ok: true; kind: 'delete'; target: DeleteTarget; bytes: number; identity: string }
  | { ok: false; reason: string; identifier: string };

type RowFailure = Extract<MappedRow, { ok: false }>;

/** The identifier a row resolved to; `phone` rides along on email rows (email wins, as Braze documents). */
type Identity =
  | { type: 'external_id'; value: string }
  | { type: 'user_alias'; alias: UserAlias }
  | { type: 'braze_id'; value: string }
  | { type: 'email'; value: string; phone?: string }
  | { type: 'phone'; value: string };

/** The data types whose rows identify users (catalog rows are mapped by catalog-mapping.ts). */
export type UserDataType = Exclude<DataType, 'catalog_items'>;

const TRACK_ARRAY: Record<Exclude<UserDataType, 'user_deletes'>, TrackArray> = {
  custom_attributes: 'attributes',
  custom_events: 'events',
  purchases: 'purchases',
};

const COLUMNS = {
  external_id: 'EXTERNAL_ID',
  alias_name: 'ALIAS_NAME',
  alias_label: 'ALIAS_LABEL',
  braze_id: 'BRAZE_ID',
  email: 'EMAIL',
  phone: 'PHONE',
} as const satisfies Record<keyof RowIdentifiers, string>;

const LABEL_MAX = 64;
// eslint-disable-next-line no-control-regex
const PLAIN_LABEL = /^[^\s="\u0000-\u001f\u007f]{0,64}$/;
const ID_KEYS = Object.keys(COLUMNS) as (keyof RowIdentifiers)[];

export function mapRow(row: SourceRow, dataType: UserDataType): MappedRow {
  const identity = resolveIdentity(row.ids);
  if (typeof identity === 'string') return rowFailure(row, identity);
  if (dataType === 'user_deletes') return mapDelete(row, identity);

  const payload = checkPayload(row, dataType);
  if (typeof payload === 'string') return rowFailure(row, payload);

  const kind = TRACK_ARRAY[dataType];
  const repeated = repeatedIdentifiers(forbiddenPayloadKeys(identity, kind));
  if (repeated) {
    return rowFailure(
      row,
      `PAYLOAD repeats the identifier: remove ${repeated.map((k) => `"${k}"`).join(', ')} from PAYLOAD; the row's ${identityColumns(identity)} column${identity.type === 'user_alias' ? 's identify' : ' identifies'} the user.`,
    );
  }

  let time: string | undefined;
  let nullTime = false;
  if (kind !== 'attributes') {
    const fields = payloadFields(kind === 'events' ? EVENT_FIELDS : PURCHASE_FIELDS);
    const problem = kind === 'events' ? eventProblem(fields) : purchaseProblem(fields);
    if (problem) return rowFailure(row, problem);
    if (fields.time === undefined || fields.time === null) {
      time = isoTime(row.updatedAt);
      if (!time) return rowFailure(row, `UPDATED_AT ${JSON.stringify(row.updatedAt)} is not a timestamp, and PAYLOAD has no "time" to use instead: fix UPDATED_AT or add "time" (ISO 8601) to PAYLOAD.`);
      nullTime = fields.time === null;
    }
  }
  return trackText(identity, kind, payload, time, nullTime);
}

/**
 * `{identifier members, PAYLOAD members as written, "time"}` as pieces, and its size. `nullTime`:
 * PAYLOAD says `"time": null`, which the default time replaces.
 */
function trackText(identity: Identity, kind: TrackArray, payload: Payload, time: string | undefined, nullTime: boolean): MappedRow {
  const head = identifierMembers(identity, kind);
  let text = members.count > 0 ? payload.text : '';
  let textBytes = members.count > 0 ? payload.textBytes : 0;
  if (time !== undefined && nullTime) {
    // Rewrite the members so "time" appears once, with UPDATED_AT's value (rare).
    text = JSON.stringify({ ...(JSON.parse(text) as Record<string, unknown>), time });
    textBytes = Buffer.byteLength(text);
    time = undefined;
  }
  return { ok: true, kind, identity: identityText(identity), head, payload: text, time, bytes: trackObjectBytes(Buffer.byteLength(head), textBytes, time) };
}

/** A row error; the identifier is worked out only for rows that fail. */
function rowFailure(row: SourceRow, reason: string): RowFailure {
  return { ok: false, reason, identifier: rowIdentifier(row.ids) };
}

function mapDelete(row: SourceRow, identity: Identity): MappedRow {
  const fail = (reason: string): RowFailure => rowFailure(row, reason);
  if (row.payload !== undefined) {
    return fail('user_deletes tables must not have a PAYLOAD column (Braze fails such delete syncs to prevent accidental permanent deletion): drop the column, or sync from a view without it.');
  }
  let target: DeleteTarget;
  if (identity.type === 'external_id') target = { external_id: identity.value };
  else if (identity.type === 'braze_id') target = { braze_id: identity.value };
  else if (identity.type === 'user_alias') target = { user_alias: identity.alias };
  else {
    return fail(`user_deletes rows can't identify users by ${identityColumns(identity)}: set EXTERNAL_ID, ALIAS_NAME+ALIAS_LABEL or BRAZE_ID instead.`);
  }
  const value = 'user_alias' in target ? target.user_alias : 'external_id' in target ? target.external_id : target.braze_id;
  return { ok: true, kind: 'delete', target, identity: identityText(identity), bytes: Buffer.byteLength(JSON.stringify(value)) };
}

/**
 * The user a row addresses, as one text: the identifier type and value(s) exactly as delivered
 * (`external_id\u0001u1`). Diffing keys profiles by it, so an attributes row and a delete of the
 * same identifier name the same profile.
 */
function identityText(identity: Identity): string {
  if (identity.type === 'user_alias') return `user_alias\u0001${identity.alias.alias_name}\u0001${identity.alias.alias_label}`;
  return `${identity.type}\u0001${identity.value}`;
}

/** The PAYLOAD members of the row `mapRow` accepted last: valid until the next `mapRow` call. */
export function lastPayloadMembers(): JsonMembers {
  return members;
}

/**
 * How row errors and logs name a row: its identifier columns with values (`external_id=u1`),
 * one line and bounded; `(no identifier)` when it has none.
 */
export function rowIdentifier(ids: RowIdentifiers): string {
  let identifier = '';
  for (const key of ID_KEYS) {
    const v = ids[key];
    if (hasValue(v)) identifier += `${identifier ? ' ' : ''}${key}=${printable(v)}`;
  }
  return identifier || '(no identifier)';
}

/** The identity text the row would be sent under (`mapRow`'s `identity`), or undefined when it has none. */
export function rowIdentity(ids: RowIdentifiers): string | undefined {
  const identity = resolveIdentity(ids);
  return typeof identity === 'string' ? undefined : identityText(identity);
}

/** The row's one identity, or why it has none (or several). */
function resolveIdentity(ids: RowIdentifiers): Identity | string {
  const name = ids.alias_name;
  const label = ids.alias_label;
  const hasName = hasValue(name);
  const hasLabel = hasValue(label);
  if (hasName !== hasLabel) {
    const [given, missing] = hasName ? ['ALIAS_NAME', 'ALIAS_LABEL'] : ['ALIAS_LABEL', 'ALIAS_NAME'];
    return `Half a user alias: ${given} is set but ${missing} is empty; a user alias needs both ALIAS_NAME and ALIAS_LABEL.`;
  }
  const hasExternal = hasValue(ids.external_id);
  const hasBraze = hasValue(ids.braze_id);
  const hasEmail = hasValue(ids.email);
  const hasPhone = hasValue(ids.phone);
  const kinds = Number(hasExternal) + Number(hasName) + Number(hasBraze) + Number(hasEmail || hasPhone);
  if (kinds === 0) return 'No identifier: set exactly one of EXTERNAL_ID, ALIAS_NAME+ALIAS_LABEL, BRAZE_ID, EMAIL or PHONE (empty values count as missing).';
  if (kinds > 1) {
    const types = [
      hasExternal && 'EXTERNAL_ID',
      hasName && 'ALIAS_NAME+ALIAS_LABEL',
      hasBraze && 'BRAZE_ID',
      (hasEmail || hasPhone) && (hasEmail && hasPhone ? 'EMAIL+PHONE' : hasEmail ? 'EMAIL' : 'PHONE'),
    ].filter((t): t is string => typeof t === 'string');
    return `Several identifier types on one row (${types.join(', ')}): keep exactly one per row (only EMAIL+PHONE may be combined, and then EMAIL identifies the user).`;
  }
  if (hasValue(ids.external_id)) return { type: 'external_id', value: ids.external_id };
  if (hasName && hasLabel) return { type: 'user_alias', alias: { alias_name: name, alias_label: label } };
  if (hasValue(ids.braze_id)) return { type: 'braze_id', value: ids.braze_id };
  if (hasValue(ids.email)) return hasValue(ids.phone) ? { type: 'email', value: ids.email, phone: ids.phone } : { type: 'email', value: ids.email };
  return { type: 'phone', value: ids.phone ?? '' };
}

/**
 * The top-level members of the PAYLOAD `checkPayload` accepted last. One instance serves every
 * row: mapping is synchronous, and reusing it keeps the per-row check free of allocations.
 */
const members = new JsonMembers();

interface Payload {
  /** PAYLOAD without surrounding whitespace: `{…}`. */
  text: string;
  /** UTF-8 size of `text`. */
  textBytes: number;
}

/** PAYLOAD checked (its members left in `members`), or the reason it can't be used. */
function checkPayload(row: SourceRow, dataType: DataType): Payload | string {
  const payload = row.payload;
  if (row.payloadBytes !== undefined) {
    return `PAYLOAD is ${row.payloadBytes} bytes as JSON, more than a SUPER value can be read as (VARBYTE holds at most 1,024,000 bytes; Braze accepts at most 1MB): split the data over several rows.`;
  }
  if (payload === undefined) return `The table has no PAYLOAD column, which ${dataType} syncs need: add PAYLOAD holding a JSON object per row.`;
  if (payload === null) return `PAYLOAD is NULL: ${dataType} rows need a JSON object in PAYLOAD.`;
  const bytes = Buffer.byteLength(payload);
  if (bytes > MAX_ROW_PAYLOAD_BYTES) return `Payload was greater than 1MB (${bytes} bytes): split the data over several rows.`;
  const scan = scanJson(payload, members);
  if (!scan.ok) return `PAYLOAD is not valid JSON: ${formatJsonSyntaxError(scan.error)}. Build it with JSON_SERIALIZE(OBJECT(...)) or fix the quoting.`;
  if (scan.type !== 'object') return `PAYLOAD must be a JSON object ({"key": value, ...}), but it is ${describeType(JSON.parse(payload))}.`;
  if (members.count > MAX_TOP_LEVEL_KEYS) {
    const keys = members.distinctKeys();
    if (keys > MAX_TOP_LEVEL_KEYS) return `PAYLOAD has ${keys} top-level keys; Braze accepts at most ${MAX_TOP_LEVEL_KEYS} per row: split the attributes over several rows.`;
  }
  // Around the braces there is only JSON whitespace, which is ASCII.
  const text = payload.slice(scan.start, scan.end);
  return { text, textBytes: bytes - (payload.length - text.length) };
}

/** PAYLOAD keys among `forbidden`, in text order without repeats; undefined when none. */
function repeatedIdentifiers(forbidden: readonly string[]): string[] | undefined {
  let repeated: string[] | undefined;
  for (let i = 0; i < members.count; i++) {
    for (const key of forbidden) {
      if (members.keyIs(i, key) && !repeated?.includes(key)) (repeated ??= []).push(key);
    }
  }
  return repeated;
}

const EVENT_FIELDS = ['name', 'time', 'properties'] as const;
const PURCHASE_FIELDS = ['product_id', 'currency', 'price', 'quantity', 'time', 'properties'] as const;

/** The values of the named PAYLOAD members that a check looks at (absent ones left out). */
function payloadFields(names: readonly string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const name of names) {
    const i = members.find(name);
    if (i >= 0) fields[name] = members.value(i);
  }
  return fields;
}

const TRACK_ID_KEYS = ['external_id', 'user_alias', 'braze_id'];
const TRACK_ID_KEYS_AND_EMAIL = [...TRACK_ID_KEYS, 'email'];
const ALL_ID_KEYS: readonly string[] = IDENTIFIER_KEYS;

/**
 * Payload keys that would repeat or contradict the row's identifier. `email` and `phone` are also
 * profile attributes, so attribute rows identified otherwise may set them; in events and purchases
 * they would act as identifiers.
 */
function forbiddenPayloadKeys(identity: Identity, kind: TrackArray): readonly string[] {
  if (kind !== 'attributes' || identity.type === 'phone') return ALL_ID_KEYS;
  if (identity.type === 'email') return identity.phone === undefined ? TRACK_ID_KEYS_AND_EMAIL : ALL_ID_KEYS;
  return TRACK_ID_KEYS;
}

/** The identifier's members of a track object, as JSON (without braces). */
function identifierMembers(identity: Identity, kind: TrackArray): string {
  switch (identity.type) {
    case 'external_id':
      return `"external_id":${JSON.stringify(identity.value)}`;
    case 'braze_id':
      return `"braze_id":${JSON.stringify(identity.value)}`;
    case 'phone':
      return `"phone":${JSON.stringify(identity.value)}`;
    case 'email':
      return `"email":${JSON.stringify(identity.value)}${identity.phone === undefined ? '' : `,"phone":${JSON.stringify(identity.phone)}`}`;
    case 'user_alias': {
      const alias = `"user_alias":{"alias_name":${JSON.stringify(identity.alias.alias_name)},"alias_label":${JSON.stringify(identity.alias.alias_label)}}`;
      // CDI documents that alias rows can create users; /users/track creates alias-only profiles
      // only when told to, so say so unless the payload decides itself.
      return kind === 'attributes' && members.find('_update_existing_only') < 0 ? `${alias},"_update_existing_only":false` : alias;
    }
  }
}

function identityColumns(identity: Identity): string {
  if (identity.type === 'user_alias') return 'ALIAS_NAME+ALIAS_LABEL';
  if (identity.type === 'email' && identity.phone !== undefined) return 'EMAIL (with PHONE)';
  return COLUMNS[identity.type];
}

function eventProblem(p: Record<string, unknown>): string | undefined {
  if (p.name === undefined || p.name === null) return 'custom_events rows need "name" in PAYLOAD (the event name, a non-empty string).';
  if (typeof p.name !== 'string' || p.name.trim() === '') return `PAYLOAD "name" must be a non-empty string (the event name), but it is ${describeType(p.name)}.`;
  return timeProblem(p) ?? propertiesProblem(p);
}

function purchaseProblem(p: Record<string, unknown>): string | undefined {
  const missing = ['product_id', 'currency', 'price'].filter((k) => p[k] === undefined || p[k] === null);
  if (missing.length > 0) return `purchases rows need ${missing.map((k) => `"${k}"`).join(', ')} in PAYLOAD (product_id: string, currency: ISO 4217 code such as "USD", price: number).`;
  if (typeof p.product_id !== 'string' || p.product_id === '') return `PAYLOAD "product_id" must be a non-empty string, but it is ${describeType(p.product_id)}.`;
  if (p.product_id.length > MAX_PRODUCT_ID_LENGTH) return `PAYLOAD "product_id" is ${p.product_id.length} characters long; Braze accepts at most ${MAX_PRODUCT_ID_LENGTH}.`;
  if (!isCurrencyCode(p.currency)) return `PAYLOAD "currency" must be a three-letter ISO 4217 code in upper case such as "USD" or "EUR", but it is ${describeType(p.currency)}.`;
  if (typeof p.price !== 'number' || !Number.isFinite(p.price)) return `PAYLOAD "price" must be a number (write it without quotes, e.g. 9.99), but it is ${describeType(p.price)}.`;
  const q = p.quantity;
  if (q !== undefined && q !== null && !(typeof q === 'number' && Number.isInteger(q) && q >= 1 && q <= MAX_PURCHASE_QUANTITY)) {
    return `PAYLOAD "quantity" must be a whole number from 1 to ${MAX_PURCHASE_QUANTITY}, but it is ${describeType(q)}: Braze records quantity N as N purchases, so split larger orders over several rows.`;
  }
  return timeProblem(p) ?? propertiesProblem(p);
}

function timeProblem(p: Record<string, unknown>): string | undefined {
  if (p.time === undefined || p.time === null || isBrazeTime(p.time)) return undefined;
  return `PAYLOAD "time" must be an ISO 8601 time such as "2026-11-28T10:00:00Z", but it is ${describeType(p.time)}; or leave it out to use UPDATED_AT.`;
}

function propertiesProblem(p: Record<string, unknown>): string | undefined {
  if (p.properties === undefined || p.properties === null || isPlainObject(p.properties)) return undefined;
  return `PAYLOAD "properties" must be a JSON object, but it is ${describeType(p.properties)}.`;
}

/** `UPDATED_AT` text as ISO 8601 in UTC with its microseconds; undefined when it is not a point in time. */
function isoTime(updatedAt: string): string | undefined {
  try {
    if (!Number.isFinite(parseTimestampMicros(updatedAt))) return undefined;
    const iso = toIsoMicros(updatedAt);
    return isBrazeTime(iso) ? iso : undefined;
  } catch {
    return undefined;
  }
}

function hasValue(v: string | null | undefined): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

/** Identifier values shown in logs: one line, bounded, quoted when they could be misread. */
function printable(value: string): string {
  if (PLAIN_LABEL.test(value)) return value;
  // eslint-disable-next-line no-control-regex
  let v = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  if (v.length > LABEL_MAX) v = `${v.slice(0, LABEL_MAX - 1)}…`;
  return /[\s="]/.test(v) ? JSON.stringify(v) : v;
}
