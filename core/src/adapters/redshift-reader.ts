/**
 * The Redshift source reader: a window is one statement ordered by UPDATED_AT, streamed with
 * backpressure (row-stream.ts), so reading costs one scan and one sort whatever the window's size,
 * and a slow link costs its round trips once, not once per page.
 *
 * A statement can end before the window does: a retryable error (serialization, lost snapshot), a
 * timeout after it made progress, or a statement that has run for `legMaxMs` while the consumer
 * was slow (so that it rarely meets the session's statement_timeout at all). The read then goes on
 * with a new statement from the last UPDATED_AT handed over (`>= t`), and the tie group skips the
 * rows of `t` it already handed over.
 * See docs/reading.md for why this design and the Redshift facts behind it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import type { TableName } from '../model/table-name';
import type { RowIdentifiers, SourceRow } from '../sync/ports';
import type { ReadOptions, ReadWindow, SourceReader, SourceTable, TablePrivileges, WindowCounts } from '../sync/source-reader';
import { TieGroup } from '../sync/tie-group';
import { connectPg, queryError, type PgSettings } from './pg-connection';
import { isSuperPayload, planFor, windowCountsQuery, windowQuery, type ReadPlan, type SqlQuery } from './read-query';
import { auditCountsQuery, auditIdColumns, auditSamplesQuery } from './audit-query';
import type { DataType } from '../model/sync-file';
import { rowIdentifier } from '../sync/row-identity';
import { AUDIT_PROBLEMS, type AuditProblem, type WindowAudit } from '../sync/window-audit';
import { toIsoMicros } from '../model/timestamps';
import { READ_ATTEMPTS, isRetryableReadError, isStatementTimeout, retryDelayMs } from './retryable-errors';
import { StreamedQuery, type RowDecoder } from './row-stream';
import { findTable } from './table-catalog';
import { readPrivileges } from './table-privileges';

export interface RedshiftReaderOptions {
  settings: PgSettings;
  table: TableName;
  /** Whether PAYLOAD is read (false for user deletes, whose tables must not have one). */
  readPayload: boolean;
  /** A catalog sync: ID and DELETED are read instead of user identifiers. */
  catalog?: boolean;
  /** How long one statement may stream before the read moves on to a fresh one (default: half the statement timeout). */
  legMaxMs?: number;
}

/** Measured with `npm run bench:sync`: bigger chunks gain nothing, smaller ones cost per-chunk work. */
const DEFAULT_CHUNK_ROWS = 2000;

export class TableNotFoundError extends Error {
  constructor(readonly written: string) {
    super(`Table ${written} was not found (or the user cannot see it).`);
    this.name = 'TableNotFoundError';
  }
}

