/** Preview Sync (dry run): what the next run would send and which rows would fail. Nothing is sent. */
import type { SyncPreview } from '../../../core/src/sync/preview';
import { plural } from '../tree/format';
import { html, page } from './html';
import { PREVIEW_ROWS_STYLE, previewRowsTable } from './preview-rows';

export function renderPreviewPage(input: { sync: string; fileLabel: string; table: string; preview: SyncPreview; nonce: string }): string {
  const p = input.preview;
  const body = html`
    <h1>Preview Sync: ${input.sync}</h1>
    <div class="muted">${input.fileLabel} · table <code>${input.table}</code> · ${p.data_type} · dry run, nothing was sent</div>
    <p>The next run would read <b>${plural(p.pending_rows, 'row')}</b> changed since ${p.watermark ?? 'the beginning (no watermark yet)'} in about ${plural(p.estimated_requests, 'request')} to Braze.
    ${p.row_errors.length ? html`Of the first ${plural(p.scanned, 'row')}, <span class="fail">${plural(p.row_errors.length, 'row')} would fail</span>.` : html`The first ${plural(p.scanned, 'row')} are all valid.`}</p>
    ${previewRowsTable(p, 'Object sent to Braze')}`;
  return page({ title: `Preview Sync: ${input.sync}`, nonce: input.nonce, style: PREVIEW_ROWS_STYLE, body });
}
