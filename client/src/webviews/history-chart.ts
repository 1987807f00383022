/**
 * The History chart as inline SVG (no chart library, no script). Per run, oldest to newest: a
 * stacked bar of rows synced and failed (left axis, rows) and the duration as a line (right axis,
 * one unit for all its ticks). Runs are labelled by number and time to the second, so runs in the
 * same minute stay apart; failed rows get a marker with their count, so 6 of 126 never vanish
 * into a sliver. With `send: changed`, the data points each run saved head its column (they are
 * attributes, not rows, so they get a row of counts rather than a third axis). A single run gets a
 * summary of where its time went instead of a lone bar.
 */
import type { RunRecord } from '../../../core/src/state/run-record';
import { formatDuration, formatUtc, plural } from '../tree/format';
import { html, type Html } from './html';

const W = 640;
const H = 260;
const M = { top: 40, right: 56, bottom: 46, left: 56 };
const MAX_RUNS = 30;
const MAX_LABELS = 8;
/** Failed rows always show at least this tall, however few they are next to the synced ones. */
const MIN_FAILED_PX = 3;

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

/** One unit for the whole duration axis, picked from its maximum. */
export function durationUnit(maxMs: number): { unit: 'ms' | 's' | 'min'; perMs: number } {
  if (maxMs < 1000) return { unit: 'ms', perMs: 1 };
  if (maxMs < 120_000) return { unit: 's', perMs: 1 / 1000 };
  return { unit: 'min', perMs: 1 / 60_000 };
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

function savedText(run: RunRecord): string {
  return `${(run.data_points_saved ?? 0).toLocaleString('en-US')} data points saved`;
}

function tickText(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1);
}

/** `#3 10:02:03`: run number among those listed (oldest = 1), and its start time to the second. */
export function runLabels(runs: readonly RunRecord[]): { number: string; time: string }[] {
  return runs.map((r, i) => ({ number: `#${i + 1}`, time: formatUtc(new Date(r.started_at)).slice(11, 19) }));
}

