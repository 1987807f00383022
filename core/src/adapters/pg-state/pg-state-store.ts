/**
 * One sync's state in the shared PostgreSQL database, behind the same interface and with the
 * same guarantees as the file store: the state row plus a watermark journal (one row per
 * checkpoint, replayed by `readState`, cleared by `writeState` in the same transaction), run
 * records, and row errors committed before the checkpoint that passes them. While this store
 * holds the sync's lease, every write runs in a transaction that first renews that lease, so a
 * watermark only moves while this host still owns the sync.
 */
import type pg from 'pg';
import type { RowErrorRecord, RunRecord } from '../../state/run-record';
import { interruptedRun, retentionVerdict } from '../../state/retention';
import { bufferedErrorSink } from '../../state/row-error-buffer';
import type { SyncStateStore, WatermarkDelta } from '../../state/state-store';
import type { SyncState } from '../../state/sync-state';
import { applyWatermarkDeltas, lastDiffSeq } from '../../state/watermark-journal';
import { housekeepingRunsQuery, type HousekeepingRun } from './housekeeping-runs';
import { quoteIdent } from './migrations';
import { inTransaction } from './pg-transaction';
import { preparedQuery } from './prepared';
import { acquireLease, fenced, fencedStatement, thisHost, type HeldLease, type LeaseTable } from './pg-lease';

export interface PgStateTables extends LeaseTable {
  /** Resolves once the schema is migrated (and refused if it is newer than this program). */
  ready(): Promise<void>;
}

type StateRow = { state: SyncState | null; delta: WatermarkDelta | null };
type HistoryJson = Omit<HousekeepingRun, 'started_at'> & { started_at: string };
const historyRow = (r: HistoryJson): HousekeepingRun => ({ ...r, started_at: new Date(r.started_at) });

/** The state row with its journal replayed (see the file header). */
function stateOf(rows: StateRow[]): SyncState | undefined {
  const state = rows[0]?.state;
  if (!state) return undefined;
  const deltas = rows.flatMap((r) => (r.delta ? [r.delta] : []));
  if (deltas.length > 0) state.watermark = applyWatermarkDeltas(state.watermark, deltas);
  // send: changed checks its hashes against the diff checkpoint the watermark recorded.
  const diffSeq = lastDiffSeq(deltas);
  if (diffSeq !== undefined) state.diff_seq = diffSeq;
  return state;
}

