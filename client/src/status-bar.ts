/** The status bar item: the sync running now, else the last result in this window. */
import * as vscode from 'vscode';
import type { RunStatus } from '../../core/src/state/run-record';
import { runSummary, type RunRegistry } from './sync/run-registry';

const ICON: Record<RunStatus, string> = { running: 'sync~spin', success: 'pass', partial: 'warning', error: 'error', cancelled: 'circle-slash', skipped: 'debug-step-over' };

export function createStatusBar(runs: RunRegistry): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('brazeSync.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Braze Sync';
  const update = () => {
    const active = runs.running();
    const first = active[0];
    const last = runs.last();
    if (first) {
      const more = active.length > 1 ? ` (+${active.length - 1})` : '';
      item.text = `$(sync~spin) ${first.sync}${first.progress ? `: ${first.progress.synced.toLocaleString('en-US')} sent` : ''}${more}`;
      item.tooltip = `Braze Sync: running ${active.map((a) => a.sync).join(', ')}`;
      item.command = 'brazeSync.syncs.focus';
      item.backgroundColor = undefined;
      item.show();
    } else if (last) {
      item.text = `$(${ICON[last.run.status]}) ${last.run.sync}: ${last.run.status}`;
      item.tooltip = `Braze Sync: ${runSummary(last.run)}`;
      item.command = { command: 'brazeSync.showRun', title: 'Show Run', arguments: [{ file: last.file, sync: last.sync, runId: last.run.id }] };
      item.backgroundColor = last.run.status === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      item.show();
    } else {
      item.hide();
    }
  };
  const sub = runs.onDidChange(update);
  return vscode.Disposable.from(item, sub);
}
