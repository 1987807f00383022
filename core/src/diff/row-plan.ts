/**
 * What one attributes row sends under `send: changed`: each top-level PAYLOAD member whose value
 * hash differs from the item's record goes, the others are skipped as unchanged. Values are
 * compared as their JSON text (the warehouse writes the same value the same way; a different
 * spelling of an equal value is sent, never skipped). With `"_merge_objects": true` a nested
 * object is compared per nested key and only its changed keys go (Braze merges them in); without
 * it a nested object is one value. Operators (`inc`, `add`, `remove`, `$add`, `$remove`,
 * `$update`) change the value relative to what Braze has: they always go and their attribute's
 * hash is forgotten. Control keys (`_merge_objects`, `_update_existing_only`) are not attributes:
 * they ride along whenever something is sent.
 */
import { hashSpan } from './hashing';
import type { ItemRecord } from './item-record';

/** Offsets of an object's top-level members in its text (sync/json-scan.ts's JsonMembers fits). */
export interface MemberSpans {
  readonly count: number;
  readonly source: string;
  keyStart(i: number): number;
  keyEnd(i: number): number;
  valueStart(i: number): number;
  valueEnd(i: number): number;
}

/** Scans an object value's text for its members; undefined when it is not an object. */
export type ObjectScanner = (text: string) => MemberSpans | undefined;

/** What recording a delivered row does to its item's record. */
export interface RowOps {
  /** Attribute hashes to set: name lanes then value lanes, four words each. */
  sets: number[];
  /** Attribute name hashes to forget (two words each): operators, or values of uncertain order. */
  forgets: number[];
  /** The row went whole: the record's full-send time becomes the commit's. */
  full: boolean;
  /** A catalog item went whole (`PUT` replaces it): the record keeps only this row's fields. */
  replace: boolean;
  /** The item is gone or unknown (a catalog delete; a racing catalog row): its record is dropped. */
  clear: boolean;
}

export interface RowPlan {
  /** PAYLOAD to send: the row's own text when it goes whole, a smaller object, or undefined when nothing changed. */
  payload: string | undefined;
  sent: number;
  skipped: number;
  /** Scratch, valid until the next `planRow`: `copyOps` it to keep it (most rows change nothing and need none). */
  ops: RowOps;
}

const CONTROL_KEYS = ['_merge_objects', '_update_existing_only'];
const OPERATOR_KEYS = ['inc', 'add', 'remove', '$add', '$remove', '$update'];
const OPEN_BRACE = 0x7b;

function keyIs(m: MemberSpans, i: number, name: string): boolean {
  const start = m.keyStart(i);
  return m.keyEnd(i) - start === name.length && m.source.startsWith(name, start);
}

function memberText(m: MemberSpans, i: number): string {
  return m.source.slice(m.keyStart(i) - 1, m.valueEnd(i));
}

function isOperator(nested: MemberSpans): boolean {
  for (let i = 0; i < nested.count; i++) for (const k of OPERATOR_KEYS) if (keyIs(nested, i, k)) return true;
  return false;
}

/** Scratch for name hashes, one for top-level members and one for nested ones (planning never nests deeper). */
class NameHashes {
  hashes = new Uint32Array(64);
  superseded = new Uint8Array(32);

  /** Hashes the members' names (two words each); marks a member whose name comes again later (JSON keeps the last). */
  fill(m: MemberSpans, seed1: number, seed2: number): this {
    if (m.count > this.superseded.length) {
      this.hashes = new Uint32Array(m.count * 4);
      this.superseded = new Uint8Array(m.count * 2);
    }
    const { hashes, superseded } = this;
    superseded.fill(0, 0, m.count);
    for (let i = 0; i < m.count; i++) {
      hashSpan(m.source, m.keyStart(i), m.keyEnd(i), seed1, seed2, hashes, i * 2);
      for (let j = 0; j < i; j++) if (hashes[j * 2] === hashes[i * 2] && hashes[j * 2 + 1] === hashes[i * 2 + 1]) superseded[j] = 1;
    }
    return this;
  }
}

const topNames = new NameHashes();
const nestedNames = new NameHashes();
const UNDERSCORE = 0x5f;

