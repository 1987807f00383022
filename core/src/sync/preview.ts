/**
 * A dry run: what the next run would send (count, first objects, row errors), computed with the
 * same window and boundary rules as `runSync`. Nothing is sent and no state is written.
 */
import type { DataType, SyncDefinition } from '../model/sync-file';
import type { SyncState } from '../state/sync-state';
import { DEFAULT_BATCH_SIZE } from './batcher';
import { systemClock, type Clock } from './ports';
import { rowKey } from './row-key';
import { trackObjectJson } from './json-texts';
import { mapRow, rowIdentifier } from './row-mapping';
import { readWindowFor } from './read-window';
import type { SourceReader } from './source-reader';
import { parseTimestampMicros, toIsoMicros } from '../model/timestamps';
import type { WindowAudit } from './window-audit';

export interface PreviewObject {
  updated_at: string;
  identifier: string;
  kind: 'attributes' | 'events' | 'purchases' | 'delete';
  object: unknown;
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
  // Enough rows to show `limit` after skipping every recorded one (the statement ends there).
  outer: for await (const page of reader.pages(window, { limit: limit + recorded + 1 })) {
    for (const row of page) {
      const micros = parseTimestampMicros(row.updatedAt);
      if (record.has(micros, rowKey(row, micros))) {
        skipped++;
        continue;
      }
      if (scanned >= limit) break outer;
      scanned++;
      const mapped = mapRow(row, definition.data_type);
      const updated_at = toIsoMicros(row.updatedAt);
      if (!mapped.ok) rowErrors.push({ updated_at, identifier: mapped.identifier, reason: mapped.reason });
      else objects.push({ updated_at, identifier: rowIdentifier(row.ids), kind: mapped.kind, object: mapped.kind === 'delete' ? mapped.target : (JSON.parse(trackObjectJson(mapped)) as unknown) });
    }
  }
  const { inWindow: total, after: future } = await counting;
  const pending = Math.max(total - Math.max(recorded, skipped), 0);
  const perRequest = definition.data_type === 'user_deletes' ? Math.min(definition.batch_size ?? DEFAULT_BATCH_SIZE, 50) : definition.batch_size ?? DEFAULT_BATCH_SIZE;
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
    ...(await auditing),
  };
}
