/** Braze Sync: Show History — the sync's runs as a chart over the table of runs. */
import * as vscode from 'vscode';
import type { Services } from '../services';
import { resolveTarget } from '../sync/targets';

export function registerShowHistory(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('brazeSync.showHistory', async (...args: unknown[]) => {
    const target = await resolveTarget(args, 'show history');
    if (target) await services.panels.showHistory(target);
  });
}
