/** The History webview: the chart over the table of runs; each run's row errors one click away. */
import type { RowErrorRecord, RunRecord } from '../../../core/src/state/run-record';
import { formatDuration, formatUtc, formatWatermark, plural } from '../tree/format';
import { HISTORY_CHART_STYLE, historyChartSvg } from './history-chart';
import { html, page, type Html } from './html';

export interface HistoryPageInput {
  sync: string;
  fileLabel: string;
  /** Newest first. */
  runs: RunRecord[];
  rowErrors: ReadonlyMap<string, RowErrorRecord[]>;
  /** The run to open and highlight (from "Show run"). */
  focusRunId?: string;
  /** Why the runs could not be read (the shared state database is away); shown instead of them. */
  error?: string;
  nonce: string;
}

const STYLE = `
  ${HISTORY_CHART_STYLE}
  tbody.focus > tr.run-row > td { background: var(--vscode-list-inactiveSelectionBackground); }
  td.status-success { color: var(--vscode-testing-iconPassed, #3fb950); }
  td.status-partial { color: var(--vscode-editorWarning-foreground, #d29922); }
  td.status-error { color: var(--vscode-testing-iconFailed, #f85149); }
  td.status-skipped { color: var(--vscode-descriptionForeground); font-style: italic; }
  tr.errors-row > td { border-bottom: none; padding-top: 0; }
  table.row-errors { margin: 4px 0 8px; }
  td.nowrap { white-space: nowrap; }
  p.error { color: var(--vscode-errorForeground, #f85149); }
`;

export function renderHistoryPage(input: HistoryPageInput): string {
  const { runs } = input;
  // On shared state every run names its host: a column, so runs of every host read apart.
  const hosts = runs.some((r) => r.host);
  const totals = runs.reduce((t, r) => ({ synced: t.synced + r.rows_synced, failed: t.failed + r.rows_failed }), { synced: 0, failed: 0 });
  const body = html`
    <h1>History: ${input.sync}</h1>
    <div class="muted">${input.fileLabel} · ${plural(runs.length, 'run')} · ${totals.synced.toLocaleString('en-US')} rows synced · ${totals.failed.toLocaleString('en-US')} failed</div>
    ${input.error ? html`<p class="error">The run history cannot be read: ${input.error}</p>` : runs.length === 0 ? html`<p>This sync has not run yet. Run it with <b>Sync Now</b>.</p>` : html`
    <h2>Runs</h2>
    ${historyChartSvg(runs)}
    <table class="runs">
      <thead><tr><th>Started</th>${hosts ? html`<th>Host</th>` : ''}<th>Status</th><th class="num">Duration</th><th class="num">Read</th><th class="num">Synced</th><th class="num">Failed</th><th>Watermark after</th><th>Error</th></tr></thead>
      ${runs.map((r) => runRows(r, input, hosts))}
    </table>`}`;
  return page({ title: `History: ${input.sync}`, nonce: input.nonce, style: STYLE, body });
}

function runRows(run: RunRecord, input: HistoryPageInput, hosts: boolean): Html {
  const errors = input.rowErrors.get(run.id) ?? [];
  const focus = run.id === input.focusRunId;
  const duration = run.ended_at ? formatDuration(Date.parse(run.ended_at) - Date.parse(run.started_at)) : '';
  return html`<tbody id="run-${run.id}" class="${focus ? 'focus' : ''}">
    <tr class="run-row">
      <td class="nowrap">${formatUtc(new Date(run.started_at))}</td>
      ${hosts ? html`<td class="nowrap">${run.host ?? ''}</td>` : ''}
      <td class="status-${run.status}">${run.status}${run.interrupted ? ' (interrupted)' : ''}</td>
      <td class="num">${duration}</td>
      <td class="num">${run.rows_read.toLocaleString('en-US')}</td>
      <td class="num">${run.rows_synced.toLocaleString('en-US')}</td>
      <td class="num">${run.rows_failed.toLocaleString('en-US')}</td>
      <td class="nowrap"><code>${run.watermark_after ? formatWatermark(run.watermark_after) : '—'}</code></td>
      <td>${run.error ?? ''}${run.warnings.map((w) => html`<div class="warn">${w}</div>`)}</td>
    </tr>
    ${run.rows_failed > 0 ? html`<tr class="errors-row"><td colspan="${hosts ? 9 : 8}">
      <details${focus ? html` open` : ''}><summary>${plural(run.rows_failed, 'row error')}</summary>
      ${errors.length === 0 ? html`<div class="muted">Row errors are no longer kept for this run.</div>` : html`
        <table class="row-errors">
          <thead><tr><th>Identifier</th><th>UPDATED_AT</th><th>Reason</th><th>Payload</th></tr></thead>
          <tbody>${errors.map((e) => html`<tr><td><code>${e.identifier}</code></td><td><code>${e.updated_at}</code></td><td>${e.reason}</td><td><pre>${e.payload ?? ''}</pre></td></tr>`)}</tbody>
        </table>
        ${errors.length < run.rows_failed ? html`<div class="muted">Showing ${errors.length} of ${run.rows_failed}.</div>` : ''}`}
      </details>
    </td></tr>` : ''}
  </tbody>`;
}