/** `runs` newest first (as stored); the chart reads left to right, oldest to newest. */
export function historyChartSvg(runs: readonly RunRecord[]): Html {
  const all = [...runs].reverse();
  if (all.length === 0) return html``;
  if (all.length === 1) return singleRun(all[0]!);
  const offset = Math.max(0, all.length - MAX_RUNS);
  const shown = all.slice(offset);
  const labels = runLabels(all).slice(offset);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const rowsMax = niceMax(Math.max(...shown.map((r) => r.rows_synced + r.rows_failed)));
  const { unit, perMs } = durationUnit(Math.max(...shown.map((r) => durationMs(r) ?? 0)));
  const durMax = niceMax(Math.max(...shown.map((r) => (durationMs(r) ?? 0) * perMs)));
  const slot = plotW / shown.length;
  const barW = Math.max(4, Math.min(36, slot * 0.6));
  const base = M.top + plotH;
  const y = (rows: number) => base - (rows / rowsMax) * plotH;
  const yDur = (ms: number) => base - ((ms * perMs) / durMax) * plotH;
  const cx = (i: number) => M.left + slot * i + slot / 2;
  const labelEvery = Math.ceil(shown.length / MAX_LABELS);
  const r1 = (n: number) => Math.round(n * 10) / 10;
  const saving = shown.some((r) => r.data_points_saved !== undefined);

  const bars = shown.map((run, i) => {
    const x = r1(cx(i) - barW / 2);
    const ySynced = r1(y(run.rows_synced));
    const failedPx = run.rows_failed > 0 ? Math.max(MIN_FAILED_PX, ySynced - y(run.rows_synced + run.rows_failed)) : 0;
    const yTotal = r1(ySynced - failedPx);
    const label = labels[i]!;
    const ms = durationMs(run);
    const tip = [`Run ${label.number} (${run.id})`, `started ${formatUtc(new Date(run.started_at))}${run.host ? ` on ${run.host}` : ''}`, run.status, `${run.rows_synced.toLocaleString('en-US')} synced`, `${run.rows_failed.toLocaleString('en-US')} failed`, ...(ms !== undefined ? [formatDuration(ms)] : []), ...(run.data_points_saved !== undefined ? [savedText(run)] : [])].join(' · ');
    const failed = run.rows_failed > 0 || run.status === 'error';
    const skipped = run.status === 'skipped';
    return html`<g class="run run-${run.status}"><title>${tip}</title>
      <rect class="bar-synced" x="${x}" y="${ySynced}" width="${r1(barW)}" height="${r1(base - ySynced)}"/>
      ${run.rows_failed > 0 ? html`<rect class="bar-failed" x="${x}" y="${yTotal}" width="${r1(barW)}" height="${r1(failedPx)}"/>` : ''}
      ${skipped ? html`<text class="skip-mark" x="${r1(cx(i))}" y="${r1(base - 4)}" text-anchor="middle">skip</text>` : ''}
      ${failed ? html`<text class="fail-mark" x="${r1(cx(i))}" y="${r1(yTotal - 4)}" text-anchor="middle">${run.rows_failed > 0 ? `▲${run.rows_failed.toLocaleString('en-US')}` : '✕'}</text>` : ''}
      ${saving && run.data_points_saved !== undefined ? html`<text class="saved-mark" x="${r1(cx(i))}" y="${M.top - 10}" text-anchor="middle">${compact.format(run.data_points_saved)}</text>` : ''}
      ${i % labelEvery === 0 || i === shown.length - 1 ? html`<text class="x-label" x="${r1(cx(i))}" y="${base + 16}" text-anchor="middle">${label.number}</text><text class="x-label x-time" x="${r1(cx(i))}" y="${base + 30}" text-anchor="middle">${label.time}</text>` : ''}
    </g>`;
  });
  const timed = shown.map((run, i) => ({ i, ms: durationMs(run) })).filter((p): p is { i: number; ms: number } => p.ms !== undefined);
  const line = timed.map((p) => `${r1(cx(p.i))},${r1(yDur(p.ms))}`).join(' ');
  const ticks = [0, 0.5, 1].map((f) => html`
    <line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${r1(y(rowsMax * f))}" y2="${r1(y(rowsMax * f))}"/>
    <text class="y-label" x="${M.left - 6}" y="${r1(y(rowsMax * f)) + 4}" text-anchor="end">${tickText(rowsMax * f)}</text>
    <text class="y-label duration-label" x="${W - M.right + 6}" y="${r1(base - f * plotH) + 4}">${tickText(durMax * f)}</text>`);
  return html`<div class="chart-scroll"><svg class="history-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Rows synced and failed, and duration in ${unit}, for the last ${shown.length} runs" xmlns="http://www.w3.org/2000/svg">
    <text class="axis-title" x="${M.left}" y="14" text-anchor="middle">rows</text>
    <text class="axis-title" x="${W - M.right}" y="14" text-anchor="middle">duration (${unit})</text>
    ${saving ? html`<text class="saved-title" x="${M.left - 6}" y="${M.top - 10}" text-anchor="end">saved</text>` : ''}
    ${ticks}
    ${bars}
    ${line ? html`<polyline class="duration" points="${line}"/>` : ''}
    ${timed.map((p) => html`<circle class="duration-dot" cx="${r1(cx(p.i))}" cy="${r1(yDur(p.ms))}" r="3"/>`)}
  </svg></div>
  <div class="legend"><span class="key key-synced"></span>rows synced <span class="key key-failed"></span>rows failed (▲ count) <span class="key key-duration"></span>duration (${unit})${saving ? html` <span class="key key-saved"></span>data points saved by send: changed (top row)` : ''}</div>`;
}

