/**
 * A dry run: what the next run would send (count, first objects, row errors), computed with the
 * same window and boundary rules as `runSync`. Nothing is sent and no state is written.
 */
import type { DiffStoreFactory } from '../diff/diff-store';
import type { DataType, SyncDefinition, SyncFile } from '../model/sync-file';
import type { SyncState } from '../state/sync-state';
import { DEFAULT_BATCH_SIZE, type OkRow } from './batcher';
import { catalogRowIdentifier, mapCatalogRow } from './catalog-mapping';
import { systemClock, type Clock, type SourceRow } from './ports';
import { rowKey } from './row-key';
import { trackObjectJson } from './json-texts';
import { rowIdentifier } from './row-identity';
import { mapRow } from './row-mapping';
import { readWindowFor } from './read-window';
import type { SourceReader } from './source-reader';
import { previewDiff, type PreviewDiff } from './preview-diff';
import { parseTimestampMicros, toIsoMicros } from '../model/timestamps';
import type { WindowAudit } from './window-audit';

export interface PreviewObject {
  updated_at: string;
  identifier: string;
  /** `catalog_item`: an item to replace; `catalog_delete`: an item id to delete. */
  kind: 'attributes' | 'events' | 'purchases' | 'delete' | 'catalog_item' | 'catalog_delete';
  /**
   * What would be sent; with `send: changed` only the changed attributes (for a catalog item: its
   * id and changed fields, sent with `PATCH`; the whole item when it goes whole), and absent when
   * nothing changed.
   */
  object?: unknown;
  /** With `send: changed`: attributes (catalog item fields) left out because Braze already has their value. */
  unchanged_attributes?: string[];
}

export interface PreviewRowError {
  updated_at: string;
  identifier: string;
  reason: string;
}

export interface SyncPreview {
  data_type: DataType;
  watermark: string | null;
  window: { from: string | null; until: string };
  /** Rows the next run would read (those already delivered at the boundary are not counted). */
  pending_rows: number;
  rows_in_future: number;
  /** Requests the pending rows need at the configured batch size. */
  estimated_requests: number;
  scanned: number;
  objects: PreviewObject[];
  row_errors: PreviewRowError[];
  /** With `send: changed`: why the next run would send every attribute, when it would. */
  diff_notice?: string;
  /** The SQL row checks over every pending row; absent when they could not run (`audit_failed` says why). */
  audit?: WindowAudit;
  audit_failed?: string;
}

export interface PreviewOptions {
  definition: SyncDefinition;
  state: SyncState | undefined;
  reader: SourceReader;
  limit?: number;
  clock?: Clock;
  /** With `send: changed`: the sync's diff store, to show which attributes would be sent. */
  diff?: { store: DiffStoreFactory | undefined; file: SyncFile };
  /** Check every pending row in SQL as well (default true); false when only the count is wanted. */
  audit?: boolean;
}

export async function previewSync(options: PreviewOptions): Promise<SyncPreview> {
  const { definition, reader } = options;
  const limit = options.limit ?? 10;
  const { record, window } = readWindowFor(definition, options.state, (options.clock ?? systemClock).now());
  const counting = reader.counts(window);
  counting.catch(() => undefined);
  const auditing =
    options.audit === false
      ? Promise.resolve({})
      : reader.audit(window, definition.data_type).then(
          (audit) => ({ audit }),
          (err: unknown) => ({ audit_failed: err instanceof Error ? err.message : String(err) }),
        );
  const objects: PreviewObject[] = [];
  const rowErrors: PreviewRowError[] = [];
  let scanned = 0;
  let skipped = 0;
  const recorded = record.size;
  const diff = options.diff?.store ? await previewDiff(options.diff.store, options.diff.file, definition, options.state) : undefined;
  try {
    // Enough rows to show `limit` after skipping every recorded one (the statement ends there).
    outer: for await (const page of reader.pages(window, { limit: limit + recorded + 1 })) {
      await diff?.prefetch?.(page);
      for (const row of page) {
        const micros = parseTimestampMicros(row.updatedAt);
        if (record.has(micros, rowKey(row, micros))) {
          skipped++;
          continue;
        }
        if (scanned >= limit) break outer;
        scanned++;
        const shown = previewRow(row, definition.data_type, diff);
        if ('reason' in shown) rowErrors.push(shown);
        else objects.push(shown);
      }
    }
  } finally {
    await diff?.close();
  }
  const { inWindow: total, after: future } = await counting;
  const pending = Math.max(total - Math.max(recorded, skipped), 0);
  const perRequest = definition.data_type === 'user_deletes' || definition.data_type === 'catalog_items' ? Math.min(definition.batch_size ?? DEFAULT_BATCH_SIZE, 50) : definition.batch_size ?? DEFAULT_BATCH_SIZE;
  return {
    data_type: definition.data_type,
    watermark: record.watermarkText === null ? null : toIsoMicros(record.watermarkText),
    window: { from: window.from === undefined ? null : toIsoMicros(window.from), until: toIsoMicros(window.until) },
    pending_rows: pending,
    rows_in_future: future,
    estimated_requests: Math.ceil(pending / perRequest),
    scanned,
    objects,
    row_errors: rowErrors,
    ...(diff?.notice ? { diff_notice: diff.notice } : {}),
    ...(await auditing),
  };
}

/** What one row becomes, as the run would send it, or its row error. */
function previewRow(row: SourceRow, dataType: DataType, diff: PreviewDiff | undefined): PreviewObject | PreviewRowError {
  const updated_at = toIsoMicros(row.updatedAt);
  if (dataType === 'catalog_items') {
    const mapped = mapCatalogRow(row);
    if (!mapped.ok) return { updated_at, identifier: mapped.identifier, reason: mapped.reason };
    const identifier = catalogRowIdentifier(row);
    if (mapped.op === 'delete') return { updated_at, identifier, kind: 'catalog_delete', object: { id: mapped.id } };
    if (diff?.planItem) {
      const { object, unchanged } = diff.planItem(mapped.id, mapped.item);
      return { updated_at, identifier, kind: 'catalog_item', ...(object !== undefined ? { object } : {}), unchanged_attributes: unchanged };
    }
    return { updated_at, identifier, kind: 'catalog_item', object: JSON.parse(trackObjectJson(mapped.item)) as unknown };
  }
  const mapped = mapRow(row, dataType);
  if (!mapped.ok) return { updated_at, identifier: mapped.identifier, reason: mapped.reason };
  return previewObject(updated_at, rowIdentifier(row.ids), mapped, diff);
}

function previewObject(updated_at: string, identifier: string, mapped: OkRow, diff: PreviewDiff | undefined): PreviewObject {
  if (mapped.kind === 'delete') return { updated_at, identifier, kind: mapped.kind, object: mapped.target };
  if (mapped.kind === 'attributes' && diff?.plan) {
    const { object, unchanged } = diff.plan({ ...mapped, kind: 'attributes' });
    return { updated_at, identifier, kind: mapped.kind, ...(object !== undefined ? { object } : {}), unchanged_attributes: unchanged };
  }
  return { updated_at, identifier, kind: mapped.kind, object: JSON.parse(trackObjectJson(mapped)) as unknown };
}
