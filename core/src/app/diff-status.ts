/**
 * `brazesync diff`: what a sync's diff store holds, and forgetting it (`diff reset`: the next
 * `send: changed` run sends every attribute). Under the sync's job lock, so it never races a run.
 */
import type { DiffStoreFactory } from '../diff/diff-store';
import type { SyncStateStore } from '../state/state-store';

export interface DiffStatus {
  /** Where the hashes live. */
  location: string;
  exists: boolean;
  /** Bytes on disk, when it exists and can be read. */
  size_bytes?: number;
  /** The diff checkpoint the watermark recorded. */
  checkpoint?: number;
}

export async function diffStatus(factory: DiffStoreFactory, store: SyncStateStore): Promise<DiffStatus> {
  const state = await store.readState();
  const exists = await factory.exists();
  const status: DiffStatus = { location: factory.location, exists, ...(state?.diff_seq !== undefined ? { checkpoint: state.diff_seq } : {}) };
  if (!exists) return status;
  try {
    const opened = await factory.open();
    try {
      status.size_bytes = await opened.sizeBytes();
    } finally {
      await opened.close();
    }
  } catch {
    // Unreadable: the next run says so and starts over; the status shows it exists.
  }
  return status;
}

/** Forgets the sync's hashes; true when there were any. Throws JobInProgressError while a run holds the sync. */
export async function resetDiff(factory: DiffStoreFactory, store: SyncStateStore, owner: string): Promise<boolean> {
  const lock = await store.lock(owner);
  try {
    const existed = await factory.exists();
    await factory.discard();
    const state = await store.readState();
    if (state && state.diff_seq !== undefined) {
      delete state.diff_seq;
      await store.writeState(state);
    }
    return existed;
  } finally {
    await lock.release();
  }
}