/** `_merge_objects` or `_update_existing_only` (checked cheaply: attribute names rarely start with `_`). */
function isControl(m: MemberSpans, i: number): boolean {
  return m.source.charCodeAt(m.keyStart(i)) === UNDERSCORE && CONTROL_KEYS.some((k) => keyIs(m, i, k));
}

/** Attributes among the members (control keys left out): what `send: all` sends of a row. */
export function countAttributes(m: MemberSpans): number {
  let n = 0;
  for (let i = 0; i < m.count; i++) if (!isControl(m, i)) n++;
  return n;
}

const scratch = new Uint32Array(2);
const scratchOps: RowOps = { sets: [], forgets: [], full: false, replace: false, clear: false };

export function copyOps(ops: RowOps): RowOps {
  return { sets: ops.sets.slice(), forgets: ops.forgets.slice(), full: ops.full, replace: ops.replace, clear: ops.clear };
}

/** The scratch ops, emptied. */
function freshOps(full: boolean): RowOps {
  const ops = scratchOps;
  ops.sets.length = 0;
  ops.forgets.length = 0;
  ops.full = full;
  ops.replace = false;
  ops.clear = false;
  return ops;
}

/** What a catalog delete does to its item's record: drops it (a re-created item is sent whole). */
export const CLEAR_OPS: RowOps = Object.freeze({ sets: [], forgets: [], full: false, replace: false, clear: true });

/**
 * Plans a row against `base` (the item's record; undefined: nothing known, so everything goes).
 * `whole`: send everything regardless (a first sight, a due resend, a row racing another of its item).
 */
export function planRow(m: MemberSpans, base: ItemRecord | undefined, whole: boolean, scan: ObjectScanner): RowPlan {
  const all = whole || base === undefined;
  const ops = freshOps(all);
  const { hashes, superseded } = topNames.fill(m, 0, 0);
  const merge = (() => {
    for (let i = m.count - 1; i >= 0; i--) if (keyIs(m, i, '_merge_objects')) return m.source.slice(m.valueStart(i), m.valueEnd(i)) === 'true';
    return false;
  })();
  const parts: string[] = [];
  const controls: string[] = [];
  let sent = 0;
  let skipped = 0;
  /** Whether anything (an attribute, a nested key) is left out: otherwise the row's own text goes. */
  let trimmed = false;
  for (let i = 0; i < m.count; i++) {
    if (isControl(m, i)) {
      controls.push(memberText(m, i));
      continue;
    }
    if (superseded[i]) continue;
    const a1 = hashes[i * 2] as number;
    const a2 = hashes[i * 2 + 1] as number;
    const vs = m.valueStart(i);
    const ve = m.valueEnd(i);
    const nested = m.source.charCodeAt(vs) === OPEN_BRACE ? scan(m.source.slice(vs, ve)) : undefined;
    if (nested && isOperator(nested)) {
      ops.forgets.push(a1, a2);
      parts.push(memberText(m, i));
      sent++;
      continue;
    }
    if (nested && merge) {
      const changed = planNested(nested, a1, a2, base, all, ops);
      if (changed.text === undefined) skipped++;
      else {
        parts.push(`${m.source.slice(m.keyStart(i) - 1, vs)}${changed.text}`);
        sent++;
      }
      trimmed ||= changed.trimmed;
      continue;
    }
    hashSpan(m.source, vs, ve, 0, 0, scratch, 0);
    const v1 = scratch[0] as number;
    const v2 = scratch[1] as number;
    ops.sets.push(a1, a2, v1, v2);
    if (!all && base?.holds(a1, a2, v1, v2) === true) skipped++;
    else {
      parts.push(memberText(m, i));
      sent++;
    }
  }
  if (sent === 0 && !all) return { payload: undefined, sent, skipped, ops };
  const payload = skipped === 0 && !trimmed ? m.source : `{${[...parts, ...controls].join(',')}}`;
  return { payload, sent, skipped, ops };
}

