/**
 * Records every statement the `pg` clients of this process send while `body` runs: its text and
 * the rows that came back. Tests count a store's round trips and look at what a statement read.
 */
import pg from 'pg';

export interface SentStatement {
  text: string;
  rows: unknown[];
}

type Result = { rows?: unknown[] };
type Query = (this: pg.Client, ...args: unknown[]) => unknown;

export async function recordingStatements(body: () => Promise<void>): Promise<SentStatement[]> {
  const seen: SentStatement[] = [];
  const original = pg.Client.prototype.query as Query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : String((first as { text?: string }).text);
    const note = (res: Result | undefined) => void seen.push({ text, rows: res?.rows ?? [] });
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, res: Result) => (note(res), (last as (e: unknown, r: Result) => void)(err, res));
      return original.apply(this, args);
    }
    const out = original.apply(this, args);
    if (out instanceof Promise) void out.then(note, () => undefined);
    return out;
  } as typeof pg.Client.prototype.query;
  try {
    await body();
  } finally {
    pg.Client.prototype.query = original as typeof pg.Client.prototype.query;
  }
  return seen;
}
