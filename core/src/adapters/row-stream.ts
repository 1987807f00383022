/**
 * One statement's rows, handed over in chunks while the statement is still running: no cursor and
 * no fetch size (on Redshift both materialise the result on the leader node, and each fetch waits a
 * round trip), just the rows as the server sends them, with the socket paused while enough chunks
 * wait for the consumer. That pause is the backpressure: the kernel's buffers fill, the server
 * blocks on send, and memory stays at a few chunks however large the window is.
 *
 * Each DataRow message becomes a row as it is parsed (`handleDataRow`, the hook pg's Query and
 * pg-query-stream implement): no row arrays and no Result, which a sync of millions of rows has no
 * use for.
 */
import type { Duplex } from 'node:stream';
import pg from 'pg';
import type { SourceRow } from '../sync/ports';

export type RowDecoder = (fields: readonly (string | null)[]) => SourceRow;

/** Chunks waiting before the socket is paused: enough to cover a consumer's hiccup, few enough to stay small. */
const MAX_READY_CHUNKS = 4;
/** Payload bytes that end a chunk early, so wide rows make smaller chunks. */
const CHUNK_BYTES = 1024 * 1024;

export class StreamedQuery extends pg.Query {
  private chunk: SourceRow[] = [];
  private chunkBytes = 0;
  private readonly ready: SourceRow[][] = [];
  private waiter: (() => void) | undefined;
  private handOverScheduled = false;
  private paused = false;
  private done = false;
  private failure: Error | undefined;

  constructor(
    config: pg.QueryConfig,
    private readonly decode: RowDecoder,
    private readonly socket: Duplex,
    private readonly chunkRows: number,
  ) {
    // A callback, not 'error'/'end' events: with query_timeout set, pg reports errors to the
    // callback only, and a statement whose connection dropped would never settle.
    super(config, (err: Error | undefined) => this.finish(err));
  }

  /** Whether the server has finished the statement (successfully or not). */
  get finished(): boolean {
    return this.done;
  }

  /** Called by pg for every DataRow message of the statement. */
  handleDataRow(msg: { fields: (string | null)[] }): void {
    const row = this.decode(msg.fields);
    this.chunk.push(row);
    this.chunkBytes += row.payload?.length ?? 0;
    if (this.chunk.length >= this.chunkRows || this.chunkBytes >= CHUNK_BYTES) this.seal();
    else if (this.waiter && !this.handOverScheduled) {
      // The consumer is idle: hand over what this network read brought once pg has parsed all of it.
      this.handOverScheduled = true;
      setImmediate(() => {
        this.handOverScheduled = false;
        if (this.waiter && this.chunk.length > 0) this.seal();
      });
    }
  }

  /** The next chunk; undefined once every row has been handed over; throws the statement's error after the rows before it. */
  async next(): Promise<SourceRow[] | undefined> {
    for (;;) {
      const chunk = this.ready.shift();
      if (chunk) {
        this.resumeIfLow();
        return chunk;
      }
      if (this.chunk.length > 0) {
        this.seal();
        continue;
      }
      if (this.done) {
        if (this.failure) throw this.failure;
        return undefined;
      }
      this.resumeIfLow();
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private seal(): void {
    this.ready.push(this.chunk);
    this.chunk = [];
    this.chunkBytes = 0;
    if (this.ready.length >= MAX_READY_CHUNKS && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.wake();
  }

  private resumeIfLow(): void {
    if (this.paused && this.ready.length < MAX_READY_CHUNKS / 2) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private finish(err: Error | undefined): void {
    this.done = true;
    this.failure = err;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
