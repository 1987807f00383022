/**
 * What `npm run bench:sync` runs, from flags (`npm run bench:sync -- --rows 20000,50000 --cases
 * noindex-direct`) or the environment (BENCH_ROWS, BENCH_CASES, …); a flag wins over its variable.
 * The default is the full matrix: every relation × link at 100,000 and 1,000,000 rows, plus the
 * run against Braze's real budget.
 */
import { parseArgs } from 'node:util';
import { RELATIONS, type Relation } from './relations';

export const LINKS = ['direct', 'proxy'] as const;
export type Link = (typeof LINKS)[number];

export interface Case {
  name: string;
  relation: Relation;
  link: Link;
}

export interface BenchOptions {
  sizes: number[];
  cases: Case[];
  budget: boolean;
  /** `send: changed` against `send: all` at the largest size (diff-bench.ts). */
  diff: boolean;
  /** Repetitions per case and size; undefined: 3 up to 200,000 rows, 2 above (see `repetitions`). */
  repeat?: number;
  timeoutSeconds: number;
  delayMs: number;
  budgetSeconds: number;
  budgetBatch: number;
}

export const USAGE = `npm run bench:sync -- [--rows N,N…] [--cases NAME,…] [--repeat N] [--timeout SECONDS] [--delay MS]
  --rows     sizes to run (BENCH_ROWS; default 100000,1000000); the scaling targets compare the smallest and largest
  --cases    any of ${RELATIONS.flatMap((r) => LINKS.map((l) => `${r}-${l}`)).join(', ')}, a relation or link alone
             (e.g. noindex, proxy), budget (the run against Braze's real budget), diff (send: changed against
             send: all, at the largest size), or all (BENCH_CASES; default all)
  --repeat   repetitions per case (BENCH_REPEAT; default 3 up to 200,000 rows, 2 above, 1 after a run over 60 s)
  --timeout  seconds before a sync is stopped and reported as such (BENCH_TIMEOUT_SECONDS; default 600)
  --delay    ms the proxy adds each way (BENCH_DELAY_MS; default 10)
Also BENCH_BUDGET_SECONDS (30), BENCH_BUDGET_BATCH (25), BENCH_CLI, BENCH_NODE_FLAGS, BENCH_SERVER_NODE_FLAGS (e.g. --cpu-prof), PSQL.`;

function positiveInts(text: string, what: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`${what} must be positive whole numbers separated by commas, not '${text}'.\n${USAGE}`);
  return values;
}

const allCases = (): Case[] => RELATIONS.flatMap((relation) => LINKS.map((link) => ({ name: `${relation}-${link}`, relation, link })));

/** The cases a list of names selects; every name must select something, so a typo is not a silent no-op. */
function selectCases(text: string): { cases: Case[]; budget: boolean; diff: boolean } {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  const all = allCases();
  const picked = new Set<Case>();
  let budget = false;
  let diff = false;
  for (const name of names) {
    if (name === 'all' || name === 'budget') budget = true;
    if (name === 'all' || name === 'diff') diff = true;
    const matches = all.filter((c) => name === 'all' || c.name === name || c.relation === name || c.link === name);
    if (matches.length === 0 && name !== 'budget' && name !== 'diff') throw new Error(`unknown case '${name}'.\n${USAGE}`);
    for (const c of matches) picked.add(c);
  }
  return { cases: all.filter((c) => picked.has(c)), budget, diff };
}

export function benchOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: { rows: { type: 'string' }, cases: { type: 'string' }, repeat: { type: 'string' }, timeout: { type: 'string' }, delay: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const pick = (flag: string | undefined, name: string) => flag ?? env[name];
  const number = (flag: string | undefined, name: string, fallback: number) => {
    const text = pick(flag, name);
    return text === undefined ? fallback : (positiveInts(text, name)[0] ?? fallback);
  };
  const repeat = pick(values.repeat, 'BENCH_REPEAT');
  return {
    sizes: [...new Set(positiveInts(pick(values.rows, 'BENCH_ROWS') ?? '100000,1000000', 'BENCH_ROWS'))].sort((a, b) => a - b),
    ...selectCases(pick(values.cases, 'BENCH_CASES') ?? 'all'),
    ...(repeat !== undefined ? { repeat: positiveInts(repeat, 'BENCH_REPEAT')[0] } : {}),
    timeoutSeconds: number(values.timeout, 'BENCH_TIMEOUT_SECONDS', 600),
    delayMs: number(values.delay, 'BENCH_DELAY_MS', 10),
    budgetSeconds: number(undefined, 'BENCH_BUDGET_SECONDS', 30),
    budgetBatch: number(undefined, 'BENCH_BUDGET_BATCH', 25),
  };
}

/** Repetitions: enough to see past noise on a shared machine, fewer where one run already takes long. */
export const repetitions = (options: BenchOptions, rows: number) => options.repeat ?? (rows <= 200_000 ? 3 : 2);
/** A run slower than this is not repeated: its noise is small against its length, and time is not free. */
export const SLOW_RUN_SECONDS = 60;
