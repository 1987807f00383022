/**
 * A crash between a checkpoint's two commits (docs/diffing.md), for the send: changed crash tests
 * (profiles, catalog items, shared state): the state store refuses to record the watermark once
 * the diff store has committed sequence `n`, as if the process died there.
 */
import type { SyncStateStore } from '../../core/src/state/state-store';

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
