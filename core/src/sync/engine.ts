/**
 * `runSync`: one run of one sync. Checks the table, reads the rows changed since the watermark
 * (UPDATED_AT ascending) and hands them to a Delivery (delivery.ts), which maps, batches and sends
 * them and checkpoints the contiguous delivered prefix as requests finish. Host-agnostic:
 * the CLI and the VS Code client call it with the same adapters; tests with real PostgreSQL and
 * the local Braze server.
 */
import { randomBytes } from 'node:crypto';
import type { SyncDefinition, SyncFile } from '../model/sync-file';
import { parseTimestampMicros, toIsoMicros } from '../model/timestamps';
import { newRunId, type ReadTiming, type RunRecord } from '../state/run-record';
import type { RowErrorSink, SyncStateStore } from '../state/state-store';
import { watermarkIso, type SyncState } from '../state/sync-state';
import { DEFAULT_BATCH_SIZE } from './batcher';
import { Delivery } from './delivery';
import { setUpDiff, type DiffPorts } from './diff-setup';
import type { SendPlan } from './send-plan';
import type { DeliveryRecord } from './delivery-record';
import { systemClock, type BrazeClient, type Clock, type SourceRow } from './ports';
import { loadedAhead } from './loaded-ahead';
import { timedRead } from './read-timing';
import { readWindowFor } from './read-window';
import { rowKey } from './row-key';
import type { SourceReader, WindowCounts } from './source-reader';
import { errorMessage, SyncConfigError, type Redactor } from './sync-errors';
import { checkTableContract } from './table-contract';

export const DEFAULT_CONCURRENCY = 16;

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

export interface RunSyncOptions extends DiffPorts {
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
  if (sync.data_type === 'catalog_items' && !sync.catalog) throw new SyncConfigError(`Sync "${syncName}" is a catalog sync without \`catalog\`: add \`catalog: <name>\` with the Braze catalog its items go to.`);
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
  const { file, syncName, reader } = options;
  const sync = file.syncs[syncName];
  if (!sync) throw new SyncConfigError(`No sync named "${syncName}".`);
  await checkSource(reader, sync);
  const diff = await setUpDiff(options, file, sync, state, options.store, run, options.clock ?? systemClock);
  try {
    await deliver(options, sync, state, run, sink, diff.plan);
  } finally {
    await diff.close().catch(() => undefined);
  }
}

/** Reads the window into a Delivery, settles it, and sets the run's outcome; throws what stopped it. */
async function deliver(options: RunSyncOptions, sync: SyncDefinition, state: SyncState, run: RunRecord, sink: RowErrorSink, plan: SendPlan): Promise<void> {
  const { reader, signal } = options;
  const redact = options.redact ?? ((t: string) => t);

  // One record serves both ends: rows already delivered are skipped, rows delivered now are added.
  const { record: committed, window } = readWindowFor(sync, state, (options.clock ?? systemClock).now());
  // Counted while the window streams: on a view or an unsorted table the count is a scan of its
  // own, and the read need not wait for it. Progress reports no total until then.
  let total: number | undefined;
  const counting = reader.counts(window).then((c) => {
    total = c.inWindow;
    return c;
  });
  counting.catch(() => undefined);
  const progress = () =>
    options.onProgress?.({
      ...(total !== undefined ? { total } : {}),
      read: run.rows_read,
      skipped: run.rows_skipped,
      synced: run.rows_synced,
      failed: run.rows_failed,
      watermark: committed.watermarkText,
    });

  const micros = microsParser();
  const delivery = new Delivery({
    run,
    dataType: sync.data_type,
    ...(sync.catalog !== undefined ? { catalog: sync.catalog } : {}),
    braze: options.braze,
    store: options.store,
    state,
    committed,
    sink,
    micros,
    concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
    batchSize: Math.min(sync.batch_size ?? DEFAULT_BATCH_SIZE, DEFAULT_BATCH_SIZE),
    redact,
    ...(signal ? { signal } : {}),
    ...(options.cancelGraceMs !== undefined ? { cancelGraceMs: options.cancelGraceMs } : {}),
    onProgress: progress,
    plan,
  });
  const timing: ReadTiming = { first_row_ms: 0, wait_ms: 0 };
  try {
    const pages = reader.pages(window, { ...(options.chunkRows ? { chunkRows: options.chunkRows } : {}), ...(signal ? { signal } : {}) });
    const read = timedRead(pages, timing);
    // Only a remote diff store loads ahead: holding each page back until the next is read costs the others for nothing.
    const ready = plan.loadsAhead ? loadedAhead(read, async (page) => void (await plan.prefetch(page))) : read;
    await readInto(delivery, ready, { run, committed, micros, progress });
  } catch (err) {
    delivery.fail(err);
  }
  run.read = { first_row_ms: Math.round(timing.first_row_ms), wait_ms: Math.round(timing.wait_ms) };
  await delivery.settle();
  // A failed or cancelled run does not wait for the count (closing the reader ends it).
  if (!delivery.stopped) await noteFutureRows(run, counting, window.until, redact);
  progress();
  delivery.rethrow();
  run.status = signal?.aborted ? 'cancelled' : run.rows_failed > 0 ? 'partial' : 'success';
}

/** The table exists and has the columns its data type needs; nothing is read otherwise. */
async function checkSource(reader: SourceReader, sync: SyncDefinition): Promise<void> {
  const table = await reader.describe();
  if (!table) throw new Error(`Table ${sync.table} was not found, or the connection's user cannot see it. Run \`brazesync test-connection\` for the fix.`);
  const contractErrors = checkTableContract(sync.data_type, table.columns).filter((i) => i.severity === 'error');
  if (contractErrors.length > 0) throw new Error(`Table ${table.sqlName} does not fit ${sync.data_type}: ${contractErrors.map((i) => i.message).join(' ')}`);
}

interface ReadContext {
  run: RunRecord;
  committed: DeliveryRecord;
  micros: (text: string) => number;
  progress: () => void;
}

/**
 * Hands every row of the window to `delivery`, skipping those the record says were delivered
 * (they can only sit at or below the old watermark), until the window ends or the run stops.
 */
async function readInto(delivery: Delivery, pages: AsyncIterable<SourceRow[]>, { run, committed, micros, progress }: ReadContext): Promise<void> {
  const startMicros = committed.watermarkMicros;
  let pastRecord = !committed.hasWatermark;
  for await (const page of pages) {
    for (const row of page) {
      if (delivery.stopped) return;
      if (!pastRecord) {
        const m = micros(row.updatedAt);
        if (m > startMicros) pastRecord = true;
        else if (committed.has(m, rowKey(row, m))) {
          run.rows_skipped++;
          continue;
        }
      }
      run.rows_read++;
      for (const batch of delivery.add(row)) await delivery.dispatch(batch);
    }
    progress();
  }
  if (!delivery.stopped) for (const batch of delivery.close()) await delivery.dispatch(batch);
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
