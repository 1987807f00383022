/**
 * The sending half of a run: rows read are mapped and batched, batches go to Braze concurrently,
 * and the contiguous prefix of finished rows (delivered, or recorded as failed) is checkpointed as
 * requests complete (checkpoints.ts, paced by a CommitLoop). What a crash resends is bounded in
 * rounds of requests: delivered rows stuck behind a slow head-of-line request (about one extra
 * round), and finished rows not saved yet (a round makes the next save urgent).
 */
import { setMaxListeners } from 'node:events';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { DataType } from '../model/sync-file';
import { toIsoMicros } from '../model/timestamps';
import { truncatePayload, type RowErrorRecord, type RunRecord } from '../state/run-record';
import type { RowErrorSink, SyncStateStore } from '../state/state-store';
import type { SyncState } from '../state/sync-state';
import { Batcher, type Batch } from './batcher';
import { Checkpoints } from './checkpoints';
import { CommitLoop } from './commit-loop';
import type { DeliveryRecord } from './delivery-record';
import { DeliveryTracker, type TrackedRow } from './delivery-tracker';
import { mapCatalogRow } from './catalog-mapping';
import { CatalogRequests, type CatalogBatch } from './catalog-requests';
import type { BrazeClient, SourceRow } from './ports';
import { rowIdentifier } from './row-identity';
import { mapRow, type UserDataType } from './row-mapping';
import type { SendPlan } from './send-plan';
import type { Redactor } from './sync-errors';

const DEFAULT_CANCEL_GRACE_MS = 10_000;
const RUN_RECORD_INTERVAL_MS = 1000;
/** Checkpoints start at most this often, unless a round of requests' worth of rows waits. */
const CHECKPOINT_INTERVAL_MS = 200;
/** Rows finished without a request (nothing changed) are handed to checkpoints this many at a time. */
const QUIET_ROWS = 512;

export interface DeliveryOptions {
  run: RunRecord;
  dataType: DataType;
  /** With `catalog_items`: the catalog the items go to. */
  catalog?: string;
  braze: BrazeClient;
  store: SyncStateStore;
  state: SyncState;
  /** The watermark's record: rows delivered now are added to it. */
  committed: DeliveryRecord;
  sink: RowErrorSink;
  /** UPDATED_AT text → µs. */
  micros: (text: string) => number;
  concurrency: number;
  batchSize: number;
  redact: Redactor;
  /** Cancellation: requests in flight may finish for `cancelGraceMs`, then they are aborted. */
  signal?: AbortSignal;
  cancelGraceMs?: number;
  /** Called whenever a request completes. */
  onProgress: () => void;
  /** What each row sends (diffing) and what outcomes count. */
  plan: SendPlan;
}

interface RowFailure {
  row: TrackedRow;
  reason: string;
  /** Known when the mapper failed the row; worked out from the row otherwise. */
  identifier?: string;
}

/** Requests of any data type: user objects and deletes, or catalog items. */
export type AnyBatch = Batch<TrackedRow> | CatalogBatch<TrackedRow>;

export class Delivery {
  private readonly tracker = new DeliveryTracker();
  private readonly checkpoints: Checkpoints;
  private readonly commits: CommitLoop;
  private readonly batcher: Batcher<TrackedRow>;
  /** How rows become requests: per user-data type, or as catalog items. */
  private readonly mode: { userType: UserDataType } | { catalog: CatalogRequests<TrackedRow> };
  private readonly inflight = new Set<Promise<void>>();
  /** Requests get their own signal: cancellation first lets in-flight requests finish. */
  private readonly http = new AbortController();
  private graceTimer: NodeJS.Timeout | undefined;
  private lastRunSave = Date.now();
  private readonly maxPending: number;
  private readonly commitRows: number;
  private fatal: unknown;
  private failed = false;
  /** Rows finished without a request since the finished prefix was last taken. */
  private quiet = 0;

  constructor(private readonly o: DeliveryOptions) {
    this.maxPending = o.concurrency * o.batchSize * 2;
    this.commitRows = o.concurrency * o.batchSize;
    this.batcher = new Batcher<TrackedRow>(o.batchSize, o.dataType === 'user_deletes');
    this.mode = o.dataType === 'catalog_items' ? { catalog: new CatalogRequests(o.catalog ?? '', o.braze, o.batchSize) } : { userType: o.dataType };
    this.checkpoints = new Checkpoints(o.store, o.state, o.committed, o.sink, o.micros, o.plan.checkpointPart);
    this.commits = new CommitLoop(() => this.checkpoint(), CHECKPOINT_INTERVAL_MS);
    // Every request in flight listens on this signal.
    setMaxListeners(0, this.http.signal);
    if (o.signal?.aborted) this.onAbort();
    o.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Whether reading should stop: cancelled, or a request failed for good. */
  get stopped(): boolean {
    return this.failed || this.o.signal?.aborted === true;
  }

  /** Stops the run with `err` (the first error wins); requests in flight still finish. */
  fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.fatal = err;
  }

