/**
 * The source side of the engine: a table read in `UPDATED_AT` order. The real adapter is
 * `adapters/redshift-reader.ts` (Redshift, or PostgreSQL in tests); the engine sees only this.
 */
import type { SourceRow } from './ports';

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
}

export interface TablePrivileges {
  schemaUsage: boolean;
  select: boolean;
  insert: boolean;
  update: boolean;
  delete: boolean;
}

/**
 * Rows to read: `UPDATED_AT` in [from, until] (both inclusive; no `from` = from the beginning).
 * `until` is "now" bound as a parameter, so rows stamped in the future wait for their time.
 */
export interface ReadWindow {
  from?: string;
  until: string;
}

export interface SourceReader {
  /** The table and its columns, or undefined when it does not exist (or is invisible to the user). */
  describe(): Promise<SourceTable | undefined>;
  privileges(): Promise<TablePrivileges>;
  /** Pages of rows in a deterministic total order (UPDATED_AT, identifiers, payload hash). */
  pages(window: ReadWindow, options?: { pageSize?: number; signal?: AbortSignal }): AsyncIterable<SourceRow[]>;
  count(window: ReadWindow): Promise<number>;
  /** Rows stamped after `until` (in the future relative to the run). */
  countAfter(until: string): Promise<number>;
  close(): Promise<void>;
}
