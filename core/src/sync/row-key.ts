/**
 * A compact fingerprint of a source row (UPDATED_AT, identifiers, payload): what the watermark
 * records for rows it has delivered at its boundary and inside the lookback window. 96 bits keep
 * collisions negligible for billions of rows while a key stays 16 characters.
 */
import { createHash } from 'node:crypto';
import type { SourceRow } from './ports';

export function rowKey(row: SourceRow, updatedAtMicros: number): string {
  const h = createHash('md5');
  h.update(String(updatedAtMicros));
  const ids = row.ids;
  for (const v of [ids.external_id, ids.alias_name, ids.alias_label, ids.braze_id, ids.email, ids.phone]) {
    // Separator + presence marker: NULL, absent and '' must not collide.
    h.update(v === null || v === undefined ? '\u0000' : `\u0001${v}`);
  }
  h.update(row.payload === null || row.payload === undefined ? '\u0000' : `\u0001${row.payload}`);
  return h.digest('base64url').slice(0, 16);
}