export function createPgStateStore(tables: PgStateTables, syncKey: string): SyncStateStore {
  const s = quoteIdent(tables.schema);
  let lease: HeldLease | undefined;
  const host = thisHost().host;
  const STATE_FROM = `FROM ${s}.sync_state st LEFT JOIN ${s}.watermark_journal j USING (sync_key) WHERE st.sync_key = $1`;
  const HOUSEKEEPING_RUNS = housekeepingRunsQuery(s);
  // A run starts with the lease, its housekeeping and its state: taking the lease reads the other
  // two in the same statement (every scheduled run pays these round trips before it starts).
  const READ_AT_GRANT = `(SELECT json_agg(json_build_object('state', st.state, 'delta', j.delta) ORDER BY j.seq) ${STATE_FROM}) AS state_rows,
    (SELECT json_agg(h ORDER BY h.id DESC) FROM (${HOUSEKEEPING_RUNS}) h) AS runs`;
  /** Read with the lease just granted, each used once and dropped as soon as a write could change it. */
  let granted: { state_rows?: StateRow[]; runs?: HousekeepingRun[] } | undefined;
  function takeGranted<K extends 'state_rows' | 'runs'>(key: K): NonNullable<typeof granted>[K] | undefined {
    const value = granted?.[key];
    if (granted) granted[key] = undefined;
    return value;
  }

  /** A write: fenced by the lease while this store holds it. */
  async function write<T>(body: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    await tables.ready();
    return lease ? fenced(tables, syncKey, lease.token, body) : inTransaction(tables.pool, body);
  }

  /** One fenced statement (see `fencedStatement`); without the lease, `lease` is a single row. */
  async function write1(sql: string, params: unknown[]): Promise<void> {
    await tables.ready();
    if (lease) return fencedStatement(tables, lease.token, sql, params);
    await preparedQuery(tables.pool, `WITH lease AS (SELECT 1) ${sql}`, params);
  }

  async function read<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    await tables.ready();
    return (await preparedQuery<R>(tables.pool, text, values)).rows;
  }

  return {
    dir: `${tables.schema}/${syncKey}`,
    async readState() {
      const rows = takeGranted('state_rows') ?? (await read<StateRow>(`SELECT st.state, j.delta ${STATE_FROM} ORDER BY j.seq`, [syncKey]));
      return stateOf(rows);
    },
    async writeState(state) {
      granted = undefined;
      await write(async (c) => {
        await c.query(`INSERT INTO ${s}.sync_state (sync_key, state, updated_at) VALUES ($1, $2, now()) ON CONFLICT (sync_key) DO UPDATE SET state = excluded.state, updated_at = now()`, [syncKey, JSON.stringify(state)]);
        await c.query(`DELETE FROM ${s}.watermark_journal WHERE sync_key = $1`, [syncKey]);
      });
    },
    async appendWatermark(delta) {
      granted = undefined;
      await write1(`INSERT INTO ${s}.watermark_journal (sync_key, delta) SELECT $1, $2 FROM lease RETURNING 1`, [syncKey, JSON.stringify(delta)]);
    },
    async lock(command) {
      await tables.ready();
      const { readAtGrant, ...held } = await acquireLease(tables, syncKey, command, READ_AT_GRANT);
      lease = held;
      granted = readAtGrant && { state_rows: (readAtGrant.state_rows as StateRow[] | null) ?? [], runs: ((readAtGrant.runs as HistoryJson[] | null) ?? []).map(historyRow) };
      return {
        ...held,
        async release() {
          granted = undefined;
          if (lease === held) lease = undefined;
          await held.release();
        },
      };
    },
    async saveRun(run) {
      if (granted) granted.runs = undefined;
      await write1(
        `INSERT INTO ${s}.runs (sync_key, id, started_at, status, host, record) SELECT $1, $2, $3, $4, $5, $6 FROM lease
         ON CONFLICT (sync_key, id) DO UPDATE SET status = excluded.status, record = excluded.record RETURNING 1`,
        [syncKey, run.id, run.started_at, run.status, host, JSON.stringify({ ...run, host: run.host ?? host })],
      );
    },
    async listRuns(limit) {
      const rows = await read<{ record: RunRecord }>(`SELECT record FROM ${s}.runs WHERE sync_key = $1 ORDER BY id DESC LIMIT $2`, [syncKey, limit ?? null]);
      return rows.map((r) => r.record);
    },
    async rowErrorSink(runId) {
      await tables.ready();
      return bufferedErrorSink((records) => write1(`INSERT INTO ${s}.row_errors (sync_key, run_id, record) SELECT $1, $2, r FROM lease, jsonb_array_elements($3::jsonb) WITH ORDINALITY AS x(r, n) ORDER BY n RETURNING 1`, [syncKey, runId, JSON.stringify(records)]));
    },
    async readRowErrors(runId, limit) {
      const rows = await read<{ record: RowErrorRecord }>(`SELECT record FROM ${s}.row_errors WHERE sync_key = $1 AND run_id = $2 ORDER BY seq LIMIT $3`, [syncKey, runId, limit ?? null]);
      return rows.map((r) => r.record);
    },
    async housekeeping(now) {
      const runs = takeGranted('runs') ?? (await read<HousekeepingRun>(`${HOUSEKEEPING_RUNS} ORDER BY id DESC`, [syncKey]));
      const drop: string[] = [];
      const dropErrors: string[] = [];
      const interrupted: RunRecord[] = [];
      for (const run of runs) {
        const verdict = retentionVerdict({ ageMs: now.getTime() - run.started_at.getTime(), overCount: run.over_count, overErrorCount: run.over_error_count });
        if (verdict === 'drop') {
          drop.push(run.id);
          continue;
        }
        if (verdict === 'drop-errors' && run.has_errors) dropErrors.push(run.id);
        if (run.record) interrupted.push(interruptedRun(run.record));
      }
      if (drop.length + dropErrors.length + interrupted.length === 0) return;
      await write(async (c) => {
        await c.query(`DELETE FROM ${s}.runs WHERE sync_key = $1 AND id = ANY($2)`, [syncKey, drop]);
        await c.query(`DELETE FROM ${s}.row_errors WHERE sync_key = $1 AND run_id = ANY($2)`, [syncKey, [...drop, ...dropErrors]]);
        for (const run of interrupted) await c.query(`UPDATE ${s}.runs SET status = $3, record = $4 WHERE sync_key = $1 AND id = $2`, [syncKey, run.id, run.status, JSON.stringify(run)]);
      });
    },
  };
}
