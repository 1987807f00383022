/**
 * What is recorded about a sync between runs (`state.json` in its state directory).
 * The engine writes it atomically; validation reads `data_type` (immutability) and `last_test`
 * (an active sync needs a passing connection test of its current settings).
 */
import type { DataType } from '../model/sync-file';
import { toIsoMicros } from '../model/timestamps';

export const STATE_FILE_NAME = 'state.json';

export interface Watermark {
  /** Max delivered `UPDATED_AT`, kept as the database's text form at full microsecond precision. */
  updated_at: string;
  /** Keys of rows at exactly `updated_at` already delivered, so ties are neither lost nor resent. */
  boundary_keys: string[];
  /**
   * With `lookback`: keys of rows delivered at earlier timestamps, complete for every row with
   * `UPDATED_AT` in [`from`, `updated_at`), so rows re-read in the window are skipped rather than
   * resent. Absent without lookback (the record then covers `updated_at` only).
   */
  recent?: { from: string; groups: { updated_at: string; keys: string[] }[] };
}

/** The recorded watermark as ISO 8601 UTC with its microseconds; null before the first delivery. */
export function watermarkIso(state: Pick<SyncState, 'watermark'> | null | undefined): string | null {
  return state?.watermark ? toIsoMicros(state.watermark.updated_at) : null;
}

export interface ConnectionTestRecord {
  at: string;
  /** Hash of the connection settings and table that were tested (no secret values). */
  fingerprint: string;
}

export interface SyncState {
  version: 1;
  sync: string;
  /** The data type the sync was created with; immutable afterwards. */
  data_type?: DataType;
  /** When `data_type` was first recorded (ISO 8601). */
  data_type_recorded_at?: string;
  watermark?: Watermark | null;
  last_test?: ConnectionTestRecord | null;
  /**
   * With `send: changed`: the diff store checkpoint the watermark includes. The store commits
   * first with this number, then the watermark records it (see docs/diffing.md).
   */
  diff_seq?: number;
  /**
   * Set when a `send: changed` run could not use its diff store and sent every attribute without
   * recording it: the hashes no longer say what Braze holds, so the next run that opens the store
   * forgets them.
   */
  diff_stale?: boolean;
}

/** The part of recorded state the validator needs, injected so `core/lang` stays free of I/O. */
export interface SyncRecord {
  /** The data type the sync was created with, once it has run. */
  dataType?: DataType;
  recordedAt?: string;
  lastTest?: ConnectionTestRecord;
}

export type StateLookup = (syncName: string) => SyncRecord | undefined;
