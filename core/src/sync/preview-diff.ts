/**
 * Preview with `send: changed`: which attributes (or catalog item fields) of each previewed row
 * the next run would send, compared with the hashes recorded so far (a shared store loads each
 * page's records first: `prefetch`). Read-only: a store that does not line up with the watermark
 * (which the run would set right, or start over) is not used, and the preview says that
 * everything would be sent.
 */
import type { DiffStore, DiffStoreFactory } from '../diff/diff-store';
import { itemKey } from '../diff/hashing';
import { ItemRecord } from '../diff/item-record';
import { planItem, planRow } from '../diff/row-plan';
import { isDiffable, type SyncDefinition, type SyncFile } from '../model/sync-file';
import type { SyncState } from '../state/sync-state';
import type { OkRow } from './batcher';
import { fingerprintOf } from './diff-setup';
import { diffIdentities, diffIdentity } from './diff-identity';
import { JsonMembers } from './json-members';
import { scanJson } from './json-scan';
import { trackObjectJson, type TrackObjectText } from './json-texts';
import type { SourceRow } from './ports';
import { lastPayloadMembers } from './row-mapping';
import { scanObject } from './send-plan';
import { errorMessage } from './sync-errors';

export interface PreviewDiff {
  /** Why every attribute would be sent, when the hashes can't be used. */
  notice?: string;
  /** For a row `mapRow` just mapped: the object that would go (undefined: nothing), and the attributes left out. */
  plan?(mapped: OkRow & { kind: 'attributes' }): { object: unknown; unchanged: string[] };
  /** For a catalog item `mapCatalogRow` just mapped: the item or fields that would go (undefined: nothing), and the fields left out. */
  planItem?(id: string, item: TrackObjectText): { object: unknown; unchanged: string[] };
  /** Before a page of rows is planned (a remote store loads their records). */
  prefetch?(rows: readonly SourceRow[]): Promise<void>;
  close(): Promise<void>;
}

const NONE: PreviewDiff = { close: async () => undefined };

export async function previewDiff(factory: DiffStoreFactory, file: SyncFile, sync: SyncDefinition, state: SyncState | undefined): Promise<PreviewDiff> {
  if (sync.send !== 'changed' || !isDiffable(sync.data_type)) return NONE;
  const all = (why: string): PreviewDiff => ({ notice: `${why}: the next run would send every attribute.`, close: async () => undefined });
  if (!(await factory.exists())) return all('No hashes recorded yet');
  let store: DiffStore;
  try {
    store = await factory.open();
  } catch (err) {
    return all(errorMessage(err));
  }
  const meta = store.meta();
  const recorded = state?.diff_seq ?? 0;
  if (meta.fingerprint !== fingerprintOf(file, sync) || meta.seq !== recorded || state?.diff_stale) {
    await store.close();
    if (meta.fingerprint === fingerprintOf(file, sync) && meta.seq === recorded + 1 && !state?.diff_stale) {
      return { notice: 'The last run stopped between recording hashes and moving the watermark; the next run undoes those hashes first, so which attributes it sends is not shown.', close: async () => undefined };
    }
    return all('The recorded hashes do not match this definition or its watermark');
  }
  const identity = diffIdentity(sync.data_type === 'catalog_items');
  return {
    plan(mapped) {
      const full = JSON.parse(trackObjectJson(mapped)) as Record<string, unknown>;
      const identifier = JSON.parse(`{${mapped.head}}`) as Record<string, unknown>;
      const plan = planRow(lastPayloadMembers(), ItemRecord.decode(store.get(itemKey(mapped.identity))), false, scanObject);
      const object = plan.payload === undefined ? undefined : (JSON.parse(trackObjectJson({ ...mapped, payload: plan.payload })) as Record<string, unknown>);
      return { object, unchanged: Object.keys(full).filter((k) => !(k in identifier) && !(object && k in object)) };
    },
    planItem(id, item) {
      const full = JSON.parse(trackObjectJson(item)) as Record<string, unknown>;
      const fields = new JsonMembers();
      scanJson(item.payload || '{}', fields);
      const plan = planItem(fields, ItemRecord.decode(store.get(itemKey(id))), false);
      const object = plan.payload === undefined ? undefined : (JSON.parse(trackObjectJson({ ...item, payload: plan.payload })) as Record<string, unknown>);
      return { object, unchanged: Object.keys(full).filter((k) => k !== 'id' && !(object && k in object)) };
    },
    prefetch: async (rows) => store.prefetch?.(diffIdentities(rows, identity).map(itemKey)),
    close: () => store.close(),
  };
}
