/**
 * The `brazeSync.stateDir` setting: where run state lives, as `--state-dir` says for the CLI. The
 * setting wins over `$BRAZESYNC_STATE_DIR`; empty means `.brazesync/` beside each file.
 */
import * as vscode from 'vscode';
import { resolveStateDir } from './resolve-state-dir';

export const STATE_DIR_SETTING = 'brazeSync.stateDir';

/** The configured state directory, absolute; undefined when unset. */
export function configuredStateDir(): string | undefined {
  const value = vscode.workspace.getConfiguration('brazeSync').get<string>('stateDir', '');
  return resolveStateDir(value, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
}
