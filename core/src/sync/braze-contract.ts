/**
 * Facts of the Braze REST contract (`/users/track`, `/users/delete`, CDI row rules) shared by the
 * row mapper, the HTTP client and the local Braze-compatible server, so the three cannot drift.
 * Numbers come from ../shared/reference/braze-cdi.md §6-7.
 */

/** Objects per `/users/track` request, attributes + events + purchases together. */
export const MAX_TRACK_OBJECTS = 75;
/** Identifiers per `/users/delete` request. */
export const MAX_DELETE_IDS = 50;
/** Request body limit of the REST API (larger bodies get 413). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** CDI per-row PAYLOAD limit ("Payload was greater than 1MB"). */
export const MAX_ROW_PAYLOAD_BYTES = 1024 * 1024;
/** CDI per-row limit on top-level PAYLOAD keys. */
export const MAX_TOP_LEVEL_KEYS = 250;
export const MAX_PURCHASE_QUANTITY = 100;
/** Braze keeps product ids (and most strings) to 255 characters. */
export const MAX_PRODUCT_ID_LENGTH = 255;
/** `/users/track` rate limit for data-point contracts: 3,000 requests per 3 seconds. */
export const DEFAULT_TRACK_BUDGET = { limit: 3000, windowMs: 3000 } as const;
/** `/users/delete` rate limit: 20,000 requests per minute. */
export const DEFAULT_DELETE_BUDGET = { limit: 20_000, windowMs: 60_000 } as const;

/** Items per `PUT`/`DELETE /catalogs/{catalog}/items` request. */
export const MAX_CATALOG_ITEMS = 50;
/** Catalog item ids: at most 250 characters of letters, digits, `-` and `_` (Braze's `ids-too-large`, `invalid-ids`). */
export const MAX_CATALOG_ITEM_ID_LENGTH = 250;
export const CATALOG_ITEM_ID = /^[A-Za-z0-9_-]+$/;
/** Asynchronous catalog item endpoints share 16,000 requests per minute per workspace. */
export const DEFAULT_CATALOG_BUDGET = { limit: 16_000, windowMs: 60_000 } as const;

/** Keys that say which user a `/users/track` object belongs to. */
export const IDENTIFIER_KEYS = ['external_id', 'user_alias', 'braze_id', 'email', 'phone'] as const;
export type IdentifierKey = (typeof IDENTIFIER_KEYS)[number];

export type TrackArray = 'attributes' | 'events' | 'purchases';
export const TRACK_ARRAYS: readonly TrackArray[] = ['attributes', 'events', 'purchases'];

export interface UserAlias {
  alias_name: string;
  alias_label: string;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/;
// Braze also documents `yyyy-MM-dd'T'HH:mm:ss:SSSZ` (a colon before the milliseconds).
const BRAZE_LEGACY_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}):\d{3}(?:Z|[+-](\d{2})(\d{2}))$/;

/** True for a time string Braze accepts in `time` fields: ISO 8601 or its legacy `…:ss:SSSZ` form. */
export function isBrazeTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_TIME.exec(value);
  if (m) return inRange(m[2], 1, 12) && inRange(m[3], 1, 31) && inRange(m[4], 0, 23) && inRange(m[5], 0, 59) && inRange(m[6], 0, 60) && inRange(m[7], 0, 23) && inRange(m[8], 0, 59);
  const l = BRAZE_LEGACY_TIME.exec(value);
  return !!l && inRange(l[2], 1, 12) && inRange(l[3], 1, 31) && inRange(l[4], 0, 23) && inRange(l[5], 0, 59) && inRange(l[6], 0, 60) && inRange(l[7], 0, 23) && inRange(l[8], 0, 59);
}

function inRange(digits: string | undefined, min: number, max: number): boolean {
  if (digits === undefined) return true;
  const n = Number(digits);
  return n >= min && n <= max;
}

/** ISO 4217 alphabetic code: three upper-case letters (`USD`, `EUR`). */
export function isCurrencyCode(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Z]{3}$/.test(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isUserAlias(value: unknown): value is UserAlias {
  return isPlainObject(value) && typeof value.alias_name === 'string' && value.alias_name !== '' && typeof value.alias_label === 'string' && value.alias_label !== '';
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 40) ?? ''}`.trim();
}
