/** The rows table shared by Test Connection and Preview Sync: first rows with their validation result. */
import type { SyncPreview } from '../../../core/src/sync/preview';
import { html, type Html } from './html';

interface PreviewRow {
  updatedAt: string;
  identifier: string;
  payload?: string;
  error?: string;
  /** What a valid row does when it is not a plain update (a delete). */
  effect?: string;
  /** With `send: changed`: attributes left out as unchanged. */
  unchanged?: string[];
}

const EFFECTS: Partial<Record<SyncPreview['objects'][number]['kind'], string>> = { delete: 'deletes the user', catalog_delete: 'deletes the item' };

const SUMMARY_CHARS = 90;

/** Fixed columns for time, identifier and result; the payload takes the rest and wraps. */
export const PREVIEW_ROWS_STYLE = `
  table.rows { table-layout: fixed; }
  table.rows col.col-time { width: 19%; }
  table.rows col.col-id { width: 16%; }
  table.rows col.col-result { width: 20%; }
`;

/** Valid objects and invalid rows in source order (UPDATED_AT; ties keep the engine's order). */
export function previewRows(preview: SyncPreview): PreviewRow[] {
  const rows: PreviewRow[] = [
    ...preview.objects.map((o) => ({
      updatedAt: o.updated_at,
      identifier: o.identifier,
      ...(o.object !== undefined ? { payload: JSON.stringify(o.object, null, 2) } : {}),
      ...(o.unchanged_attributes?.length ? { unchanged: o.unchanged_attributes } : {}),
      ...(EFFECTS[o.kind] ? { effect: EFFECTS[o.kind] } : {}),
    })),
    ...preview.row_errors.map((e) => ({ updatedAt: e.updated_at, identifier: e.identifier, error: e.reason })),
  ];
  return rows.sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0));
}

function oneLine(json: string): string {
  const flat = JSON.stringify(JSON.parse(json));
  return flat.length > SUMMARY_CHARS ? `${flat.slice(0, SUMMARY_CHARS)}…` : flat;
}

export function previewRowsTable(preview: SyncPreview, payloadHeading: string): Html {
  const rows = previewRows(preview);
  if (rows.length === 0) return html`<p class="muted">No rows to show: nothing changed since the watermark.</p>`;
  return html`<table class="rows">
    <colgroup><col class="col-time"><col class="col-id"><col class="col-payload"><col class="col-result"></colgroup>
    <thead><tr><th>UPDATED_AT</th><th>Identifier</th><th>${payloadHeading}</th><th>Result</th></tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr class="${r.error ? 'row-invalid' : 'row-valid'}">
        <td><code>${r.updatedAt}</code></td>
        <td><code>${r.identifier}</code></td>
        <td>${r.payload ? html`<details><summary><code>${oneLine(r.payload)}</code></summary><pre class="payload">${r.payload}</pre></details>` : html`<span class="muted">—</span>`}</td>
        <td>${r.error ? html`<span class="fail">✗ ${r.error}</span>` : html`<span class="ok">✓ ${r.payload ? r.effect ?? 'valid' : 'nothing changed: not sent'}</span>${r.unchanged ? html` <span class="muted">unchanged, left out: ${r.unchanged.join(', ')}</span>` : ''}`}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}
