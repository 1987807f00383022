/**
 * Which user a row addresses: its identifier columns resolved to exactly one Braze identifier (or
 * why not), and the texts that name it in row errors, logs and the diff store.
 */
import type { UserAlias } from './braze-contract';
import type { RowIdentifiers } from './ports';

/** The identifier a row resolved to; `phone` rides along on email rows (email wins, as Braze documents). */
export type Identity =
  | { type: 'external_id'; value: string }
  | { type: 'user_alias'; alias: UserAlias }
  | { type: 'braze_id'; value: string }
  | { type: 'email'; value: string; phone?: string }
  | { type: 'phone'; value: string };

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

/**
 * The user a row addresses, as one text: the identifier type and value(s) exactly as delivered
 * (`external_id\u0001u1`). Diffing keys profiles by it, so an attributes row and a delete of the
 * same identifier name the same profile.
 */
export function identityText(identity: Identity): string {
  if (identity.type === 'user_alias') return `user_alias\u0001${identity.alias.alias_name}\u0001${identity.alias.alias_label}`;
  return `${identity.type}\u0001${identity.value}`;
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
export function resolveIdentity(ids: RowIdentifiers): Identity | string {
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

export function identityColumns(identity: Identity): string {
  if (identity.type === 'user_alias') return 'ALIAS_NAME+ALIAS_LABEL';
  if (identity.type === 'email' && identity.phone !== undefined) return 'EMAIL (with PHONE)';
  return COLUMNS[identity.type];
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
