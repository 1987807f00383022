/**
 * The rows grid shared by Test Connection and Preview Sync, readable in a side column: failing
 * rows first, the identifier and the result leftmost, then one column per payload key (as SQL result grids show them), NULL styled as NULL,
 * cells on one line with the full value in their tooltip, and the grid scrolling sideways when
 * wide. Each row has a "Copy" link (a command URI; the page itself runs no script).
 */
import type { PreviewObject, SyncPreview } from '../../../core/src/sync/preview';
import { PROBLEM_LABEL, failingCount } from '../../../core/src/sync/window-audit';
import { plural } from '../tree/format';
import { html, type Html } from './html';

export const COPY_ROW_COMMAND = 'brazeSync.copyPreviewRow';

interface GridRow {
  updatedAt: string;
  identifier: string;
  object?: Record<string, unknown>;
  error?: string;
  /** What a valid row does: an update, a delete, or nothing (with `send: changed`). */
  result?: string;
  /** With `send: changed`: attributes left out as unchanged. */
  unchanged?: string[];
}

const EFFECTS: Partial<Record<PreviewObject['kind'], string>> = { delete: 'deletes the user', catalog_delete: 'deletes the item' };

function resultOf(o: PreviewObject): string {
  return o.object === undefined ? 'nothing changed: not sent' : EFFECTS[o.kind] ?? 'valid';
}

/** Cell text past this is cut (the tooltip has it all). */
const CELL_CHARS = 60;
/** Rows whose copy text is larger than this get no Copy link (it travels inside the page). */
const COPY_MAX_CHARS = 32_000;
/** Members that repeat the Identifier column. */
const IDENTIFIER_MEMBERS = new Set(['external_id', 'user_alias', 'braze_id', '_update_existing_only']);

export const PREVIEW_ROWS_STYLE = `
  .grid { overflow-x: auto; max-width: 100%; }
  table.rows { width: max-content; min-width: 100%; }
  table.rows td, table.rows th { white-space: nowrap; }
  table.rows td.result { white-space: normal; min-width: 14em; max-width: 26em; }
  table.rows .null { color: var(--vscode-descriptionForeground); font-style: italic; }
  table.rows .absent { color: var(--vscode-descriptionForeground); }
  table.rows a.copy { text-decoration: none; }
  tr.row-invalid > td { background: var(--vscode-inputValidation-errorBackground, #f8514915); }
  ul.audit-samples { margin: 4px 0; }
`;

/** Failing rows first, then the rest; each group in source order (UPDATED_AT; ties keep the engine's order). */
export function previewRows(preview: SyncPreview): GridRow[] {
  const byTime = (a: GridRow, b: GridRow) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0);
  const failing = preview.row_errors.map((e) => ({ updatedAt: e.updated_at, identifier: e.identifier, error: e.reason })).sort(byTime);
  const valid = preview.objects.map((o) => ({ updatedAt: o.updated_at, identifier: o.identifier, object: objectOf(o), result: resultOf(o), ...(o.unchanged_attributes?.length ? { unchanged: o.unchanged_attributes } : {}) })).sort(byTime);
  return [...failing, ...valid];
}

function objectOf(o: PreviewObject): Record<string, unknown> {
  if (o.object === undefined) return {};
  return typeof o.object === 'object' && o.object !== null && !Array.isArray(o.object) ? (o.object as Record<string, unknown>) : { value: o.object };
}

/** The payload's keys over all rows, in the order they first appear, without the identifier's. */
export function payloadColumns(rows: GridRow[]): string[] {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.object ?? {})) if (!IDENTIFIER_MEMBERS.has(k)) keys.add(k);
  return [...keys];
}

function cell(row: GridRow, key: string): Html {
  if (!row.object || !(key in row.object)) return html`<td class="absent"></td>`;
  const v = row.object[key];
  if (v === null) return html`<td><span class="null">null</span></td>`;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  const shown = text.length > CELL_CHARS ? `${text.slice(0, CELL_CHARS - 1)}…` : text;
  return html`<td class="${typeof v === 'number' ? 'num' : ''}" title="${text}"><code>${shown}</code></td>`;
}

/** A command URI that copies the row as JSON; undefined when the row is too large to carry in the page. */
export function copyRowHref(row: GridRow): string | undefined {
  const text = JSON.stringify({ updated_at: row.updatedAt, identifier: row.identifier, ...(row.error ? { error: row.error } : { object: row.object }) }, null, 2);
  if (text.length > COPY_MAX_CHARS) return undefined;
  return `command:${COPY_ROW_COMMAND}?${encodeURIComponent(JSON.stringify([text]))}`;
}

export function previewRowsTable(preview: SyncPreview): Html {
  const rows = previewRows(preview);
  if (rows.length === 0) return html`<p class="muted">No rows to show: nothing changed since the watermark.</p>`;
  const keys = payloadColumns(rows);
  return html`<div class="grid"><table class="rows">
    <thead><tr><th></th><th>Identifier</th><th>Result</th><th>UPDATED_AT</th>${keys.map((k) => html`<th>${k}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => {
      const href = copyRowHref(r);
      return html`<tr class="${r.error ? 'row-invalid' : 'row-valid'}">
        <td>${href ? html`<a class="copy" href="${href}" title="Copy this row as JSON">Copy</a>` : ''}</td>
        <td title="${r.identifier}"><code>${r.identifier}</code></td>
        <td class="${r.error ? 'result' : ''}">${r.error ? html`<span class="fail">✗ ${r.error}</span>` : html`<span class="ok">✓ ${r.result ?? 'valid'}</span>${r.unchanged ? html` <span class="muted">unchanged, left out: ${r.unchanged.join(', ')}</span>` : ''}`}</td>
        <td><code>${r.updatedAt}</code></td>
        ${keys.map((k) => cell(r, k))}
      </tr>`;
    })}</tbody>
  </table></div>`;
}

/** What the check of every pending row found, with the first offending rows by identifier. */
export function auditSummary(preview: SyncPreview): Html {
  const audit = preview.audit;
  if (!audit) return html`<p class="warn">Not checked beyond the rows below: the query checking every pending row failed (${preview.audit_failed ?? 'no reason given'}).</p>`;
  const failing = failingCount(audit);
  if (failing === 0 && audit.samples.length === 0) return html`<p><span class="ok">✓</span> All ${plural(audit.rows, 'pending row')} checked: PAYLOAD set, a JSON object and under 1 MB; one identifier per row; UPDATED_AT set.</p>`;
  return html`<p class="audit">${failing ? html`<span class="fail">✗ ${plural(failing, 'row')} would fail</span> of ${plural(audit.rows, 'pending row')} (all checked).` : html`<span class="warn">!</span> Rows no run reads yet:`} First:</p>
    <ul class="audit-samples">${audit.samples.map((s) => html`<li><code>${s.identifier}</code> at <code>${s.updated_at ?? 'UPDATED_AT NULL'}</code>: ${PROBLEM_LABEL[s.problem]}</li>`)}</ul>`;
}
