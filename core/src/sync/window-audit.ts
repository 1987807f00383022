/**
 * The row checks SQL can express, run over every pending row of a window (not a sample): what the
 * reader's `audit` returns, and how each problem is said to the user. The checks SQL cannot
 * express (an event's name, a purchase's price, key counts…) run on the previewed rows only, and
 * are reported as such: a check mark means the check ran on every row.
 */
export const AUDIT_PROBLEMS = ['payload-null', 'payload-not-json', 'payload-too-large', 'no-identifier', 'several-identifiers', 'half-alias', 'updated-at-null', 'updated-at-future'] as const;
export type AuditProblem = (typeof AUDIT_PROBLEMS)[number];

/** A row that has a problem, named by its identifiers (never its payload). */
export interface AuditSample {
  /** ISO 8601 UTC with microseconds; null when UPDATED_AT is NULL. */
  updated_at: string | null;
  identifier: string;
  problem: AuditProblem;
}

export interface WindowAudit {
  /** Rows in the window that were checked (rows already delivered at the watermark are counted again). */
  rows: number;
  /** Rows with each problem; a row may have several. Problems not checked are absent. */
  counts: Partial<Record<AuditProblem, number>>;
  /** The first few rows with a problem, UPDATED_AT ascending (NULL last). */
  samples: AuditSample[];
  /** What the SQL could not check, and why (e.g. no PAYLOAD column to check). */
  notChecked: string[];
}

/** Problems that make a row fail when it is sent (future rows only wait; NULL UPDATED_AT rows are never read). */
const FAILING: ReadonlySet<AuditProblem> = new Set(['payload-null', 'payload-not-json', 'payload-too-large', 'no-identifier', 'several-identifiers', 'half-alias']);

export function isFailingProblem(problem: AuditProblem): boolean {
  return FAILING.has(problem);
}

const SAYS: Record<AuditProblem, (n: number) => string> = {
  'payload-null': (n) => `${n} with PAYLOAD NULL`,
  'payload-not-json': (n) => `${n} whose PAYLOAD is not a JSON object`,
  'payload-too-large': (n) => `${n} with PAYLOAD over 1 MB`,
  'no-identifier': (n) => `${n} with no identifier`,
  'several-identifiers': (n) => `${n} with two or more identifier kinds`,
  'half-alias': (n) => `${n} with half a user alias`,
  'updated-at-null': (n) => `${n} with UPDATED_AT NULL (never read by any run: set UPDATED_AT)`,
  'updated-at-future': (n) => `${n} stamped in the future (they wait for their time)`,
};

/** One problem in a few words, for a sample row. */
export const PROBLEM_LABEL: Record<AuditProblem, string> = {
  'payload-null': 'PAYLOAD is NULL',
  'payload-not-json': 'PAYLOAD is not a JSON object',
  'payload-too-large': 'PAYLOAD is over 1 MB',
  'no-identifier': 'no identifier',
  'several-identifiers': 'two or more identifier kinds',
  'half-alias': 'half a user alias',
  'updated-at-null': 'UPDATED_AT is NULL',
  'updated-at-future': 'UPDATED_AT is in the future',
};

/** Rows of the window that would fail when sent, as far as SQL can tell (a row is counted once per problem). */
export function failingCount(audit: WindowAudit): number {
  return AUDIT_PROBLEMS.filter(isFailingProblem).reduce((sum, p) => sum + (audit.counts[p] ?? 0), 0);
}

/** "4 would fail: 1 with PAYLOAD NULL, …" style list of the problems found, worst first. */
export function describeProblems(audit: WindowAudit): string[] {
  return AUDIT_PROBLEMS.flatMap((p) => {
    const n = audit.counts[p] ?? 0;
    return n > 0 ? [SAYS[p](n)] : [];
  });
}
