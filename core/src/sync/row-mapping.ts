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
import { MAX_ROW_PAYLOAD_BYTES, MAX_TOP_LEVEL_KEYS, describeType, isBrazeTime, IDENTIFIER_KEYS, type TrackArray, type UserAlias } from './braze-contract';
import { JsonMembers } from './json-members';
import { formatJsonSyntaxError, scanJson } from './json-scan';
import { trackObjectBytes, type TrackObjectText } from './json-texts';
import type { DataType, SourceRow } from './ports';
import { identityColumns, identityText, resolveIdentity, rowIdentifier, type Identity } from './row-identity';
import { eventProblem, purchaseProblem } from './track-payload-checks';
import { parseTimestampMicros, toIsoMicros } from '../model/timestamps';

export type DeleteTarget = { external_id: string } | { user_alias: UserAlias } | { braze_id: string };

export type MappedRow =
  | ({ ok: true; kind: TrackArray; identity: string } & TrackObjectText)
  | { ok: true; kind: 'delete'; target: DeleteTarget; bytes: number; identity: string }
  | { ok: false; reason: string; identifier: string };

type RowFailure = Extract<MappedRow, { ok: false }>;

/** The data types whose rows identify users (catalog rows are mapped by catalog-mapping.ts). */
export type UserDataType = Exclude<DataType, 'catalog_items'>;

const TRACK_ARRAY: Record<Exclude<UserDataType, 'user_deletes'>, TrackArray> = {
  custom_attributes: 'attributes',
  custom_events: 'events',
  purchases: 'purchases',
};

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

/** The PAYLOAD members of the row `mapRow` accepted last: valid until the next `mapRow` call. */
export function lastPayloadMembers(): JsonMembers {
  return members;
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
