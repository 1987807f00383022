/** What commands, views and panels share; built once in `activate`. */
import type * as vscode from 'vscode';
import type { SecretResolver } from './secrets/secret-resolver';
import type { WorkspaceSecretStore } from './secrets/workspace-secrets';
import type { RunRegistry } from './sync/run-registry';
import type { StateBackends } from './sync/state-backends';
import type { SyncTreeProvider } from './tree/sync-tree-provider';
import type { Panels } from './webviews/panels';

export interface Services {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  secrets: SecretResolver;
  secretStore: WorkspaceSecretStore;
  runs: RunRegistry;
  /** Where each definition file's state lives (files or a shared database), as the CLI chooses. */
  stateBackends: StateBackends;
  tree: SyncTreeProvider;
  panels: Panels;
}
