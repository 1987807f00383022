/** Preview Sync: what the next run would send and which rows would fail. Nothing is sent. */
import type { SyncPreview } from '../../../core/src/sync/preview';
import { plural } from '../tree/format';
import { html, page, type Html } from './html';
import { PREVIEW_ROWS_STYLE, auditSummary, previewRowsTable } from './preview-rows';

export function renderPreviewPage(input: { sync: string; fileLabel: string; table: string; preview: SyncPreview; nonce: string }): string {
  const p = input.preview;
  const body = html`
    <h1>Preview Sync: ${input.sync}</h1>
    <div class="muted">${input.fileLabel} · table <code>${input.table}</code> · ${p.data_type} · dry run, nothing was sent</div>
    <p>The next run would read <b>${plural(p.pending_rows, 'row')}</b> changed since ${p.watermark ?? 'the beginning (no watermark yet)'} in about ${plural(p.estimated_requests, 'request')} to Braze.</p>
    ${auditSummary(p)}
    <p>${firstRowsText(p)}</p>
    ${previewRowsTable(p)}`;
  return page({ title: `Preview Sync: ${input.sync}`, nonce: input.nonce, style: PREVIEW_ROWS_STYLE, body });
}

/** What the rows below were checked for; "all valid" only when they are all the pending rows. */
export function firstRowsText(p: SyncPreview): Html {
  const all = p.scanned >= p.pending_rows;
  const which = all ? `All ${plural(p.scanned, 'pending row')}` : `The first ${plural(p.scanned, 'row')}`;
  const bad = p.row_errors.length;
  const verdict = bad ? html`<span class="fail">${plural(bad, 'row')} would fail</span> (shown first)`  : 'all valid';
  const rest = all ? '' : ` The payload fields of the other ${plural(p.pending_rows - p.scanned, 'row')} (event names, purchase fields, key counts) are not checked until they are sent.`;
  return html`${which}, checked as the run will: ${verdict}.${rest}`;
}
