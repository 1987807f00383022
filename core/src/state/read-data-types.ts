/**
 * Reads the data type each sync of a file was created with, for the immutability rule. One
 * directory listing per call; unreadable or foreign files count as "no record" (never a false error).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATA_TYPES, type DataType } from '../model/sync-file';
import { fileStem } from './state-location';
import { STATE_FILE_NAME, type DataTypeRecord, type StateLookup, type SyncState } from './sync-state';

export function readDataTypeRecords(stateRoot: string, filePath: string): Map<string, DataTypeRecord> {
  const dir = path.join(stateRoot, fileStem(filePath));
  const records = new Map<string, DataTypeRecord>();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return records;
  }
  for (const name of names) {
    try {
      const state = JSON.parse(fs.readFileSync(path.join(dir, name, STATE_FILE_NAME), 'utf8')) as Partial<SyncState>;
      if (state.data_type && (DATA_TYPES as readonly string[]).includes(state.data_type)) {
        records.set(name, { dataType: state.data_type as DataType, recordedAt: state.data_type_recorded_at ?? 'an earlier run' });
      }
    } catch {
      // no state for this sync yet
    }
  }
  return records;
}

export function lookupFrom(records: ReadonlyMap<string, DataTypeRecord>): StateLookup {
  return (name) => records.get(name);
}
