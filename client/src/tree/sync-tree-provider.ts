/** The "Syncs" view of the Braze Sync container, backed by the plain tree model. */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { syncStateDir } from '../../../core/src/state/state-location';
import { errorMessage } from '../../../core/src/sync/sync-errors';
import type { RunRegistry } from '../sync/run-registry';
import type { StateBackends } from '../sync/state-backends';
import type { DirectoryWatcher } from './directory-watcher';
import { configuredStateDir } from '../sync/state-dir';
import { readDefinitionText, findDefinitionFiles } from '../sync/targets';
import { readFileRecords, summarizeDefinition, type SummarizedFile } from './sync-tree-data';
import { fileNode, rowErrorNodes, type TreeNode } from './sync-tree-model';

const ROW_ERRORS_SHOWN = 100;

export class SyncTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: Promise<TreeNode[]> | undefined;
  private files = new Map<string, SummarizedFile>();
  private runFailures = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private due = 0;
  private shown = '';
  private readonly stateErrors = new Map<string, string | undefined>();
  /** Whether the last read showed state from a shared database (which no file watcher sees change). */
  showsSharedState = false;

  constructor(
    private readonly runs: RunRegistry,
    private readonly log: vscode.LogOutputChannel,
    private readonly stateDirs: DirectoryWatcher,
    private readonly backends: StateBackends,
  ) {}

  /**
   * Re-reads the tree now and redraws it only when something shown changed (polled for shared
   * state, where runs of other hosts land without any local file event).
   */
  async poll(): Promise<void> {
    if (this.timer) return; // a refresh is coming anyway
    const next = await this.load();
    const text = JSON.stringify(next);
    if (text === this.shown) return;
    this.shown = text;
    this.roots = Promise.resolve(next);
    this.changed.fire(undefined);
  }

  /**
   * Re-reads the tree within `delayMs`, coalescing bursts (a run writes state, a run record and
   * row errors in quick succession); an earlier request wins over a later, lazier one.
   */
  refresh(delayMs = 150): void {
    const due = Date.now() + delayMs;
    if (this.timer && this.due <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.roots = undefined;
      this.changed.fire(undefined);
    }, delayMs);
  }

  /** The state root of a definition file as the tree last read it. */
  summarized(file: string): SummarizedFile | undefined {
    return this.files.get(file);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const state = { none: vscode.TreeItemCollapsibleState.None, collapsed: vscode.TreeItemCollapsibleState.Collapsed, expanded: vscode.TreeItemCollapsibleState.Expanded }[node.collapsible];
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    item.contextValue = node.contextValue;
    if (node.description !== undefined) item.description = node.description;
    if (node.tooltip !== undefined) item.tooltip = node.tooltip;
    if (node.kind === 'file') item.resourceUri = vscode.Uri.file(node.file);
    if (node.icon && (node.kind !== 'file' || node.icon.color)) {
      item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    }
    if (node.kind === 'run' || node.kind === 'rowError') {
      item.command = { command: 'brazeSync.showRun', title: 'Show Run', arguments: [node] };
    } else if (node.line !== undefined && node.kind !== 'message') {
      const at = new vscode.Range(node.line, 0, node.line, 0);
      item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(node.file), { selection: at, preview: true }] };
    }
    return item;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      this.roots ??= this.load().then((nodes) => {
        this.shown = JSON.stringify(nodes);
        return nodes;
      }).catch((err: unknown) => {
        this.log.error('Reading the sync definitions failed:', err);
        return [];
      });
      return this.roots;
    }
    if (node.children) return node.children;
    if (node.kind === 'run' && node.runId && node.sync) return this.rowErrors(node);
    return [];
  }

  private async load(): Promise<TreeNode[]> {
    const uris = await findDefinitionFiles();
    const stateDir = configuredStateDir();
    const now = new Date();
    const recentRuns = vscode.workspace.getConfiguration('brazeSync').get<number>('tree.recentRuns', 10);
    const files = await Promise.all(
      uris.map(async (uri) => summarizeDefinition(uri.fsPath, await readDefinitionText(uri), vscode.workspace.asRelativePath(uri), process.env, stateDir)),
    );
    // Watch before reading, so a write landing between the two still triggers a reload.
    this.stateDirs.watch(
      files.flatMap((f) => f.summary.syncs.flatMap((sync) => {
        const dir = syncStateDir(f.stateRoot, f.summary.path, sync.name);
        return [dir, path.join(dir, 'runs')];
      })),
    );
    const failures = new Map<string, number>();
    let shared = false;
    const nodes = await Promise.all(
      files.map(async (file) => {
        const records = await readFileRecords(file, this.backends, { now, recentRuns });
        if (file.summary.sharedState) shared = true;
        this.noteStateError(file);
        for (const [name, record] of records) {
          const active = this.runs.get({ file: file.summary.path, sync: name });
          if (active) record.running = { rowsRead: active.progress?.read ?? 0, rowsSynced: active.progress?.synced ?? 0 };
          for (const r of record.runs) failures.set(r.id, r.rows_failed);
        }
        return fileNode(file.summary, records, { now, host: os.hostname() });
      }),
    );
    this.files = new Map(files.map((f) => [f.summary.path, f]));
    this.runFailures = failures;
    this.showsSharedState = shared;
    return nodes.sort((a, b) => a.label.localeCompare(b.label));
  }

  /** Logs a file's state error once, not on every poll while the database is away. */
  private noteStateError({ summary }: SummarizedFile): void {
    if (this.stateErrors.get(summary.path) === summary.stateError) return;
    if (summary.stateError) this.log.warn(`State of ${summary.label}: ${summary.stateError}`);
    else if (this.stateErrors.has(summary.path)) this.log.info(`State of ${summary.label}: readable again.`);
    this.stateErrors.set(summary.path, summary.stateError);
  }

  private async rowErrors(run: TreeNode): Promise<TreeNode[]> {
    const file = this.files.get(run.file);
    if (!file || !run.sync || !run.runId) return [];
    const errors = await this.backends
      .for(file.stateBlock, run.file)
      .storeFor({ filePath: run.file, stateRoot: file.stateRoot, syncName: run.sync })
      .readRowErrors(run.runId, ROW_ERRORS_SHOWN)
      .catch((err: unknown) => {
        this.log.warn(`Row errors of run ${run.runId}: ${errorMessage(err)}`);
        return [];
      });
    return rowErrorNodes(run, errors, this.runFailures.get(run.runId) ?? errors.length);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }
}

/**
 * Calls `onChange` when a definition file is created, changed or deleted (state directories are
 * watched by the DirectoryWatcher the provider feeds).
 */
export function watchDefinitionFiles(onChange: () => void): vscode.Disposable {
  const w = vscode.workspace.createFileSystemWatcher('**/*.brazesync.{yaml,yml}');
  return vscode.Disposable.from(w, w.onDidChange(onChange), w.onDidCreate(onChange), w.onDidDelete(onChange));
}