/** Per nested key, under the parent's name hash: the changed keys as an object text (undefined: none), and whether any was left out. */
function planNested(nested: MemberSpans, p1: number, p2: number, base: ItemRecord | undefined, all: boolean, ops: RowOps): { text: string | undefined; trimmed: boolean } {
  const { hashes, superseded } = nestedNames.fill(nested, p1, p2);
  const parts: string[] = [];
  let trimmed = false;
  for (let j = 0; j < nested.count; j++) {
    if (superseded[j]) continue;
    const a1 = hashes[j * 2] as number;
    const a2 = hashes[j * 2 + 1] as number;
    hashSpan(nested.source, nested.valueStart(j), nested.valueEnd(j), 0, 0, scratch, 0);
    const v1 = scratch[0] as number;
    const v2 = scratch[1] as number;
    ops.sets.push(a1, a2, v1, v2);
    if (all || !base?.holds(a1, a2, v1, v2)) parts.push(memberText(nested, j));
    else trimmed = true;
  }
  return { text: parts.length === 0 ? undefined : `{${parts.join(',')}}`, trimmed };
}

/** A catalog item row's plan: `edit` when the payload holds only the changed fields (`PATCH`), else the item goes whole (`PUT`). */
export interface ItemPlan extends RowPlan {
  edit: boolean;
}

/**
 * Plans a catalog item row (PAYLOAD's members are the item's fields; no control keys, operators
 * or merging: catalog rows have none). `PUT` replaces an item, so changed fields alone go by
 * `PATCH`, which leaves the others as they are. The item goes whole when nothing is known of it
 * (`base` undefined, `whole`), when the row lacks a field the record has (only a `PUT` drops it,
 * as `send: all` would), and when a changed field holds an object (how `PATCH` treats nested
 * keys is not documented; a `PUT` sets the value exactly).
 */
export function planItem(m: MemberSpans, base: ItemRecord | undefined, whole: boolean): ItemPlan {
  const all = whole || base === undefined;
  const ops = freshOps(all);
  ops.replace = all;
  const { hashes, superseded } = topNames.fill(m, 0, 0);
  const parts: string[] = [];
  let sent = 0;
  let skipped = 0;
  let known = 0;
  let reshaped = false;
  for (let i = 0; i < m.count; i++) {
    if (superseded[i]) continue;
    const a1 = hashes[i * 2] as number;
    const a2 = hashes[i * 2 + 1] as number;
    const vs = m.valueStart(i);
    hashSpan(m.source, vs, m.valueEnd(i), 0, 0, scratch, 0);
    const v1 = scratch[0] as number;
    const v2 = scratch[1] as number;
    ops.sets.push(a1, a2, v1, v2);
    if (base === undefined || all) {
      sent++;
      continue;
    }
    if (base.find(a1, a2) >= 0) known++;
    if (base.holds(a1, a2, v1, v2)) skipped++;
    else {
      parts.push(memberText(m, i));
      sent++;
      reshaped ||= m.source.charCodeAt(vs) === OPEN_BRACE;
    }
  }
  if (all) return { payload: m.source, sent, skipped: 0, ops, edit: false };
  if (reshaped || known < (base?.size ?? 0)) return planItem(m, base, true);
  return { payload: sent === 0 ? undefined : `{${parts.join(',')}}`, sent, skipped, ops, edit: sent > 0 };
}

/** Applies a delivered row's ops to a record. */
export function applyOps(record: ItemRecord, ops: RowOps, nowMinutes: number): void {
  if (ops.replace) record.clear();
  const s = ops.sets;
  for (let i = 0; i < s.length; i += 4) record.set(s[i] as number, s[i + 1] as number, s[i + 2] as number, s[i + 3] as number);
  const f = ops.forgets;
  for (let i = 0; i < f.length; i += 2) record.remove(f[i] as number, f[i + 1] as number);
  if (ops.full) record.fullAtMinutes = nowMinutes;
}

/** A row whose order against another of its item is unknown: what it set is forgotten instead. */
export function uncertain(ops: RowOps): RowOps {
  const forgets = [...ops.forgets];
  for (let i = 0; i < ops.sets.length; i += 4) forgets.push(ops.sets[i] as number, ops.sets[i + 1] as number);
  return { sets: [], forgets, full: false, replace: false, clear: false };
}