export function createRedshiftReader(options: RedshiftReaderOptions): SourceReader {
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let table: SourceTable | undefined;
  let describing: Promise<SourceTable | undefined> | undefined;
  let plan: ReadPlan | undefined;
  const written = options.table.parts.map((p) => p.name).join('.');
  const legMaxMs = options.legMaxMs ?? options.settings.statementTimeoutMs / 2;
  /** Connections of counts running beside the read; closing the reader ends them. */
  const asides = new Set<Promise<pg.Client>>();

  async function connection(): Promise<pg.Client> {
    if (client) return client;
    connecting ??= connectPg(options.settings).then((c) => (client = c));
    return connecting;
  }

  /** Drops the connection under a statement that is still sending: the server abandons it, and the next query reconnects. */
  function discard(c: pg.Client): void {
    if (client === c) {
      client = undefined;
      connecting = undefined;
    }
    socketOf(c).destroy();
  }

  /**
   * A three-part name in another database (a datashare) resolves through svv_all_columns; see
   * table-catalog.ts. Callers at the same time (a preview's rows, counts and audit) share one
   * lookup, so the catalog queries never queue up on the reader's connection.
   */
  function describe(): Promise<SourceTable | undefined> {
    describing ??= (async () => {
      try {
        table = await findTable(await connection(), options.table);
        plan = undefined;
        return table;
      } finally {
        describing = undefined;
      }
    })();
    return describing;
  }

  async function readPlan(): Promise<ReadPlan> {
    if (plan) return plan;
    const t = table ?? (await describe());
    if (!t) throw new TableNotFoundError(written);
    plan = planFor(t, options.readPayload, options.catalog);
    return plan;
  }

  /** A short query on `conn` (the reader's connection by default), tried again after a retryable error. */
  async function run(q: SqlQuery, conn: () => Promise<pg.Client> = connection): Promise<unknown[][]> {
    for (let attempt = 1; ; attempt++) {
      const c = await conn();
      try {
        return (await c.query<unknown[]>({ text: q.text, values: q.values, rowMode: 'array' })).rows;
      } catch (err) {
        if (attempt >= READ_ATTEMPTS || !isRetryableReadError(err)) throw queryError(c, options.settings, err);
        await delay(retryDelayMs(attempt));
      }
    }
  }

  /** `use` on a connection of its own, so it can run while a window streams on the reader's; closing the reader ends it. */
  async function aside<T>(use: (own: () => Promise<pg.Client>) => Promise<T>): Promise<T> {
    const own = connectPg(options.settings);
    asides.add(own);
    try {
      return await use(() => own);
    } finally {
      asides.delete(own);
      await endQuietly(own);
    }
  }

  async function* pages(window: ReadWindow, opts: ReadOptions = {}): AsyncGenerator<SourceRow[]> {
    const p = await readPlan();
    const decode = rowDecoder(p);
    const group = new TieGroup();
    let handedOver = 0;
    let failedTries = 0;
    for (;;) {
      // Resuming: the last timestamp is read again, and its rows already handed over are skipped.
      const from = group.lastUpdatedAt ?? window.from;
      const remaining = opts.limit === undefined ? undefined : opts.limit - handedOver + group.size;
      const c = await connection();
      const statement = new StreamedQuery(windowQuery(p, { ...window, ...(from !== undefined ? { from } : {}) }, remaining), decode, socketOf(c), opts.chunkRows ?? DEFAULT_CHUNK_ROWS);
      const started = Date.now();
      let progressed = false;
      c.query(statement);
      try {
        for (;;) {
          const chunk = await statement.next();
          if (!chunk) return;
          const fresh = keepNew(chunk, group);
          if (fresh.length > 0) {
            failedTries = 0;
            progressed = true;
            handedOver += fresh.length;
            yield fresh;
          }
          if (opts.signal?.aborted) return;
          // Only a statement that got past what its predecessor handed over may be replaced.
          if (progressed && Date.now() - started > legMaxMs && !statement.finished) break;
        }
      } catch (err) {
        const resumable = isRetryableReadError(err) || (progressed && isStatementTimeout(err));
        if (++failedTries >= READ_ATTEMPTS || !resumable) throw queryError(c, options.settings, err);
        // pg may still count a timed-out statement as running on this connection: start afresh.
        discard(c);
        await delay(retryDelayMs(failedTries));
      } finally {
        if (!statement.finished) discard(c);
      }
    }
  }

  return {
    describe,
    async privileges(): Promise<TablePrivileges> {
      const t = table ?? (await describe());
      if (!t) throw new TableNotFoundError(written);
      const c = await connection();
      try {
        return await readPrivileges(c, t);
      } catch (err) {
        throw queryError(c, options.settings, err);
      }
    },
    pages,
    /** On a connection of its own, so it can run while the window streams on the reader's. */
    async counts(window): Promise<WindowCounts> {
      const q = windowCountsQuery(await readPlan(), window);
      const row = (await aside((own) => run(q, own)))[0] ?? [];
      return { inWindow: Number(row[0] ?? 0), after: Number(row[1] ?? 0) };
    },
    /** On a connection of its own, like `counts`. */
    async audit(window: ReadWindow, dataType: DataType): Promise<WindowAudit> {
      const p = await readPlan();
      const [found, samples] = await aside(async (own) => {
        const rows = await run(auditCountsQuery(p, dataType, window), own);
        return [rows, rows.some(([problem]) => problem !== 'ok') ? await run(auditSamplesQuery(p, dataType, window), own) : []];
      });
      const counts: WindowAudit['counts'] = {};
      let rows = 0;
      for (const [problem, n] of found) {
        const count = Number(n);
        if (isProblem(problem)) counts[problem] = count;
        if (problem !== 'updated-at-null' && problem !== 'updated-at-future') rows += count;
      }
      const notChecked = dataType !== 'user_deletes' && !p.payload ? ['PAYLOAD: the table has no PAYLOAD column.'] : [];
      if (p.item) notChecked.push("Catalog item rules (the id's length and characters, `id` inside PAYLOAD, value sizes, nesting): checked as each row is read, not in SQL.");
      return { rows, counts, samples: samples.map((r) => auditSample(p, r)), notChecked };
    },
    async close() {
      const c = client ?? (await connecting?.catch(() => undefined));
      client = undefined;
      connecting = undefined;
      await Promise.all([c?.end().catch(() => undefined), ...[...asides].map(endQuietly)]);
    },
  };
}

