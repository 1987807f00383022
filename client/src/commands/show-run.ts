/** Show Run (from a run notification or a run in the tree): the History panel with that run opened. */
import * as vscode from 'vscode';
import type { Services } from '../services';
import { targetFromArgs } from '../sync/targets';

export function registerShowRun(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('brazeSync.showRun', async (...args: unknown[]) => {
    const target = targetFromArgs(args);
    const first = args[0];
    const runId = first && typeof first === 'object' && 'runId' in first ? (first as { runId?: unknown }).runId : args[2];
    if (!target.uri || !target.sync) return;
    await services.panels.showHistory({ uri: target.uri, sync: target.sync }, typeof runId === 'string' ? runId : undefined);
  });
}
