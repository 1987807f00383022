/**
 * Moving one sync's state between stores (`brazesync state import` / `export`): the state with
 * its watermark, the run history and the row errors, under both stores' locks so no run moves
 * the watermark meanwhile. A destination that already has state is left alone unless replacing.
 * `send: changed`'s hashes stay where they are (files: the sync's local LMDB store; shared: the
 * state database), so the copy records no diff checkpoint: its next run starts them over.
 */
import { watermarkIso } from './sync-state';
import type { SyncStateStore } from './state-store';

export interface CopyResult {
  /** False when the source has no state for the sync (it never ran or was tested). */
  copied: boolean;
  watermark: string | null;
  runs: number;
  rowErrors: number;
}

export class StateExistsError extends Error {
  constructor(what: string, watermark: string | null) {
    super(`${what} already has state (watermark ${watermark ?? 'none'}); nothing was copied. Pass --replace to overwrite it.`);
    this.name = 'StateExistsError';
  }
}

export async function copySyncState(from: SyncStateStore, to: SyncStateStore, options: { replace: boolean; what: string }): Promise<CopyResult> {
  const fromLock = await from.lock('state-copy');
  try {
    const toLock = await to.lock('state-copy');
    try {
      const state = await from.readState();
      if (!state) return { copied: false, watermark: null, runs: 0, rowErrors: 0 };
      const existing = await to.readState();
      if (existing && !options.replace) throw new StateExistsError(options.what, watermarkIso(existing));
      let rowErrors = 0;
      const runs = await from.listRuns();
      // Oldest first, so a copy cut short keeps a history without gaps.
      for (const run of [...runs].reverse()) {
        await to.saveRun(run);
        const errors = await from.readRowErrors(run.id);
        if (errors.length === 0) continue;
        const sink = await to.rowErrorSink(run.id);
        sink.append(errors);
        await sink.close();
        rowErrors += errors.length;
      }
      // The watermark last: until it is there, the destination holds no state a run would use.
      const { diff_seq: _seq, diff_stale: _stale, ...moved } = state;
      await to.writeState(moved);
      return { copied: true, watermark: watermarkIso(state), runs: runs.length, rowErrors };
    } finally {
      await toLock.release();
    }
  } finally {
    await fromLock.release();
  }
}
