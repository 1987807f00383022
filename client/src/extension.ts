/**
 * Entry point of the Braze Sync extension: the language client, commands, the Syncs tree, the
 * status bar. Everything registered goes into `context.subscriptions` so deactivation cleans up.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerClearSecrets } from './commands/clear-secrets';
import { registerCopyPreviewRow } from './commands/copy-preview-row';
import { registerNewSyncDefinition } from './commands/new-sync-definition';
import { registerPreviewSync } from './commands/preview-sync';
import { registerRefresh } from './commands/refresh';
import { registerResetWatermark } from './commands/reset-watermark';
import { registerShowHistory } from './commands/show-history';
import { registerShowLog } from './commands/show-log';
import { registerShowRun } from './commands/show-run';
import { registerSyncNow } from './commands/sync-now';
import { registerTestConnection } from './commands/test-connection';
import { createLanguageClient } from './language/language-client';
import { createSecretResolver, WorkspaceSecretStore } from './secrets/workspace-secrets';
import { errorMessage } from '../../core/src/sync/sync-errors';
import type { Services } from './services';
import { createStatusBar } from './status-bar';
import { Poller } from '../../core/src/util/poller';
import { RunRegistry } from './sync/run-registry';
import { StateBackends } from './sync/state-backends';
import { STATE_DIR_SETTING } from './sync/state-dir';
import { DirectoryWatcher } from './tree/directory-watcher';
import { SyncTreeProvider, watchDefinitionFiles } from './tree/sync-tree-provider';
import { coalesce } from './util/coalesce';
import { Panels } from './webviews/panels';

let client: LanguageClient | undefined;
let stateBackends: StateBackends | undefined;

/** How often views on shared state re-read it while visible (a run there saves progress every second). */
const SHARED_STATE_POLL_MS = 5000;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Braze Sync', { log: true });
  const secretStore = new WorkspaceSecretStore(context.secrets, context.workspaceState);
  const runs = new RunRegistry();
  // The extension host's environment, as for the CLI: `${env:…}` of `state.url`, or BRAZESYNC_STATE_URL.
  const backends = new StateBackends((name) => process.env[name]);
  stateBackends = backends;
  const panels = new Panels(backends);
  // Recorded state changes come in bursts (a running sync rewrites it after every batch).
  const stateChanged = coalesce(250, () => {
    tree.refresh();
    void panels.refreshHistory();
  });
  const stateDirs = new DirectoryWatcher(stateChanged);
  const tree = new SyncTreeProvider(runs, log, stateDirs, backends);
  const treeView = vscode.window.createTreeView('brazeSync.syncs', { treeDataProvider: tree, showCollapseAll: true });
  const services: Services = { context, log, secretStore, secrets: createSecretResolver(secretStore), runs, stateBackends: backends, tree, panels };
  // Runs of other hosts land in the shared database without a local file event: poll it, only
  // while a view showing it is visible.
  const poller = new Poller(
    SHARED_STATE_POLL_MS,
    () => (treeView.visible && tree.showsSharedState) || panels.showsSharedState(),
    () => Promise.all([treeView.visible ? tree.poll() : undefined, panels.pollHistory()]).then(() => undefined),
    (err) => log.warn('Reading the shared state failed:', errorMessage(err)),
  );

  context.subscriptions.push(
    log,
    stateDirs,
    tree,
    panels,
    treeView,
    poller,
    watchDefinitionFiles(stateChanged),
    // Progress only changes the running sync's description: a lazier refresh is enough.
    runs.onDidChange((event) => tree.refresh(event === 'progress' ? 1000 : 0)),
    createStatusBar(runs),
    registerShowLog(services),
    registerRefresh(services),
    registerNewSyncDefinition(),
    registerClearSecrets(services),
    registerTestConnection(services),
    registerPreviewSync(services),
    registerCopyPreviewRow(),
    registerSyncNow(services),
    registerShowHistory(services),
    registerShowRun(services),
    registerResetWatermark(services),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(STATE_DIR_SETTING)) return;
      stateChanged();
      void vscode.window.showInformationMessage('Braze Sync: the state directory changed. Reload the window so the language server reads state from there too.', 'Reload Window').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.reloadWindow');
      });
    }),
  );

  client = createLanguageClient(context, log);
  client.start().catch((err: unknown) => log.error('The language server could not be started:', err));
}

export async function deactivate(): Promise<void> {
  await Promise.all([client?.stop(), stateBackends?.close()]);
}
