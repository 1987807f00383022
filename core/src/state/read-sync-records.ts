/**
 * Reads what validation needs from each sync's state (the data type it was created with, its last
 * passing connection test). One directory listing per call; unreadable or foreign files count as
 * "no record" (never a false error). An empty map means nothing is known about the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATA_TYPES, type DataType } from '../model/sync-file';
import { fileStem } from './state-location';
import { STATE_FILE_NAME, type SyncRecord, type StateLookup, type SyncState } from './sync-state';

export function readSyncRecords(stateRoot: string, filePath: string): Map<string, SyncRecord> {
  const dir = path.join(stateRoot, fileStem(filePath));
  const records = new Map<string, SyncRecord>();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return records;
  }
  for (const name of names) {
    try {
      const state = JSON.parse(fs.readFileSync(path.join(dir, name, STATE_FILE_NAME), 'utf8')) as Partial<SyncState>;
      const record: SyncRecord = {};
      if (state.data_type && (DATA_TYPES as readonly string[]).includes(state.data_type)) {
        record.dataType = state.data_type as DataType;
        record.recordedAt = state.data_type_recorded_at ?? 'an earlier run';
      }
      if (state.last_test?.fingerprint) record.lastTest = state.last_test;
      records.set(name, record);
    } catch {
      // no state for this sync yet
    }
  }
  return records;
}

export function lookupFrom(records: ReadonlyMap<string, SyncRecord>): StateLookup {
  return (name) => records.get(name);
}
