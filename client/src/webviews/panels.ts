/**
 * The webview panels: one History panel per sync (kept current as runs land: on local state
 * changes, and by polling while a panel on shared state is visible) and one result panel
 * per sync for Test Connection / Preview Sync. Panels never enable scripts: the pages are static
 * HTML under a CSP that forbids script (see html.ts). Result panels allow one command URI, the
 * rows grid's "Copy" link.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../../core/src/sync/sync-errors';
import { keyOf } from '../sync/run-registry';
import type { StateBackends } from '../sync/state-backends';
import { openSyncStore } from '../sync/sync-store';
import type { SyncTarget } from '../sync/targets';
import { readHistory, type HistoryData } from './history-data';
import { renderHistoryPage } from './history-page';
import { newNonce } from './html';
import { COPY_ROW_COMMAND } from './preview-rows';

interface HistoryPanel {
  panel: vscode.WebviewPanel;
  target: SyncTarget;
  focusRunId?: string;
  /** Whether its state is in a shared database (polled while visible). */
  shared?: boolean;
  /** What the page shows now: re-rendering the same data would reset its scroll and open rows. */
  shown?: string;
}

export class Panels implements vscode.Disposable {
  private readonly history = new Map<string, HistoryPanel>();
  private readonly results = new Map<string, vscode.WebviewPanel>();

  constructor(private readonly backends: StateBackends) {}

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
    await this.render(entry);
  }

  /** Called when recorded state changes, so open History panels show new runs. */
  async refreshHistory(): Promise<void> {
    await Promise.all([...this.history.values()].map((e) => this.render(e)));
  }

  /** Whether a visible History panel shows shared state (which only polling sees change). */
  showsSharedState(): boolean {
    return [...this.history.values()].some((e) => e.shared && e.panel.visible);
  }

  /** Re-reads the visible History panels on shared state. */
  async pollHistory(): Promise<void> {
    await Promise.all([...this.history.values()].filter((e) => e.shared && e.panel.visible).map((e) => this.render(e)));
  }

  private async render(entry: HistoryPanel): Promise<void> {
    const { target } = entry;
    let data: HistoryData | undefined;
    let error: string | undefined;
    try {
      const { backend, store } = await openSyncStore(this.backends, target);
      entry.shared = backend.kind === 'postgres';
      data = await readHistory(store);
    } catch (err) {
      error = errorMessage(err);
    }
    const shown = JSON.stringify([data?.runs, [...(data?.rowErrors ?? [])], error, entry.focusRunId]);
    if (shown === entry.shown) return;
    entry.shown = shown;
    entry.panel.webview.html = renderHistoryPage({
      sync: target.sync,
      fileLabel: vscode.workspace.asRelativePath(target.uri),
      runs: data?.runs ?? [],
      rowErrors: data?.rowErrors ?? new Map(),
      nonce: newNonce(),
      ...(error ? { error } : {}),
      ...(entry.focusRunId ? { focusRunId: entry.focusRunId } : {}),
    });
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
