/** Braze Sync: Show Log — the extension's and the language server's log channel. */
import * as vscode from 'vscode';
import type { Services } from '../services';

export function registerShowLog(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('brazeSync.showLog', () => services.log.show());
}
