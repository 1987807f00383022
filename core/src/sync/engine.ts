/**
 * `runSync`: one run of one sync. Reads the rows changed since the watermark in a total order,
 * maps and batches them, sends batches concurrently, and checkpoints the contiguous delivered
 * prefix (watermark journal + run record, see checkpoints.ts) as batches finish. Host-agnostic:
 * the CLI and the VS Code client call it with the same adapters; tests with real PostgreSQL and
 * the local Braze server.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { SyncFile } from '../model/sync-file';
import { newRunId, truncatePayload, type ReadTiming, type RowErrorRecord, type RunRecord } from '../state/run-record';
import type { RowErrorSink, SyncStateStore } from '../state/state-store';
import { watermarkIso, type SyncState } from '../state/sync-state';
import { Batcher, DEFAULT_BATCH_SIZE, type Batch } from './batcher';
import { Checkpoints } from './checkpoints';
import { CommitLoop } from './commit-loop';
import { DeliveryTracker, type TrackedRow } from './delivery-tracker';
import { systemClock, type BrazeClient, type Clock } from './ports';
import { rowKey } from './row-key';
import { mapRow, rowIdentifier } from './row-mapping';
import type { SourceReader, WindowCounts } from './source-reader';
import { errorMessage, SyncConfigError, type Redactor } from './sync-errors';
import { checkTableContract } from './table-contract';
import { readWindowFor } from './read-window';
import { timedRead } from './read-timing';
import { parseTimestampMicros, toIsoMicros } from '../model/timestamps';

export const DEFAULT_CONCURRENCY = 16;
const DEFAULT_CANCEL_GRACE_MS = 10_000;
const RUN_RECORD_INTERVAL_MS = 1000;
/** Checkpoints start at most this often, unless a round of requests' worth of rows waits (see below). */
const CHECKPOINT_INTERVAL_MS = 200;

export interface SyncProgress {
  /**
   * Rows expected in this run's window (includes skipped rows); absent until counted, since the
   * count runs beside the read.
   */
  total?: number;
  read: number;
  skipped: number;
  synced: number;
  failed: number;
  /** The committed watermark (text, full precision). */
  watermark: string | null;
}

export interface RunSyncOptions {
  file: SyncFile;
  syncName: string;
  reader: SourceReader;
  braze: BrazeClient;
  store: SyncStateStore;
  clock?: Clock;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** Braze requests in flight at once. */
  concurrency?: number;
  /** Source rows handed to the engine at a time (default: the reader's, about 2,000). */
  chunkRows?: number;
  /** After cancellation, how long in-flight requests may finish before they are aborted. */
  cancelGraceMs?: number;
  /** Scrubs secret values from messages that reach the run record. */
  redact?: Redactor;
}

interface RowFailure {
  row: TrackedRow;
  reason: string;
  /** Known when the mapper failed the row; worked out from the row otherwise. */
  identifier?: string;
}

/** UPDATED_AT text → µs, remembering the last value (rows often share a timestamp). */
function microsParser(): (text: string) => number {
  let lastText = '';
  let lastMicros = 0;
  return (text) => {
    if (text !== lastText) {
      lastMicros = parseTimestampMicros(text);
      lastText = text;
    }
    return lastMicros;
  };
}

export async function runSync(options: RunSyncOptions): Promise<RunRecord> {
  const { file, syncName, store } = options;
  const sync = file.syncs[syncName];
  if (!sync) throw new SyncConfigError(`No sync named "${syncName}" in the file; it has: ${Object.keys(file.syncs).join(', ') || '(none)'}.`);
  const clock = options.clock ?? systemClock;
  const lock = await store.lock('sync');
  try {
    const started = clock.now();
    await store.housekeeping(started);
    const state: SyncState = (await store.readState()) ?? { version: 1, sync: syncName };
    if (state.data_type && state.data_type !== sync.data_type) {
      throw new SyncConfigError(
        `Sync "${syncName}" was created with data_type ${state.data_type} (recorded ${state.data_type_recorded_at ?? 'earlier'}); a sync's data type can't change. Revert data_type to ${state.data_type}, or create a new sync for ${sync.data_type}.`,
      );
    }
    if (!state.data_type) {
      state.data_type = sync.data_type;
      state.data_type_recorded_at = started.toISOString();
      await store.writeState(state);
    }
    const run: RunRecord = {
      id: newRunId(started, randomBytes(3).toString('hex')),
      sync: syncName,
      status: 'running',
      started_at: started.toISOString(),
      rows_read: 0,
      rows_synced: 0,
      rows_failed: 0,
      rows_skipped: 0,
      rows_in_future: 0,
      watermark_before: watermarkIso(state),
      watermark_after: watermarkIso(state),
      warnings: [],
    };
    await store.saveRun(run);
    const sink = await store.rowErrorSink(run.id);
    const redact = options.redact ?? ((t: string) => t);
    try {
      await execute(options, state, run, sink);
    } catch (err) {
      run.status = 'error';
      run.error = redact(errorMessage(err));
    } finally {
      await sink.close().catch(() => undefined);
    }
    run.ended_at = clock.now().toISOString();
    await store.saveRun(run);
    return run;
  } finally {
    await lock.release();
  }
}