function isProblem(value: unknown): value is AuditProblem {
  return AUDIT_PROBLEMS.includes(value as AuditProblem);
}

/** A row of `auditSamplesQuery`: UPDATED_AT, the identifier columns in plan order, the problem. */
function auditSample(plan: ReadPlan, fields: unknown[]): WindowAudit['samples'][number] {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const at = text(fields[0]);
  const problem = fields[1 + auditIdColumns(plan).length];
  const id = text(fields[1]);
  const ids: RowIdentifiers = {};
  if (!plan.item) plan.ids.forEach((c, i) => (ids[c.key] = text(fields[1 + i])));
  const identifier = plan.item ? (id === null || id.trim() === '' ? '(no id)' : `id=${id}`) : rowIdentifier(ids);
  return { updated_at: at === null ? null : toIsoMicros(at), identifier, problem: isProblem(problem) ? problem : 'no-identifier' };
}

/** The rows of `chunk` not handed over before, in place (a chunk is the reader's own array). */
function keepNew(chunk: SourceRow[], group: TieGroup): SourceRow[] {
  let kept = 0;
  for (const row of chunk) if (group.admit(row)) chunk[kept++] = row;
  chunk.length = kept;
  return chunk;
}

async function endQuietly(connecting: Promise<pg.Client>): Promise<void> {
  await (await connecting.catch(() => undefined))?.end().catch(() => undefined);
}

function socketOf(c: pg.Client): Duplex {
  return (c as unknown as { connection: { stream: Duplex } }).connection.stream;
}

/** Fields arrive in the select list's order (read-query.ts `windowQuery`), every one as text. */
function rowDecoder(plan: ReadPlan): RowDecoder {
  const decode = userRowDecoder(plan);
  const item = plan.item;
  if (!item) return decode;
  // The item's columns come last: after UPDATED_AT and the one or two payload items.
  const at = 1 + (plan.payload ? (isSuperPayload(plan) ? 2 : 1) : 0);
  return (fields) => {
    const row = decode(fields);
    const deleted = item.deleted ? fields[at + 1] : undefined;
    row.item = { id: fields[at] ?? null, ...(item.idIsJson ? { idIsJson: true } : {}), ...(deleted !== undefined ? { deleted: deleted === null ? null : deleted === 't' || deleted === 'true' } : {}) };
    return row;
  };
}

function userRowDecoder(plan: ReadPlan): RowDecoder {
  const keys = plan.ids.map((i) => i.key);
  const n = keys.length;
  const idsOf = (fields: readonly (string | null)[]): RowIdentifiers => {
    const ids: RowIdentifiers = {};
    for (let i = 0; i < n; i++) ids[keys[i] as keyof RowIdentifiers] = fields[1 + i] ?? null;
    return ids;
  };
  if (!plan.payload) return (fields) => ({ updatedAt: fields[0] ?? '', ids: idsOf(fields) });
  if (!isSuperPayload(plan)) return (fields) => ({ updatedAt: fields[0] ?? '', ids: idsOf(fields), payload: fields[1 + n] ?? null });
  return (fields) => {
    const bytes = fields[1 + n];
    const size = fields[2 + n];
    const row: SourceRow = { updatedAt: fields[0] ?? '', ids: idsOf(fields), payload: bytes === null || bytes === undefined ? null : varbyteText(bytes) };
    if (row.payload === null && size !== null && size !== undefined) row.payloadBytes = Number(size);
    return row;
  };
}

/** VARBYTE (or PostgreSQL's bytea in tests) in text form is hex, with `\x` before it on PostgreSQL. */
export function varbyteText(hex: string): string {
  return Buffer.from(hex.startsWith('\\x') ? hex.slice(2) : hex, 'hex').toString('utf8');
}
