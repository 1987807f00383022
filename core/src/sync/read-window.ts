/** The rows a run reads: from the watermark (or the lookback window's start) up to now. */
import type { SyncDefinition } from '../model/sync-file';
import type { SyncState } from '../state/sync-state';
import { DeliveryRecord } from './delivery-record';
import type { ReadWindow } from './source-reader';
import { formatDate, parseLookback } from '../model/timestamps';

export function lookbackMicros(definition: SyncDefinition): number {
  return definition.lookback ? parseLookback(definition.lookback) : 0;
}

export function readWindowFor(definition: SyncDefinition, state: SyncState | undefined, now: Date): { record: DeliveryRecord; window: ReadWindow } {
  const record = new DeliveryRecord(lookbackMicros(definition), state?.watermark);
  const until = formatDate(now);
  const from = record.readFrom();
  return { record, window: from === undefined ? { until } : { from, until } };
}
