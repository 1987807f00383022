/**
 * Moving or clearing a watermark by hand (CLI `watermark --set/--reset`, VS Code "Reset
 * Watermark…"): under the sync's job lock, so it never races a run.
 */
import type { SyncStateStore } from './state-store';
import type { SyncState, Watermark } from './sync-state';

/**
 * Sets the watermark to `updatedAt` (database text form) or clears it (`null`: the next run
 * reads every row). Rows at exactly the new watermark are sent again: nothing is recorded as
 * delivered there. Throws JobInProgressError while a run holds the sync.
 */
export async function editWatermark(store: SyncStateStore, syncName: string, updatedAt: string | null, owner: string): Promise<SyncState> {
  const lock = await store.lock(owner);
  try {
    const state = (await store.readState()) ?? { version: 1 as const, sync: syncName };
    const watermark: Watermark | null = updatedAt === null ? null : { updated_at: updatedAt, boundary_keys: [] };
    state.watermark = watermark;
    await store.writeState(state);
    return state;
  } finally {
    await lock.release();
  }
}
