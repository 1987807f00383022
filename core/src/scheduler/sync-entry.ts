/**
 * What the scheduler holds per sync (its slot, state store and next instant) and per job (a run
 * from its claim until its outcome is known), with how log lines name them.
 */
import { formatRunTime } from '../schedule';
import type { SyncState } from '../state/sync-state';
import type { SyncStateStore } from '../state/state-store';
import type { SyncSlot } from './definition-set';
import type { LogEntry, LogLevel } from './log';

export interface Entry {
  slot: SyncSlot;
  store: SyncStateStore;
  /** Absent for syncs that are not scheduled. */
  nextRun?: Date;
}

export interface Job {
  key: string;
  scheduledFor: Date;
  startedAt: Date;
  runId?: string;
  controller: AbortController;
  /** With a fleet: this host holds the claim on the run (won it, or took it over). */
  claimed: boolean;
  /** With a fleet: tells the fleet member the run it won has started (or will not). */
  started?: () => void;
  /** With a fleet: the sync's last passing Test Connection as its claim read it. */
  tested?: Pick<SyncState, 'last_test'>;
}

export type Fields = Omit<LogEntry, 'time' | 'level' | 'event' | 'message'>;

/** Writes one log line (its time is the scheduler clock's). */
export type Emit = (level: LogLevel, event: LogEntry['event'], message: string, fields: Fields) => void;

export function ids(slot: SyncSlot): Fields {
  return { file: slot.target.filePath, sync: slot.target.syncName };
}

/** An instant in the sync's own time zone. */
export function when(entry: Entry, at: Date): string {
  return formatRunTime(at, entry.slot.plan.timeZone);
}