  /**
   * Takes a row read for this run: a row that can't be mapped is recorded as failed (and finished)
   * at once; the others are batched. Returns the batches the row closed, for `dispatch`.
   */
  add(row: SourceRow): readonly AnyBatch[] {
    const tracked = this.tracker.add(row);
    let failure: { reason: string; identifier: string };
    if ('catalog' in this.mode) {
      const mapped = mapCatalogRow(row);
      if (mapped.ok) {
        const op = this.o.plan.prepareItem(mapped, tracked);
        return op ? this.mode.catalog.add(op, tracked) : this.inStep(tracked);
      }
      failure = mapped;
    } else {
      const mapped = mapRow(row, this.mode.userType);
      if (mapped.ok) {
        const object = this.o.plan.prepare(mapped, tracked);
        return object ? this.batcher.add(object, tracked) : this.inStep(tracked);
      }
      failure = mapped;
    }
    this.recordFailures([{ row: tracked, reason: failure.reason, identifier: failure.identifier }]);
    tracked.done = true;
    this.finished();
    return [];
  }

  /** Nothing of the row changed: in step with Braze already. Taken with the next prefix, or a batch of them. */
  private inStep(tracked: TrackedRow): readonly AnyBatch[] {
    this.o.run.rows_synced++;
    tracked.done = true;
    if (++this.quiet >= QUIET_ROWS) this.finished();
    return [];
  }

  /** The last, partly filled batch (end of input). */
  close(): readonly AnyBatch[] {
    return 'catalog' in this.mode ? this.mode.catalog.close() : this.batcher.close();
  }

  /** Sends `batch` once a slot is free; resolves when it is on its way. */
  async dispatch(batch: AnyBatch): Promise<void> {
    const { concurrency } = this.o;
    while (this.inflight.size >= concurrency || (this.tracker.unfinishedSpan > this.maxPending && this.inflight.size > 0)) await Promise.race(this.inflight);
    const p = this.send(batch).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
    // Let the event loop turn: the HTTP client writes requests and reads answers there, so a long
    // synchronous run of mapping must not hold them back (the server would sit idle meanwhile).
    await setImmediatePromise();
  }

  /** Waits for the requests in flight and makes what they finished durable; throws the run's error, if any. */
  async settle(): Promise<void> {
    await Promise.all(this.inflight);
    this.finished();
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.o.signal?.removeEventListener('abort', this.onAbort);
    this.commits.request();
    await this.commits.flush();
    await this.checkpoints.compact();
  }

  /** Throws the error that stopped the run, if one did. */
  rethrow(): void {
    if (this.failed) throw this.fatal;
  }

  private readonly onAbort = () => {
    this.graceTimer ??= setTimeout(() => this.http.abort(), this.o.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS);
  };

  private async send(batch: AnyBatch): Promise<void> {
    const { run, braze } = this.o;
    try {
      if (batch.kind === 'catalog') {
        const failures = 'catalog' in this.mode ? await this.mode.catalog.send(batch, this.http.signal) : [];
        if (failures.length > 0) this.recordFailures(failures);
        this.o.plan.accepted(batch.rows, failures.length > 0 ? new Set(failures.map((f) => f.row)) : undefined);
        run.rows_synced += batch.rows.length - failures.length;
      } else if (batch.kind === 'track') {
        const result = await braze.track(batch.body, this.http.signal);
        let failures: RowFailure[] | undefined;
        for (const e of result.objectErrors) {
          const row = e.input_array === batch.array ? batch.rows[e.index] : undefined;
          if (row) (failures ??= []).push({ row, reason: `Braze rejected the object: ${e.type}` });
        }
        if (failures) this.recordFailures(failures);
        this.o.plan.accepted(batch.rows, failures && new Set(failures.map((f) => f.row)));
        run.rows_synced += batch.rows.length - (failures?.length ?? 0);
      } else {
        await braze.deleteUsers(batch.body, this.http.signal);
        await this.o.plan.deleted(batch.rows);
        run.rows_synced += batch.rows.length;
      }
      for (const row of batch.rows) row.done = true;
      this.finished();
    } catch (err) {
      // Rows of a failed or aborted request stay unfinished: never committed, re-read next run.
      if (!this.http.signal.aborted) this.fail(err);
    } finally {
      this.o.onProgress();
    }
  }

  /** Finished rows leave the tracker at once (only boundary keys are kept); saving them is paced. */
  private finished(): void {
    this.quiet = 0;
    this.checkpoints.absorb(this.tracker.takeFinishedPrefix(this.o.plan.stage));
    this.commits.request(this.checkpoints.unsaved >= this.commitRows);
  }

  /** A checkpoint that cannot be recorded stops the run: rows sent from then on could not be committed. */
  private async checkpoint(): Promise<void> {
    try {
      await this.save();
    } catch (err) {
      this.fail(err);
      throw err;
    }
  }

  private async save(): Promise<void> {
    const { run, committed, store } = this.o;
    if (!(await this.checkpoints.save())) return;
    run.watermark_after = committed.watermarkText === null ? null : toIsoMicros(committed.watermarkText);
    // The run record is informational mid-run; the state is what resumes. Keep checkpoints short.
    if (Date.now() - this.lastRunSave >= RUN_RECORD_INTERVAL_MS) {
      this.lastRunSave = Date.now();
      await store.saveRun(run);
    }
  }

  private recordFailures(failures: readonly RowFailure[]): void {
    const { run, sink, redact } = this.o;
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
  }
}
