/** Braze Sync: Refresh Syncs — re-reads definition files and recorded state (normally automatic). */
import * as vscode from 'vscode';
import type { Services } from '../services';

export function registerRefresh(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('brazeSync.refresh', () => {
    services.tree.refresh();
    void services.panels.refreshHistory();
  });
}
