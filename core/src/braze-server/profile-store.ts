/**
 * The local server's user profiles, in memory, with the lookups `/users/track` and `/users/delete`
 * need: external id, user alias, braze_id, and email/phone (several profiles may share those;
 * Braze then picks the most recently updated one, preferring identified users).
 */
import { isPlainObject, type TrackArray, type UserAlias } from '../sync/braze-contract';
import type { UserRef } from './object-rules';

export interface Profile {
  braze_id: string;
  external_id?: string;
  user_aliases: UserAlias[];
  email?: string;
  phone?: string;
  attributes: Record<string, unknown>;
  events: Record<string, unknown>[];
  purchases: Record<string, unknown>[];
}

/** A profile as held: lists exist only once used, and the braze_id is a number until shown. */
interface Stored {
  id: number;
  external_id?: string;
  user_aliases?: UserAlias[];
  email?: string;
  phone?: string;
  attributes: Record<string, unknown>;
  events?: Record<string, unknown>[];
  purchases?: Record<string, unknown>[];
  /** Update order, for Braze's "most recently updated" rule on shared emails and phones. */
  seq: number;
}

/** Keys of a track object that steer processing rather than set attributes. */
const CONTROL_KEYS = new Set(['external_id', 'user_alias', 'braze_id', '_update_existing_only', '_merge_objects']);

export class ProfileStore {
  /** Profiles by numeric braze_id (deleted ones leave a hole). */
  private readonly byId: (Stored | undefined)[] = [];
  private count = 0;
  private readonly byExternalId = new Map<string, Stored>();
  private readonly byAlias = new Map<string, Stored>();
  private readonly byEmail = new Map<string, Set<Stored>>();
  private readonly byPhone = new Map<string, Set<Stored>>();
  private seq = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Applies one checked `/users/track` object to the profile `ref` names, creating it when `create`
   * allows (never for braze_id). Attributes: `null` removes, `inc`/`add`/`remove` operators,
   * `_merge_objects`; events and purchases are appended. False when no profile matched.
   */
  track(array: TrackArray, ref: UserRef, object: Record<string, unknown>, create: boolean): boolean {
    const p = this.find(ref) ?? (create && !('braze_id' in ref) ? this.create(ref) : undefined);
    if (!p) return false;
    if (array === 'attributes') {
      const merge = object._merge_objects === true;
      for (const key in object) {
        if (CONTROL_KEYS.has(key)) continue;
        const value = object[key];
        if (key === 'email' || key === 'phone') {
          if (!(key in ref)) this.setContact(p, key, typeof value === 'string' && value !== '' ? value : undefined);
        } else {
          applyAttribute(p.attributes, key, value, merge);
        }
      }
    } else {
      const entry: Record<string, unknown> = {};
      for (const key in object) if (!CONTROL_KEYS.has(key) && key !== 'email' && key !== 'phone') entry[key] = object[key];
      (p[array] ??= []).push(entry);
    }
    p.seq = ++this.seq;
    return true;
  }

  delete(ref: UserRef): boolean {
    const p = this.find(ref);
    if (!p) return false;
    this.byId[p.id] = undefined;
    this.count--;
    if (p.external_id !== undefined) this.byExternalId.delete(p.external_id);
    for (const a of p.user_aliases ?? []) this.byAlias.delete(aliasKey(a));
    this.setContact(p, 'email', undefined);
    this.setContact(p, 'phone', undefined);
    return true;
  }

  /** Snapshots (deep copies) of the profile `ref` names, or of all profiles (the first `limit`). */
  list(ref?: UserRef, limit = Number.POSITIVE_INFINITY): Profile[] {
    if (ref) {
      const found = this.find(ref);
      return found && limit > 0 ? [snapshot(found)] : [];
    }
    const out: Profile[] = [];
    for (const p of this.byId) {
      if (out.length >= limit) break;
      if (p) out.push(snapshot(p));
    }
    return out;
  }

  clear(): void {
    for (const m of [this.byExternalId, this.byAlias, this.byEmail, this.byPhone]) m.clear();
    this.byId.length = 0;
    this.count = 0;
    this.seq = 0;
  }

