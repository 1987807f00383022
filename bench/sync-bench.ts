/**
 * `npm run bench:sync` (a benchmark, not a test): how `brazesync sync` reads at warehouse scale.
 *
 * Matrix: relation (indexed table, the same table without index, a view over a join of two
 * unindexed tables: see relations.ts) × link (direct, or through a proxy adding 10 ms each way:
 * delay-proxy.ts) × size (100,000 and 1,000,000 rows). Each repetition of a case runs, back to
 * back under the same machine load and over the same link:
 *   1. the baseline, `psql \copy (SELECT updated_at, external_id, payload FROM <relation> WHERE
 *      updated_at <= <window end> ORDER BY updated_at) TO '/dev/null'`: what a user would run;
 *   2. the built CLI, `brazesync sync`, end to end into the local Braze server (its own process,
 *      rate limiter set out of the way), timed with its start-up and followed for peak RSS.
 * Then one run against Braze's real budget (budget-check.ts).
 * Targets: engine ≥ 1/3 of `\copy` in every case; the largest size's time ≤ 1.1 × its row growth
 * × the smallest's (1M ≤ 11 × 100k); its peak RSS ≤ 1.2 × the smallest's; budget ≥ 95% used, < 1% 429.
 *
 * The machine may be shared, so every repetition is printed with the CPU each process used and the
 * load average; ratios are judged on the best repetition, memory on the highest peak.
 * Options (sizes, cases, repetitions, time limit): bench-options.ts, or `npm run bench:sync -- --help`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres';
import { benchOptions, repetitions, SLOW_RUN_SECONDS, type BenchOptions, type Case } from './bench-options';
import { budgetCheck, budgetLines } from './budget-check';
import { diffBench, diffLines } from './diff-bench';
import { copyBaseline, psqlPath } from './copy-baseline';
import { startDelayProxy, type DelayProxy } from './delay-proxy';
import { loadAverage } from './proc-stats';
import { baselineSelect, createRelations, relationName, RELATIONS } from './relations';
import { printReport, repetitionLine, type CaseResult } from './report';
import { CLI, definition, runSync, startServerProcess, type ServerProcess } from './sync-process';

/** The local Braze server's budget for the throughput runs: high enough never to be what is measured. */
const UNLIMITED = '1000000000/1';
const CONCURRENCY = 16;

interface Bench {
  options: BenchOptions;
  db: TestPostgres;
  proxy: DelayProxy;
  server: ServerProcess;
  tmp: string;
  /** End of the window the baseline reads: every generated row is older, as for a first sync. */
  until: string;
  freshState(): string;
}

async function runCase(b: Bench, c: Case, rows: number): Promise<CaseResult> {
  const port = c.link === 'proxy' ? b.proxy.port : b.db.port;
  const file = definition(b.tmp, b.db, b.server.url, relationName(c.relation, rows), { port });
  const select = baselineSelect(c.relation, rows, b.until);
  const result: CaseResult = { case: c, rows, reps: [] };
  for (let n = 0; n < repetitions(b.options, rows); n++) {
    const copy = await copyBaseline(b.db, port, select);
    const sync = await runSync(b.db, { file, stateDir: b.freshState(), server: b.server, concurrency: CONCURRENCY, timeoutSeconds: b.options.timeoutSeconds });
    result.reps.push({ copy, sync });
    console.log(repetitionLine(result, n, loadAverage()));
    if (sync.timedOut || sync.seconds > SLOW_RUN_SECONDS) break;
  }
  return result;
}

/** Every selected case at every size; each size's relations are loaded once, then read warm. */
async function runMatrix(b: Bench): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const relations = RELATIONS.filter((r) => b.options.cases.some((c) => c.relation === r));
  for (const rows of b.options.sizes) {
    if (relations.length === 0) break;
    const started = Date.now();
    await createRelations(b.db, rows, relations);
    console.log(`Loaded ${rows.toLocaleString('en-US')} rows into ${relations.join(', ')} in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    for (const relation of relations) {
      // Untimed: the first read after loading also pays for cold caches; neither side should.
      await copyBaseline(b.db, b.db.port, baselineSelect(relation, rows, b.until));
      for (const c of b.options.cases.filter((x) => x.relation === relation)) results.push(await runCase(b, c, rows));
    }
  }
  return results;
}

function describeRun(o: BenchOptions): string {
  const reps = o.repeat ?? 'best of 3 up to 200,000 rows, of 2 above';
  return (
    `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${loadAverage()}.\n` +
    `Sizes ${o.sizes.map((s) => s.toLocaleString('en-US')).join(', ')}; cases ${o.cases.map((c) => c.name).join(', ') || 'none'}${o.budget ? ', budget' : ''}${o.diff ? ', diff' : ''}; ` +
    `proxy adds ${o.delayMs} ms each way; repetitions: ${reps} (1 once a sync takes over ${SLOW_RUN_SECONDS} s); a sync is stopped after ${o.timeoutSeconds} s.`
  );
}

async function main(): Promise<void> {
  const options = benchOptions(process.argv.slice(2), process.env);
  if (!existsSync(CLI)) throw new Error('Run `npm run build` first (npm run bench:sync does).');
  psqlPath(); // before loading anything: without psql there is no baseline
  console.log(describeRun(options));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'brazesync-bench-'));
  const db = await startTestPostgres('bench');
  const proxy = await startDelayProxy({ host: db.host, port: db.port }, options.delayMs);
  const server = await startServerProcess(UNLIMITED);
  let state = 0;
  const bench: Bench = { options, db, proxy, server, tmp, until: new Date().toISOString(), freshState: () => path.join(tmp, `state-${++state}`) };
  try {
    const results = await runMatrix(bench);
    const extra = options.budget ? budgetLines(await budgetCheck(db, options, tmp, bench.freshState()), options.budgetBatch) : [];
    if (options.diff) extra.push(...diffLines(await diffBench(db, server, tmp, Math.max(...options.sizes), bench.freshState, options.timeoutSeconds)));
    const [met, judged] = printReport(results, extra);
    console.log(`\n${met} of ${judged} targets met. Ratio = baseline s / engine s (engine rows/s ÷ \\copy rows/s); times and ratio from the repetition with the best ratio; growth from the fastest run of each size; RSS the highest peak.`);
    console.log(`machine: ${os.cpus().length} cores; load average at end ${loadAverage()} (1, 5, 15 min)`);
  } finally {
    await server.stop();
    await proxy.close();
    await db.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
