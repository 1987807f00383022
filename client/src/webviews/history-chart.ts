/**
 * The History chart as inline SVG (no chart library, no script): per run, a stacked bar of rows
 * synced and failed on the left axis, and the run duration as a line on the right axis.
 */
import type { RunRecord } from '../../../core/src/state/run-record';
import { formatDuration, formatLocalTime } from '../tree/format';
import { html, type Html } from './html';

const W = 760;
const H = 240;
const M = { top: 16, right: 64, bottom: 40, left: 64 };

/** 0, 1, 2, 5, 10, 20, 50, … ≥ value: axis maxima that give round tick labels. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const pow = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((s) => s * pow >= value) ?? 10;
  return step * pow;
}

function durationMs(run: RunRecord): number | undefined {
  return run.ended_at ? Math.max(0, Date.parse(run.ended_at) - Date.parse(run.started_at)) : undefined;
}

/** `runs` newest first (as stored); the chart reads left to right, oldest to newest. */
export function historyChartSvg(runs: readonly RunRecord[], timeZone?: string): Html {
  const shown = [...runs].slice(0, 30).reverse();
  if (shown.length === 0) return html``;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const rowsMax = niceMax(Math.max(...shown.map((r) => r.rows_synced + r.rows_failed)));
  const durMax = niceMax(Math.max(...shown.map((r) => durationMs(r) ?? 0)));
  const slot = plotW / shown.length;
  const barW = Math.max(2, Math.min(36, slot * 0.6));
  const y = (rows: number) => M.top + plotH - (rows / rowsMax) * plotH;
  const yDur = (ms: number) => M.top + plotH - (ms / durMax) * plotH;
  const cx = (i: number) => M.left + slot * i + slot / 2;
  const labelEvery = Math.ceil(shown.length / 8);
  const r1 = (n: number) => Math.round(n * 10) / 10;

  const bars = shown.map((run, i) => {
    const x = r1(cx(i) - barW / 2);
    const ySynced = r1(y(run.rows_synced));
    const yTotal = r1(y(run.rows_synced + run.rows_failed));
    const tip = `${formatLocalTime(new Date(run.started_at), timeZone)} · ${run.status} · ${run.rows_synced} synced · ${run.rows_failed} failed${durationMs(run) !== undefined ? ` · ${formatDuration(durationMs(run)!)}` : ''}`;
    return html`<g class="run run-${run.status}"><title>${tip}</title>
      <rect class="bar-synced" x="${x}" y="${ySynced}" width="${r1(barW)}" height="${r1(M.top + plotH - ySynced)}"/>
      <rect class="bar-failed" x="${x}" y="${yTotal}" width="${r1(barW)}" height="${r1(ySynced - yTotal)}"/>
      ${i % labelEvery === 0 ? html`<text class="x-label" x="${r1(cx(i))}" y="${H - M.bottom + 16}" text-anchor="middle">${formatLocalTime(new Date(run.started_at), timeZone).slice(5, 16)}</text>` : ''}
    </g>`;
  });
  const timed = shown.map((run, i) => ({ i, ms: durationMs(run) })).filter((p): p is { i: number; ms: number } => p.ms !== undefined);
  const line = timed.map((p) => `${r1(cx(p.i))},${r1(yDur(p.ms))}`).join(' ');
  const ticks = [0, 0.5, 1].map((f) => html`
    <line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${r1(y(rowsMax * f))}" y2="${r1(y(rowsMax * f))}"/>
    <text class="y-label" x="${M.left - 6}" y="${r1(y(rowsMax * f)) + 4}" text-anchor="end">${Math.round(rowsMax * f).toLocaleString('en-US')}</text>
    <text class="y-label duration-label" x="${W - M.right + 6}" y="${r1(yDur(durMax * f)) + 4}">${formatDuration(durMax * f)}</text>`);
  return html`<svg class="history-chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Rows synced and failed, and duration, for the last ${shown.length} runs" xmlns="http://www.w3.org/2000/svg">
    ${ticks}
    ${bars}
    ${line ? html`<polyline class="duration" points="${line}"/>` : ''}
    ${timed.map((p) => html`<circle class="duration-dot" cx="${r1(cx(p.i))}" cy="${r1(yDur(p.ms))}" r="3"/>`)}
    <text class="axis-title" x="${M.left - 6}" y="${M.top - 4}" text-anchor="end">rows</text>
    <text class="axis-title" x="${W - M.right + 6}" y="${M.top - 4}">duration</text>
  </svg>
  <div class="legend"><span class="key key-synced"></span>rows synced <span class="key key-failed"></span>rows failed <span class="key key-duration"></span>duration</div>`;
}

export const HISTORY_CHART_STYLE = `
  .history-chart { max-width: 900px; display: block; }
  .history-chart text { fill: var(--vscode-descriptionForeground); font-size: 11px; font-family: var(--vscode-font-family); }
  .history-chart .grid { stroke: var(--vscode-editorWidget-border, #8884); stroke-width: 1; }
  .bar-synced { fill: var(--vscode-charts-green, #3fb950); }
  .bar-failed { fill: var(--vscode-charts-red, #f85149); }
  .duration { fill: none; stroke: var(--vscode-charts-blue, #58a6ff); stroke-width: 2; }
  .duration-dot { fill: var(--vscode-charts-blue, #58a6ff); }
  .legend { margin: 4px 0 0 64px; color: var(--vscode-descriptionForeground); }
  .legend .key { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; vertical-align: middle; }
  .key-synced { background: var(--vscode-charts-green, #3fb950); }
  .key-failed { background: var(--vscode-charts-red, #f85149); }
  .key-duration { background: var(--vscode-charts-blue, #58a6ff); height: 3px !important; }
`;
