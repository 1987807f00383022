/**
 * Which item a row's hashes belong to, read off the row before it is mapped, so a remote diff
 * store can load a page's records ahead (`prefetch`) for the run and for preview alike: a
 * profile's identity as delivered, or a catalog item's id. A catalog delete loads nothing (it
 * forgets its item without comparing), nor does a row with no valid identity (it fails mapping).
 */
import { catalogItemId } from './catalog-mapping';
import type { SourceRow } from './ports';
import { rowIdentity } from './row-identity';

export type DiffIdentity = (row: SourceRow) => string | undefined;

const profileIdentity: DiffIdentity = (row) => rowIdentity(row.ids);
const catalogIdentity: DiffIdentity = (row) => (row.item?.deleted === true ? undefined : catalogItemId(row));

export function diffIdentity(catalog: boolean): DiffIdentity {
  return catalog ? catalogIdentity : profileIdentity;
}

/** The identities of a page's rows that have one. */
export function diffIdentities(rows: readonly SourceRow[], identity: DiffIdentity): string[] {
  return rows.flatMap((row) => identity(row) ?? []);
}
