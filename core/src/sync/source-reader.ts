/**
 * The source side of the engine: a table read in `UPDATED_AT` order. The real adapter is
 * `adapters/redshift-reader.ts` (Redshift, or PostgreSQL in tests); the engine sees only this.
 */
import type { DataType, SourceRow } from './ports';
import type { WindowAudit } from './window-audit';

export interface SourceColumn {
  /** Name as stored in the catalog (case preserved). */
  name: string;
  /** Catalog type name, lower case, e.g. `timestamp with time zone`, `character varying`. */
  type: string;
}

export interface SourceTable {
  /** Schema-qualified, quoted SQL name of the resolved table (safe to show; safe to embed in SQL). */
  sqlName: string;
  schema: string;
  table: string;
  columns: SourceColumn[];
  /**
   * Set when the table is in another database of the cluster than the connection's (a datashare
   * consumer database): `sqlName` is then the three-part name.
   */
  database?: string;
  /** A Spectrum external table: not in pg_class, so has_table_privilege cannot check it. */
  external?: boolean;
}

export interface TablePrivileges {
  schemaUsage: boolean;
  select: boolean;
  insert: boolean;
  update: boolean;
  delete: boolean;
  /**
   * Why the grants were not checked (an external table, a datashare object), said to the user
   * instead of a pass or a fail; the flags above are then all false and mean nothing.
   */
  notChecked?: string;
}

/**
 * Rows to read: `UPDATED_AT` in [from, until] (both inclusive; no `from` = from the beginning).
 * `until` is "now" bound as a parameter, so rows stamped in the future wait for their time.
 */
export interface ReadWindow {
  from?: string;
  until: string;
}

export interface WindowCounts {
  /** Rows in the window (identical rows counted each time). */
  inWindow: number;
  /** Rows stamped after the window's end: in the future when the run started. */
  after: number;
}

export interface ReadOptions {
  /** At most this many rows (preview). */
  limit?: number;
  /** Rows per chunk handed over (default: about 2,000, fewer for wide rows). */
  chunkRows?: number;
  signal?: AbortSignal;
}

export interface SourceReader {
  /** The table and its columns, or undefined when it does not exist (or is invisible to the user). */
  describe(): Promise<SourceTable | undefined>;
  privileges(): Promise<TablePrivileges>;
  /**
   * The window's rows in chunks, UPDATED_AT ascending; rows sharing a timestamp come in any order,
   * and identical rows (same UPDATED_AT, identifiers and payload) come once.
   */
  pages(window: ReadWindow, options?: ReadOptions): AsyncIterable<SourceRow[]>;
  /** Independent of `pages`: the two may run at the same time. */
  counts(window: ReadWindow): Promise<WindowCounts>;
  /** The row checks SQL can express, over every row of the window (and rows no window reads yet). */
  audit(window: ReadWindow, dataType: DataType): Promise<WindowAudit>;
  close(): Promise<void>;
}
