/**
 * The webview panels: one History panel per sync (kept current as runs land) and one result panel
 * per sync for Test Connection / Preview Sync. Panels never enable scripts: the pages are static
 * HTML under a CSP that forbids script (see html.ts). Result panels allow one command URI, the
 * rows grid's "Copy" link.
 */
import * as vscode from 'vscode';
import { createFileStateStore } from '../../../core/src/state/file-state-store';
import type { RowErrorRecord } from '../../../core/src/state/run-record';
import { stateRootFor, syncStateDir } from '../../../core/src/state/state-location';
import { keyOf } from '../sync/run-registry';
import { configuredStateDir } from '../sync/state-dir';
import type { SyncTarget } from '../sync/targets';
import { renderHistoryPage } from './history-page';
import { newNonce } from './html';
import { COPY_ROW_COMMAND } from './preview-rows';

const HISTORY_RUNS = 200;
const ROW_ERRORS_PER_RUN = 200;

interface HistoryPanel {
  panel: vscode.WebviewPanel;
  target: SyncTarget;
  focusRunId?: string;
}

export class Panels implements vscode.Disposable {
  private readonly history = new Map<string, HistoryPanel>();
  private readonly results = new Map<string, vscode.WebviewPanel>();

  async showHistory(target: SyncTarget, focusRunId?: string): Promise<void> {
    const key = keyOf({ file: target.uri.fsPath, sync: target.sync });
    let entry = this.history.get(key);
    if (entry) {
      entry.panel.reveal(undefined, true);
    } else {
      const panel = createPanel('brazeSync.history', `History: ${target.sync}`);
      entry = { panel, target };
      this.history.set(key, entry);
      panel.onDidDispose(() => this.history.delete(key));
    }
    if (focusRunId) entry.focusRunId = focusRunId;
    await renderHistory(entry);
  }

  /** Called when recorded state changes, so open History panels show new runs. */
  async refreshHistory(): Promise<void> {
    await Promise.all([...this.history.values()].map(renderHistory));
  }

  /** Shows `html` in the sync's result panel (Test Connection, Preview Sync), beside the editor. */
  showResult(target: SyncTarget, title: string, html: string): vscode.Webview {
    const key = keyOf({ file: target.uri.fsPath, sync: target.sync });
    let panel = this.results.get(key);
    if (panel) {
      panel.title = title;
      panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      panel = createPanel('brazeSync.result', title, [COPY_ROW_COMMAND]);
      this.results.set(key, panel);
      panel.onDidDispose(() => this.results.delete(key));
    }
    panel.webview.html = html;
    return panel.webview;
  }

  dispose(): void {
    for (const e of this.history.values()) e.panel.dispose();
    for (const p of this.results.values()) p.dispose();
  }
}

function createPanel(viewType: string, title: string, commands: readonly string[] = []): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(
    viewType,
    title,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    { enableScripts: false, enableCommandUris: commands.length ? commands : false, enableFindWidget: true, localResourceRoots: [] },
  );
}

async function renderHistory(entry: HistoryPanel): Promise<void> {
  const { target } = entry;
  const store = createFileStateStore(syncStateDir(stateRootFor(target.uri.fsPath, configuredStateDir()), target.uri.fsPath, target.sync));
  const runs = await store.listRuns(HISTORY_RUNS);
  const rowErrors = new Map<string, RowErrorRecord[]>();
  for (const run of runs) {
    if (run.rows_failed > 0) rowErrors.set(run.id, await store.readRowErrors(run.id, ROW_ERRORS_PER_RUN).catch(() => []));
  }
  entry.panel.webview.html = renderHistoryPage({
    sync: target.sync,
    fileLabel: vscode.workspace.asRelativePath(target.uri),
    runs,
    rowErrors,
    nonce: newNonce(),
    ...(entry.focusRunId ? { focusRunId: entry.focusRunId } : {}),
  });
}