/** One run: rows per second, and how its time split between waiting on the warehouse and the rest. */
function singleRun(run: RunRecord): Html {
  const ms = durationMs(run);
  const rows = run.rows_synced + run.rows_failed;
  const perSecond = ms ? Math.round(rows / Math.max(ms / 1000, 0.001)) : undefined;
  const wait = run.read?.wait_ms;
  const phases = ms !== undefined && wait !== undefined ? Math.min(100, (wait / Math.max(ms, 1)) * 100) : undefined;
  return html`<div class="single-run">
    <div class="stats">
      <div><b>${plural(run.rows_synced, 'row')}</b> synced${run.rows_failed ? html`, <span class="fail">${run.rows_failed.toLocaleString('en-US')} failed</span>` : ''}</div>
      <div><b>${ms !== undefined ? formatDuration(ms) : 'still running'}</b>${perSecond !== undefined ? html` · <b>${perSecond.toLocaleString('en-US')}</b> rows/s` : ''}</div>
      ${run.data_points_saved !== undefined ? html`<div><b>${(run.data_points_saved).toLocaleString('en-US')}</b> data points saved <span class="muted">(${(run.attributes_sent ?? 0).toLocaleString('en-US')} attributes sent)</span></div>` : ''}
      <div class="muted">Started ${formatUtc(new Date(run.started_at))} · ${run.status}</div>
    </div>
    ${phases !== undefined && run.read ? html`<div class="phases" title="Where the run's time went">
      <svg class="phase-bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label="warehouse wait against the rest of the run" xmlns="http://www.w3.org/2000/svg">
        <rect class="phase-wait" x="0" y="0" width="${Math.round(phases * 10) / 10}" height="6"/><rect class="phase-rest" x="${Math.round(phases * 10) / 10}" y="0" width="${Math.round((100 - phases) * 10) / 10}" height="6"/>
      </svg>
      <div class="muted"><span class="key-wait">■</span> Waited ${formatDuration(run.read.wait_ms)} on the warehouse (first rows after ${formatDuration(run.read.first_row_ms)}); <span class="key-rest">■</span> ${formatDuration(Math.max(0, (ms ?? 0) - run.read.wait_ms))} mapping and sending to Braze.</div>
    </div>` : ''}
    <div class="muted">The chart appears from the second run.</div>
  </div>`;
}

export const HISTORY_CHART_STYLE = `
  .chart-scroll { overflow-x: auto; }
  .history-chart { display: block; width: 100%; min-width: 420px; max-width: 900px; }
  .history-chart text { fill: var(--vscode-descriptionForeground); font-size: 12px; font-family: var(--vscode-font-family); }
  .history-chart .axis-title { font-weight: 600; }
  .history-chart .grid { stroke: var(--vscode-editorWidget-border, #8884); stroke-width: 1; }
  .history-chart .skip-mark { font-style: italic; }
  .history-chart .saved-mark, .history-chart .saved-title { fill: var(--vscode-charts-purple, #a371f7); }
  .history-chart .fail-mark { fill: var(--vscode-charts-red, #f85149); font-weight: 600; }
  .bar-synced { fill: var(--vscode-charts-green, #3fb950); }
  .bar-failed { fill: var(--vscode-charts-red, #f85149); }
  .duration { fill: none; stroke: var(--vscode-charts-blue, #58a6ff); stroke-width: 2; }
  .duration-dot { fill: var(--vscode-charts-blue, #58a6ff); }
  .legend { margin: 4px 0 0 8px; color: var(--vscode-descriptionForeground); }
  .legend .key { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; vertical-align: middle; }
  .key-synced { background: var(--vscode-charts-green, #3fb950); }
  .key-failed { background: var(--vscode-charts-red, #f85149); }
  .key-saved { background: var(--vscode-charts-purple, #a371f7); }
  .key-duration { background: var(--vscode-charts-blue, #58a6ff); height: 3px !important; }
  .single-run .stats { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 8px 0; }
  .single-run .phases { margin: 6px 0; max-width: 480px; }
  .phase-bar { display: block; width: 100%; height: 10px; }
  .phase-wait { fill: var(--vscode-charts-orange, #d18616); }
  .phase-rest { fill: var(--vscode-charts-blue, #58a6ff); }
  .key-wait { color: var(--vscode-charts-orange, #d18616); }
  .key-rest { color: var(--vscode-charts-blue, #58a6ff); }
`;