async function execute(options: RunSyncOptions, state: SyncState, run: RunRecord, sink: RowErrorSink): Promise<void> {
  const { file, syncName, reader, braze, store, signal } = options;
  const sync = file.syncs[syncName];
  if (!sync) throw new SyncConfigError(`No sync named "${syncName}".`);
  const clock = options.clock ?? systemClock;
  const redact = options.redact ?? ((t: string) => t);

  const table = await reader.describe();
  if (!table) throw new Error(`Table ${sync.table} was not found, or the connection's user cannot see it. Run \`brazesync test-connection\` for the fix.`);
  const contractErrors = checkTableContract(sync.data_type, table.columns).filter((i) => i.severity === 'error');
  if (contractErrors.length > 0) throw new Error(`Table ${table.sqlName} does not fit ${sync.data_type}: ${contractErrors.map((i) => i.message).join(' ')}`);

  // One record serves both ends: rows already delivered are skipped, rows delivered now are added.
  const { record: committed, window } = readWindowFor(sync, state, clock.now());
  const { until } = window;

  // Counted while the window streams: on a view or an unsorted table the count is a scan of its
  // own, and the read need not wait for it. Progress reports no total until then.
  let total: number | undefined;
  const counting = reader.counts(window).then((c) => {
    total = c.inWindow;
    return c;
  });
  counting.catch(() => undefined);

  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const batchSize = Math.min(sync.batch_size ?? DEFAULT_BATCH_SIZE, DEFAULT_BATCH_SIZE);
  // What a crash resends is bounded in rounds of requests: delivered rows stuck behind a slow
  // head-of-line request (about one extra round), and finished rows not saved yet (a round makes
  // the next save urgent).
  const maxPending = concurrency * batchSize * 2;
  const commitRows = concurrency * batchSize;

  const tracker = new DeliveryTracker();
  const micros = microsParser();
  const checkpoints = new Checkpoints(store, state, committed, sink, micros);
  let lastRunSave = Date.now();
  const progress = () =>
    options.onProgress?.({
      ...(total !== undefined ? { total } : {}),
      read: run.rows_read,
      skipped: run.rows_skipped,
      synced: run.rows_synced,
      failed: run.rows_failed,
      watermark: committed.watermarkText,
    });

  const commits = new CommitLoop(async () => {
    if (!(await checkpoints.save())) return;
    run.watermark_after = committed.watermarkText === null ? null : toIsoMicros(committed.watermarkText);
    // The run record is informational mid-run; the state is what resumes. Keep checkpoints short.
    if (Date.now() - lastRunSave >= RUN_RECORD_INTERVAL_MS) {
      lastRunSave = Date.now();
      await store.saveRun(run);
    }
  }, CHECKPOINT_INTERVAL_MS);

  // Finished rows leave the tracker at once (only boundary keys are kept); saving them is paced.
  const finished = () => {
    checkpoints.absorb(tracker.takeFinishedPrefix());
    commits.request(checkpoints.unsaved >= commitRows);
  };

  const recordFailures = (failures: readonly RowFailure[]) => {
    sink.append(
      failures.map(({ row: { row }, reason, identifier }): RowErrorRecord => {
        const payload = truncatePayload(row.payload);
        return {
          run_id: run.id,
          identifier: identifier ?? rowIdentifier(row.ids),
          updated_at: toIsoMicros(row.updatedAt),
          reason: redact(reason),
          ...(payload !== undefined ? { payload } : {}),
        };
      }),
    );
    run.rows_failed += failures.length;
  };

  // Requests get their own signal: cancellation first lets in-flight requests finish.
  const http = new AbortController();
  // Every request in flight listens on this signal.
  setMaxListeners(0, http.signal);
  let graceTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    graceTimer ??= setTimeout(() => http.abort(), options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS);
  };
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const inflight = new Set<Promise<void>>();
  let fatal: unknown;

  const send = async (batch: Batch<TrackedRow>) => {
    try {
      if (batch.kind === 'track') {
        const result = await braze.track(batch.body, http.signal);
        let failures: RowFailure[] | undefined;
        for (const e of result.objectErrors) {
          const row = e.input_array === batch.array ? batch.rows[e.index] : undefined;
          if (row) (failures ??= []).push({ row, reason: `Braze rejected the object: ${e.type}` });
        }
        if (failures) recordFailures(failures);
        run.rows_synced += batch.rows.length - (failures?.length ?? 0);
      } else {
        await braze.deleteUsers(batch.body, http.signal);
        run.rows_synced += batch.rows.length;
      }
      for (const row of batch.rows) row.done = true;
      finished();
    } catch (err) {
      // Rows of a failed or aborted request stay unfinished: never committed, re-read next run.
      if (!http.signal.aborted) fatal ??= err;
    } finally {
      progress();
    }
  };

  const dispatch = async (batch: Batch<TrackedRow>) => {
    while (inflight.size >= concurrency || (tracker.unfinishedSpan > maxPending && inflight.size > 0)) await Promise.race(inflight);
    const p = send(batch).finally(() => inflight.delete(p));
    inflight.add(p);
    // Let the event loop turn: the HTTP client writes requests and reads answers there, so a long
    // synchronous run of mapping must not hold them back (the server would sit idle meanwhile).
    await setImmediatePromise();
  };

  const batcher = new Batcher<TrackedRow>(batchSize, sync.data_type === 'user_deletes');
  // Rows above the old watermark cannot have been delivered: skip checks stop there.
  const startMicros = committed.watermarkMicros;
  let pastRecord = !committed.hasWatermark;
  const timing: ReadTiming = { first_row_ms: 0, wait_ms: 0 };
  try {
    const pages = reader.pages(window, { ...(options.chunkRows ? { chunkRows: options.chunkRows } : {}), ...(signal ? { signal } : {}) });
    reading: for await (const page of timedRead(pages, timing)) {
      for (const row of page) {
        if (signal?.aborted || fatal !== undefined) break reading;
        if (!pastRecord) {
          const m = micros(row.updatedAt);
          if (m > startMicros) pastRecord = true;
          else if (committed.has(m, rowKey(row, m))) {
            run.rows_skipped++;
            continue;
          }
        }
        run.rows_read++;
        const tracked = tracker.add(row);
        const mapped = mapRow(row, sync.data_type);
        if (!mapped.ok) {
          recordFailures([{ row: tracked, reason: mapped.reason, identifier: mapped.identifier }]);
          tracked.done = true;
          finished();
          continue;
        }
        for (const batch of batcher.add(mapped, tracked)) await dispatch(batch);
      }
      progress();
    }
    if (!signal?.aborted && fatal === undefined) for (const batch of batcher.close()) await dispatch(batch);
  } catch (err) {
    fatal ??= err;
  }

  run.read = { first_row_ms: Math.round(timing.first_row_ms), wait_ms: Math.round(timing.wait_ms) };
  await Promise.all(inflight);
  if (graceTimer) clearTimeout(graceTimer);
  signal?.removeEventListener('abort', onAbort);
  commits.request();
  await commits.flush();
  await checkpoints.compact();
  // A failed or cancelled run does not wait for the count (closing the reader ends it).
  if (fatal === undefined && !signal?.aborted) await noteFutureRows(run, counting, until, redact);
  progress();

  if (fatal !== undefined) throw fatal;
  run.status = signal?.aborted ? 'cancelled' : run.rows_failed > 0 ? 'partial' : 'success';
}

/** Records the rows stamped after the run's start; a failed count costs the warning, not the run. */
async function noteFutureRows(run: RunRecord, counting: Promise<WindowCounts>, until: string, redact: Redactor): Promise<void> {
  try {
    run.rows_in_future = (await counting).after;
  } catch (err) {
    run.warnings.push(redact(`The rows stamped after this run started could not be counted (${errorMessage(err)}); any such rows wait for a later run as usual.`));
    return;
  }
  if (run.rows_in_future > 0) {
    run.warnings.push(
      `${run.rows_in_future} row(s) have UPDATED_AT after this run started (${toIsoMicros(until)}); they were left for a later run so the watermark never moves past now. If those timestamps are wrong, fix them (UPDATED_AT should be UTC).`,
    );
  }
}
