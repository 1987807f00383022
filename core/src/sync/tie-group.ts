/**
 * The rows already taken at the current UPDATED_AT. A window is read ordered by UPDATED_AT alone,
 * so rows sharing a timestamp arrive in any order: this is what makes two identical rows one row,
 * and what lets a statement that ended mid-group be resumed by re-reading that one timestamp
 * (`UPDATED_AT >= t`) and skipping what was taken. Equality is decided here, byte for byte, never
 * by SQL (Redshift ignores trailing blanks and may ignore case).
 *
 * Most groups are small, so rows are compared directly, looked up by their identifier (a short
 * string, hashed natively: no digest per row; the payload when there is no identifier). A group
 * that grows past LARGE_GROUP_ROWS switches to row keys (a 96-bit digest each), so a huge tie
 * group holds keys, not rows.
 */
import type { SourceRow } from './ports';
import { rowKey } from './row-key';
import { parseTimestampMicros } from '../model/timestamps';

const LARGE_GROUP_ROWS = 4096;
/** Lookup keys for a row without identifiers whose PAYLOAD is NULL or absent; sameRow tells apart any real value equal to one. */
const NULL_PAYLOAD = '\u0000null';
const NO_PAYLOAD = '\u0000none';

function sameRow(a: SourceRow, b: SourceRow): boolean {
  if (a.payload !== b.payload || a.payloadBytes !== b.payloadBytes) return false;
  if (a.item?.id !== b.item?.id || a.item?.deleted !== b.item?.deleted) return false;
  const x = a.ids;
  const y = b.ids;
  return x.external_id === y.external_id && x.alias_name === y.alias_name && x.alias_label === y.alias_label && x.braze_id === y.braze_id && x.email === y.email && x.phone === y.phone;
}

/** Rows that can be identical land on the same key; sameRow decides. */
function lookupKey(row: SourceRow): string {
  const ids = row.ids;
  const id = ids.external_id ?? ids.braze_id ?? ids.email ?? ids.phone ?? ids.alias_name ?? row.item?.id;
  if (id !== null && id !== undefined) return id;
  return row.payload === null ? NULL_PAYLOAD : row.payload ?? NO_PAYLOAD;
}

export class TieGroup {
  private updatedAt: string | undefined;
  private rows = new Map<string, SourceRow | SourceRow[]>();
  private taken = 0;
  private keys: Set<string> | undefined;
  private micros = 0;

  /** The UPDATED_AT text of the last row taken, if any. */
  get lastUpdatedAt(): string | undefined {
    return this.updatedAt;
  }

  /** Rows taken at that UPDATED_AT. */
  get size(): number {
    return this.taken;
  }

  /** True when `row` is new (and is now taken); false for a row identical to one already taken. */
  admit(row: SourceRow): boolean {
    if (row.updatedAt !== this.updatedAt) this.start(row.updatedAt);
    if (this.keys) {
      if (!this.admitKey(rowKey(row, this.micros))) return false;
      this.taken++;
      return true;
    }
    const key = lookupKey(row);
    const seen = this.rows.get(key);
    if (seen === undefined) this.rows.set(key, row);
    else if (Array.isArray(seen)) {
      if (seen.some((r) => sameRow(r, row))) return false;
      seen.push(row);
    } else {
      if (sameRow(seen, row)) return false;
      this.rows.set(key, [seen, row]);
    }
    if (++this.taken > LARGE_GROUP_ROWS) this.toKeys();
    return true;
  }

  private start(updatedAt: string): void {
    this.updatedAt = updatedAt;
    this.rows = new Map();
    this.taken = 0;
    this.keys = undefined;
  }

  private admitKey(key: string): boolean {
    const keys = this.keys as Set<string>;
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  }

  private toKeys(): void {
    this.micros = parseTimestampMicros(this.updatedAt ?? '');
    const keys = new Set<string>();
    for (const seen of this.rows.values()) for (const r of Array.isArray(seen) ? seen : [seen]) keys.add(rowKey(r, this.micros));
    this.keys = keys;
    this.rows = new Map();
  }
}