  private find(ref: UserRef): Stored | undefined {
    if ('external_id' in ref) return this.byExternalId.get(ref.external_id);
    if ('braze_id' in ref) return /^[0-9a-f]{24}$/.test(ref.braze_id) ? this.byId[parseInt(ref.braze_id, 16) - 1] : undefined;
    if ('user_alias' in ref) return this.byAlias.get(aliasKey(ref.user_alias));
    const set = 'email' in ref ? this.byEmail.get(normalEmail(ref.email)) : this.byPhone.get(ref.phone);
    let best: Stored | undefined;
    for (const p of set ?? []) if (!best || preferred(p, best)) best = p;
    return best;
  }

  private create(ref: UserRef): Stored {
    const p: Stored = { id: this.byId.length, attributes: {}, seq: 0 };
    this.byId.push(p);
    this.count++;
    if ('external_id' in ref) {
      p.external_id = ref.external_id;
      this.byExternalId.set(ref.external_id, p);
    } else if ('user_alias' in ref) {
      p.user_aliases = [{ alias_name: ref.user_alias.alias_name, alias_label: ref.user_alias.alias_label }];
      this.byAlias.set(aliasKey(ref.user_alias), p);
    } else if ('email' in ref) {
      this.setContact(p, 'email', ref.email);
    } else if ('phone' in ref) {
      this.setContact(p, 'phone', ref.phone);
    }
    return p;
  }

  private setContact(p: Stored, key: 'email' | 'phone', value: string | undefined): void {
    const index = key === 'email' ? this.byEmail : this.byPhone;
    const norm = (v: string) => (key === 'email' ? normalEmail(v) : v);
    const old = p[key];
    if (old !== undefined) {
      const set = index.get(norm(old));
      set?.delete(p);
      if (set?.size === 0) index.delete(norm(old));
    }
    if (value === undefined) {
      delete p[key];
      return;
    }
    p[key] = value;
    const set = index.get(norm(value)) ?? new Set<Stored>();
    set.add(p);
    index.set(norm(value), set);
  }
}

/** Braze's pick among profiles sharing an email or phone: identified first, then most recently updated. */
function preferred(a: Stored, b: Stored): boolean {
  const ai = a.external_id !== undefined;
  const bi = b.external_id !== undefined;
  return ai !== bi ? ai : a.seq > b.seq;
}

function applyAttribute(attributes: Record<string, unknown>, key: string, value: unknown, merge: boolean): void {
  if (value === null) {
    delete attributes[key];
    return;
  }
  // Plain values (most attributes) replace; only objects can be operators or merges.
  if (typeof value !== 'object') {
    setData(attributes, key, value);
    return;
  }
  const current = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  let next: unknown = value;
  if (isPlainObject(value) && Object.keys(value).length === 1 && typeof value.inc === 'number') {
    next = (typeof current === 'number' ? current : 0) + value.inc;
  } else if (isPlainObject(value) && ('add' in value || 'remove' in value) && Object.keys(value).every((k) => (k === 'add' || k === 'remove') && Array.isArray(value[k]))) {
    const list = Array.isArray(current) ? [...current] : [];
    const add = Array.isArray(value.add) ? value.add : [];
    const remove = Array.isArray(value.remove) ? value.remove : [];
    for (const item of add) if (!list.some((x) => sameValue(x, item))) list.push(item);
    next = list.filter((x) => !remove.some((r) => sameValue(x, r)));
  } else if (merge && isPlainObject(value) && isPlainObject(current)) {
    next = deepMerge(current, value);
  }
  setData(attributes, key, next);
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(source)) {
    const cur = Object.hasOwn(out, k) ? out[k] : undefined;
    setData(out, k, isPlainObject(v) && isPlainObject(cur) ? deepMerge(cur, v) : v);
  }
  return out;
}

/** `target[key] = value`, except that a `__proto__` key is stored as data, not as the prototype. */
function setData(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function snapshot(p: Stored): Profile {
  const { id, seq: _seq, user_aliases, events, purchases, ...rest } = p;
  return structuredClone({ braze_id: (id + 1).toString(16).padStart(24, '0'), ...rest, user_aliases: user_aliases ?? [], events: events ?? [], purchases: purchases ?? [] });
}

function aliasKey(a: UserAlias): string {
  return `${a.alias_label}\u0000${a.alias_name}`;
}

function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}
