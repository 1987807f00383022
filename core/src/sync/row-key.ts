/**
 * A compact fingerprint of a source row (UPDATED_AT, identifiers, payload; a catalog row's ID and DELETED): what the watermark
 * records for rows it has delivered at its boundary and inside the lookback window. 96 bits keep
 * collisions negligible for billions of rows while a key stays 16 characters.
 */
import { hash } from 'node:crypto';
import type { SourceRow } from './ports';

/** Separator + presence marker: NULL, absent and '' must not collide. */
function part(value: string | null | undefined): string {
  return value === null || value === undefined ? '\u0000' : `\u0001${value}`;
}

export function rowKey(row: SourceRow, updatedAtMicros: number): string {
  const ids = row.ids;
  // One-shot MD5 of the parts in a fixed order (the same bytes the keys were always made from).
  let text = `${updatedAtMicros}${part(ids.external_id)}${part(ids.alias_name)}${part(ids.alias_label)}${part(ids.braze_id)}${part(ids.email)}${part(ids.phone)}${part(row.payload)}`;
  // Catalog rows add their own columns; user rows keep the keys they always had (state on disk holds them).
  if (row.item) text += `\u0002${part(row.item.id)}${row.item.deleted === true ? 't' : row.item.deleted === false ? 'f' : '-'}`;
  return hash('md5', text, 'base64url').slice(0, 16);
}
