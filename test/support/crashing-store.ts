/** A state store that dies between the diff store's commit and the watermark's (send: changed crash tests). */
import type { SyncStateStore } from '../../core/src/state/state-store';

/** The store, failing the watermark's journal append once the diff store has committed `n` times. */
export function crashingStore(store: SyncStateStore, n: number): SyncStateStore {
  let appends = 0;
  return {
    ...store,
    async appendWatermark(delta) {
      if (delta.diff_seq !== undefined && delta.diff_seq >= n) throw new Error(`simulated crash between the two commits (append ${++appends})`);
      await store.appendWatermark?.(delta);
    },
    async writeState(state) {
      if ((state.diff_seq ?? 0) >= n) throw new Error('simulated crash between the two commits');
      await store.writeState(state);
    },
  };
}
