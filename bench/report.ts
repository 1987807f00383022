/**
 * Tables and verdicts of `npm run bench:sync`, printed as Markdown so a run can be pasted into
 * docs/benchmarks.md as it is.
 */
import type { Case } from './bench-options';
import type { CopyMeasure } from './copy-baseline';
import type { SyncMeasure } from './sync-process';

export interface Repetition {
  copy: CopyMeasure;
  sync: SyncMeasure;
}

export interface CaseResult {
  case: Case;
  rows: number;
  reps: Repetition[];
}

/** Targets (issue 10): engine ≥ 1/3 of `\copy`; time linear within 10%; memory flat within 20%. */
const MIN_RATIO = 1 / 3;
const MAX_TIME_GROWTH = 1.1; // × the growth in rows: 1M ≤ 11 × 100k
const MAX_RSS_GROWTH = 1.2;

/** baseline seconds / engine seconds = engine rows/s ÷ `\copy` rows/s (same rows). */
const ratioOf = (r: Repetition) => r.copy.seconds / r.sync.seconds;
/** The repetition whose engine and `\copy` ran under the same load and came out best for the engine. */
const bestPair = (c: CaseResult) => c.reps.reduce((a, b) => (ratioOf(b) > ratioOf(a) ? b : a));
const fastestSync = (c: CaseResult) => c.reps.reduce((a, b) => (b.sync.seconds < a.sync.seconds ? b : a)).sync;
const peakRss = (c: CaseResult) => Math.max(...c.reps.map((r) => r.sync.peakRssMb));
/** Every finished run synced every row (a timed-out run is judged by its time, not its count). */
const allRows = (c: CaseResult) => c.reps.every((r) => r.sync.timedOut || r.sync.rows === c.rows);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (s: SyncMeasure | CopyMeasure) => `${'timedOut' in s && s.timedOut ? '> ' : ''}${s.seconds.toFixed(2)}`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
/** CPU microseconds per row. */
const perRow = (seconds: number, rows: number) => ((seconds * 1e6) / rows).toFixed(1);

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** One line per repetition, with where the CPU went: the profile that explains a slow case. */
export function repetitionLine(c: CaseResult, n: number, load: string): string {
  const { copy, sync } = c.reps[n] as Repetition;
  const synced = Math.max(1, sync.timedOut ? c.rows : sync.rows);
  return (
    `  ${c.case.name} ${fmt(c.rows)} #${n + 1}: \\copy ${copy.seconds.toFixed(2)} s (CPU µs/row postgres ${perRow(copy.cpu.postgres, c.rows)}, psql ${perRow(copy.cpu.psql, c.rows)})` +
    ` · sync ${secs(sync)} s${sync.timedOut ? ' STOPPED at the time limit' : ''}${sync.read ? ` (first rows ${sync.read.firstRow.toFixed(2)} s, waited on the warehouse ${sync.read.wait.toFixed(2)} s)` : ''} (CPU µs/row cli ${perRow(sync.cpu.cli, synced)}, braze-server ${perRow(sync.cpu.server, synced)}, postgres ${perRow(sync.cpu.postgres, synced)})` +
    ` · ratio ${ratioOf({ copy, sync }).toFixed(2)} · RSS ${sync.peakRssMb.toFixed(0)} MB · load ${load}`
  );
}

/** Case × size: the best pair's times and ratio, the highest peak RSS, the ratio verdict. */
function mainTable(results: CaseResult[]): { text: string; verdicts: boolean[] } {
  const verdicts: boolean[] = [];
  const rows = results.map((c) => {
    const best = bestPair(c);
    const ok = !best.sync.timedOut && allRows(c) && ratioOf(best) >= MIN_RATIO;
    verdicts.push(ok);
    const all = c.reps.map((r) => ratioOf(r).toFixed(2)).join(', ');
    return [c.case.name, fmt(c.rows), secs(best.sync), secs(best.copy), ratioOf(best).toFixed(2), peakRss(c).toFixed(0), `${c.reps.length} (${all})`, `${verdict(ok)}${allRows(c) ? '' : ' (rows missing)'}`];
  });
  return { text: table(['case', 'rows', 'engine s', 'baseline s', 'ratio', 'peak RSS MB', 'runs (ratios)', 'ratio ≥ 0.33'], rows), verdicts };
}

/** Per case, the largest size against the smallest: time within 1.1 × the row growth, RSS within 1.2×. */
function scalingTable(results: CaseResult[]): { text: string; verdicts: boolean[] } {
  const verdicts: boolean[] = [];
  const rows: string[][] = [];
  for (const name of [...new Set(results.map((c) => c.case.name))]) {
    const sized = results.filter((c) => c.case.name === name).sort((a, b) => a.rows - b.rows);
    const small = sized[0];
    const large = sized[sized.length - 1];
    if (!small || !large || small === large) continue;
    const [ts, tl] = [fastestSync(small), fastestSync(large)];
    const growth = large.rows / small.rows;
    const timeOk = !tl.timedOut && tl.seconds <= MAX_TIME_GROWTH * growth * ts.seconds;
    const rssOk = !tl.timedOut && peakRss(large) <= MAX_RSS_GROWTH * peakRss(small);
    verdicts.push(timeOk, rssOk);
    rows.push([name, `${fmt(small.rows)} → ${fmt(large.rows)}`, `${secs(ts)} → ${secs(tl)}`, `${(tl.seconds / ts.seconds).toFixed(1)}× (≤ ${(MAX_TIME_GROWTH * growth).toFixed(1)}×) ${verdict(timeOk)}`, `${peakRss(small).toFixed(0)} → ${peakRss(large).toFixed(0)}`, `${(peakRss(large) / peakRss(small)).toFixed(2)}× (≤ ${MAX_RSS_GROWTH}×) ${verdict(rssOk)}`]);
  }
  return { text: table(['case', 'rows', 'fastest engine s', 'time growth', 'peak RSS MB', 'RSS growth'], rows), verdicts };
}

/** Prints both tables and the extra lines (budget), and returns [targets met, targets judged]. */
export function printReport(results: CaseResult[], extra: [string, string, boolean][]): [number, number] {
  const main = mainTable(results);
  const scaling = scalingTable(results);
  console.log(`\n${main.text}`);
  if (scaling.verdicts.length > 0) console.log(`\n${scaling.text}`);
  if (extra.length > 0) console.log(`\n${table(['check', 'measured', 'verdict'], extra.map(([label, value, ok]) => [label, value, verdict(ok)]))}`);
  const all = [...main.verdicts, ...scaling.verdicts, ...extra.map((e) => e[2])];
  return [all.filter(Boolean).length, all.length];
}
