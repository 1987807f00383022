/**
 * How the local server checks one `/users/track` object, as Braze does: a problem becomes a minor
 * error `{type, input_array, index}` in the 201 response and the other objects still apply.
 */
import {
  MAX_PRODUCT_ID_LENGTH,
  MAX_PURCHASE_QUANTITY,
  isBrazeTime,
  isCurrencyCode,
  isPlainObject,
  isUserAlias,
  type TrackArray,
  type UserAlias,
} from '../sync/braze-contract';

/** Which user an object names. */
export type UserRef = { external_id: string } | { user_alias: UserAlias } | { braze_id: string } | { email: string } | { phone: string };

export const BLACKLISTED = 'provided external_id is blacklisted and disallowed';

/**
 * The user an object refers to. `external_id`, `user_alias` and `braze_id` exclude one another;
 * without them `email` (then `phone`) identifies, so on other objects those two are attributes.
 */
export function identify(object: Record<string, unknown>): UserRef | string {
  // Written out rather than filtered: this runs for every object the server receives.
  const external = object.external_id;
  const alias = object.user_alias;
  const brazeId = object.braze_id;
  const hasExternal = external !== undefined && external !== null;
  const hasAlias = alias !== undefined && alias !== null;
  const hasBrazeId = brazeId !== undefined && brazeId !== null;
  if (Number(hasExternal) + Number(hasAlias) + Number(hasBrazeId) > 1) {
    const given = [hasExternal && "'external_id'", hasAlias && "'user_alias'", hasBrazeId && "'braze_id'"].filter(Boolean);
    return `only one of 'external_id', 'user_alias' or 'braze_id' may be given, found ${given.join(' and ')}`;
  }
  if (hasExternal) return typeof external === 'string' && external !== '' ? { external_id: external } : "'external_id' must be a non-empty string";
  if (hasBrazeId) return typeof brazeId === 'string' && brazeId !== '' ? { braze_id: brazeId } : "'braze_id' must be a non-empty string";
  if (hasAlias) return isUserAlias(alias) ? { user_alias: alias } : "'user_alias' must be an object with non-empty 'alias_name' and 'alias_label'";
  for (const k of ['email', 'phone'] as const) {
    const value = object[k];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value === '') return `'${k}' must be a non-empty string`;
    return k === 'email' ? { email: value } : { phone: value };
  }
  return "'external_id' or 'braze_id' or 'user_alias' or 'email' or 'phone' is required";
}

export type CheckedObject = { ok: true; ref: UserRef; object: Record<string, unknown> } | { ok: false; problem: string };

/** The user an object of `array` names when Braze would accept it, or its first problem. */
export function checkObject(array: TrackArray, object: unknown): CheckedObject {
  if (!isPlainObject(object)) return { ok: false, problem: `${array} entries must be JSON objects` };
  const ref = identify(object);
  if (typeof ref === 'string') return { ok: false, problem: ref };
  const problem = fieldProblem(array, object);
  return problem ? { ok: false, problem } : { ok: true, ref, object };
}

function fieldProblem(array: TrackArray, object: Record<string, unknown>): string | undefined {
  if (array === 'events') {
    if (typeof object.name !== 'string' || object.name.trim() === '') return "'name' is required and must be a non-empty string";
  } else if (array === 'purchases') {
    if (typeof object.product_id !== 'string' || object.product_id === '') return "'product_id' is required and must be a non-empty string";
    if (object.product_id.length > MAX_PRODUCT_ID_LENGTH) return `'product_id' must be at most ${MAX_PRODUCT_ID_LENGTH} characters`;
    if (!isCurrencyCode(object.currency)) return "'currency' must be a valid ISO 4217 alphabetic currency code";
    if (typeof object.price !== 'number' || !Number.isFinite(object.price)) return "'price' is required and must be a number";
    const q = object.quantity;
    if (q !== undefined && !(typeof q === 'number' && Number.isInteger(q) && q >= 1 && q <= MAX_PURCHASE_QUANTITY)) return `'quantity' must be an integer from 1 to ${MAX_PURCHASE_QUANTITY}`;
  }
  if (array !== 'attributes') {
    if (object.time === undefined) return "'time' is required";
    if (!isBrazeTime(object.time)) return "'time' must be an ISO 8601 time";
    if (object.properties !== undefined && !isPlainObject(object.properties)) return "'properties' must be an object";
  }
  return undefined;
}
