/**
 * Braze Sync: Reset Watermark… — clears the sync's watermark after confirmation, so the next run
 * reads every row again. Takes the sync's job lock, like the CLI's `watermark --reset`.
 */
import * as vscode from 'vscode';
import { editWatermark } from '../../../core/src/state/edit-watermark';
import type { SyncStateStore } from '../../../core/src/state/state-store';
import type { SyncState } from '../../../core/src/state/sync-state';
import { errorMessage } from '../../../core/src/sync/sync-errors';
import type { Services } from '../services';
import { formatWatermark } from '../tree/format';
import { openSyncStore } from '../sync/sync-store';
import { resolveTarget } from '../sync/targets';

export function registerResetWatermark(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('brazeSync.resetWatermark', async (...args: unknown[]) => {
    const target = await resolveTarget(args, 'reset the watermark of');
    if (!target) return;
    let store: SyncStateStore;
    let state: SyncState | undefined;
    try {
      store = (await openSyncStore(services.stateBackends, target)).store;
      state = await store.readState();
    } catch (err) {
      void vscode.window.showErrorMessage(`Braze Sync: can't read the watermark of ${target.sync}. ${errorMessage(err)}`);
      return;
    }
    if (!state?.watermark) {
      void vscode.window.showInformationMessage(`Braze Sync: ${target.sync} has no watermark; the next run reads every row already.`);
      return;
    }
    const choice = await vscode.window.showWarningMessage(
      `Reset the watermark of ${target.sync}?`,
      {
        modal: true,
        detail: `It is now ${formatWatermark(state.watermark.updated_at)}. The next run reads every row of the table again and sends them to Braze: attribute updates are rewritten (and billed as data points again); events and purchases are recorded twice.`,
      },
      'Reset Watermark',
    );
    if (choice !== 'Reset Watermark') return;
    try {
      await editWatermark(store, target.sync, null, 'watermark');
    } catch (err) {
      services.log.error(`Reset Watermark ${target.sync}: not reset: ${errorMessage(err)}`);
      void vscode.window.showErrorMessage(`Braze Sync: the watermark of ${target.sync} was not reset. ${errorMessage(err)}`);
      return;
    }
    services.log.info(`Watermark of ${target.sync} reset (was ${formatWatermark(state.watermark.updated_at)}).`);
    services.tree.refresh();
    void vscode.window.showInformationMessage(`Braze Sync: the watermark of ${target.sync} was reset; the next run reads every row.`);
  });
}

