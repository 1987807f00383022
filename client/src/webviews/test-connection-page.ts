/**
 * The Test Connection preview: a checklist (connected, TLS, table, columns, SELECT privilege,
 * payloads), the fix for whatever failed, the rows pending since the watermark and the first rows.
 */
import type { SslMode } from '../../../core/src/model/sync-file';
import type { ConnectionCheck, ConnectionTestResult } from '../../../core/src/app/test-connection';
import { plural } from '../tree/format';
import { html, page, type Html } from './html';
import { firstRowsText } from './preview-page';
import { PREVIEW_ROWS_STYLE, auditSummary, previewRowsTable } from './preview-rows';

export interface TestConnectionPageInput {
  sync: string;
  fileLabel: string;
  table: string;
  dataType: string;
  ssl: SslMode;
  result: ConnectionTestResult;
  nonce: string;
}

type ItemStatus = ConnectionCheck['status'];

interface ChecklistItem {
  label: string;
  status: ItemStatus;
  message: string;
  fix?: string;
}

const ICON: Record<ItemStatus, Html> = {
  ok: html`<span class="ok" aria-label="passed">✓</span>`,
  warning: html`<span class="warn" aria-label="warning">!</span>`,
  failed: html`<span class="fail" aria-label="failed">✗</span>`,
  skipped: html`<span class="muted" aria-label="not checked">○</span>`,
};

const LABELS: Record<ConnectionCheck['name'], string> = {
  connect: 'Connected',
  table: 'Table found',
  columns: 'Required columns',
  privileges: 'SELECT privilege',
  preview: 'Rows (all pending)',
  contents: 'Payload fields',
};

/** The engine's checks as the user-facing checklist, with TLS split out and unreached checks shown. */
export function checklist(result: ConnectionTestResult, ssl: SslMode): ChecklistItem[] {
  const byName = new Map(result.checks.map((c) => [c.name, c]));
  const items: ChecklistItem[] = [];
  for (const name of ['connect', 'table', 'columns', 'privileges', 'preview', 'contents'] as const) {
    const c = byName.get(name);
    items.push(c ? { label: LABELS[name], status: c.status, message: c.message, ...(c.fix ? { fix: c.fix } : {}) } : { label: LABELS[name], status: 'skipped', message: 'Not checked: an earlier step failed.' });
    if (name === 'connect') items.push(tlsItem(c, ssl));
  }
  return items;
}

function tlsItem(connect: ConnectionCheck | undefined, ssl: SslMode): ChecklistItem {
  if (connect?.kind === 'tls') return { label: 'TLS', status: 'failed', message: connect.message, ...(connect.fix ? { fix: connect.fix } : {}) };
  if (!connect || connect.status === 'failed') return { label: 'TLS', status: 'skipped', message: `ssl: ${ssl}; not checked: the connection failed.` };
  if (ssl === 'disable') return { label: 'TLS', status: 'warning', message: 'ssl: disable: the connection is not encrypted (only acceptable for a local or tunnelled database).' };
  return { label: 'TLS', status: 'ok', message: ssl === 'verify-full' ? 'Encrypted; the server certificate and host name were verified.' : 'Encrypted (ssl: require).' };
}

const STYLE = `
  ${PREVIEW_ROWS_STYLE}
  ul.checklist { list-style: none; padding: 0; margin: 8px 0; }
  ul.checklist li { margin: 4px 0; }
  ul.checklist .label { display: inline-block; min-width: 10em; font-weight: 600; }
  .verdict { font-size: 1.05em; margin: 8px 0; }
`;

export function renderTestConnectionPage(input: TestConnectionPageInput): string {
  const { result } = input;
  const items = checklist(result, input.ssl);
  const preview = result.preview;
  const body = html`
    <h1>Test Connection: ${input.sync}</h1>
    <div class="muted">${input.fileLabel} · table <code>${input.table}</code> · ${input.dataType}</div>
    <p class="verdict">${result.ok ? html`<span class="ok">✓</span> The connection works${result.recorded ? ' and the test was recorded' : ' (not recorded: a sync of this table is running)'}.` : html`<span class="fail">✗</span> The connection test failed. The fix is below.`}</p>
    <ul class="checklist">${items.map(
      (i) => html`<li class="check check-${i.status}">${ICON[i.status]} <span class="label">${i.label}</span> ${i.message}${i.fix ? html`<pre class="fix">${i.fix}</pre>` : ''}</li>`,
    )}</ul>
    ${preview ? html`
      <h2>Rows</h2>
      <p><b>${plural(preview.pending_rows, 'row')}</b> pending since the watermark (${preview.watermark ?? 'none: the first run reads every row'})${preview.rows_in_future ? html`; ${plural(preview.rows_in_future, 'row')} stamped in the future wait for their time` : ''}.</p>
      ${auditSummary(preview)}
      <p>${firstRowsText(preview)}</p>
      ${previewRowsTable(preview)}` : ''}`;
  return page({ title: `Test Connection: ${input.sync}`, nonce: input.nonce, style: STYLE, body });
}
