/**
 * Which file and sync a command acts on: CodeLens passes `[fileUri, syncName]`, the tree passes its
 * node, the palette passes nothing (the active editor, then a pick). Also the pre-flight that
 * refuses to run a file with errors and points at the first one.
 */
import * as vscode from 'vscode';
import { checkDefinitionText, type LoadedDefinition } from '../../../core/src/lang/load-definition';
import { configuredStateDir } from './state-dir';
import type { SyncFile } from '../../../core/src/model/sync-file';
import { parseSyncFile } from '../../../core/src/parse/sync-document';
import { LANGUAGE_ID } from '../language/language-client';

export interface SyncTarget {
  uri: vscode.Uri;
  sync: string;
}

export interface ReadyTarget extends SyncTarget {
  loaded: LoadedDefinition;
  file: SyncFile;
}

export function findDefinitionFiles(): Thenable<vscode.Uri[]> {
  return vscode.workspace.findFiles('**/*.brazesync.{yaml,yml}', '{**/node_modules/**,**/.brazesync/**}');
}

/** The editor's text when the file is open (unsaved edits included), else the file on disk. */
export async function readDefinitionText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

function toUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string') return value.includes('://') ? vscode.Uri.parse(value) : vscode.Uri.file(value);
  return undefined;
}

/** Arguments as passed by CodeLens (`[fileUri, syncName]`), a tree node (`{file, sync}`) or nothing. */
export function targetFromArgs(args: readonly unknown[]): Partial<SyncTarget> {
  const [first, second] = args;
  if (first && typeof first === 'object' && 'file' in first && typeof (first as { file: unknown }).file === 'string') {
    const node = first as { file: string; sync?: unknown };
    return { uri: vscode.Uri.file(node.file), ...(typeof node.sync === 'string' ? { sync: node.sync } : {}) };
  }
  const uri = toUri(first);
  return { ...(uri ? { uri } : {}), ...(typeof second === 'string' ? { sync: second } : {}) };
}

/** Completes a partial target from the active editor and a pick; undefined when the user cancels. */
export async function resolveTarget(args: readonly unknown[], action: string): Promise<SyncTarget | undefined> {
  const partial = targetFromArgs(args);
  let uri = partial.uri;
  if (!uri) {
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId === LANGUAGE_ID) uri = editor.document.uri;
    else {
      const files = await findDefinitionFiles();
      if (files.length === 0) {
        void vscode.window.showWarningMessage(`Braze Sync: no *.brazesync.yaml file in this workspace to ${action}. Create one with "Braze Sync: New Sync Definition".`);
        return undefined;
      }
      const pick = files.length === 1 ? files[0] : (await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { title: `Braze Sync: ${action}`, placeHolder: 'Definition file' }))?.uri;
      if (!pick) return undefined;
      uri = pick;
    }
  }
  if (partial.sync) return { uri, sync: partial.sync };
  const names = parseSyncFile(await readDefinitionText(uri)).syncs.map((s) => s.name);
  if (names.length === 0) {
    void vscode.window.showWarningMessage(`Braze Sync: ${vscode.workspace.asRelativePath(uri)} defines no syncs yet.`);
    return undefined;
  }
  const sync = names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { title: `Braze Sync: ${action}`, placeHolder: 'Sync' });
  return sync ? { uri, sync } : undefined;
}

/**
 * Saves unsaved edits (runs read the file from disk, as the CLI and scheduler do), validates it
 * with the same core as the language server, and refuses a file with errors: the message names
 * the first error and offers to go there.
 */
export async function prepareTarget(target: SyncTarget, action: string, log?: vscode.LogOutputChannel): Promise<ReadyTarget | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.uri.toString());
  if (open?.isDirty) await open.save();
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(target.uri));
  const stateDir = configuredStateDir();
  const loaded = checkDefinitionText(target.uri.fsPath, text, stateDir ? { stateDir } : {});
  const label = vscode.workspace.asRelativePath(target.uri);
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  const first = errors[0];
  if (first || !loaded.file) {
    const where = first ? ` Line ${first.line}: ${first.message}` : '';
    log?.warn(`Can't ${action} ${target.sync}: ${label} has ${errors.length} error(s).${where}`);
    const choice = await vscode.window.showErrorMessage(
      `Braze Sync: can't ${action} — ${label} has ${errors.length} error${errors.length === 1 ? '' : 's'}. Fix ${errors.length === 1 ? 'it' : 'them'} first.${where}`,
      'Go to Error',
    );
    if (choice && first) {
      const at = new vscode.Range(first.line - 1, first.column - 1, first.endLine - 1, first.endColumn - 1);
      await vscode.window.showTextDocument(target.uri, { selection: at });
      await vscode.commands.executeCommand('workbench.actions.view.problems');
    }
    return undefined;
  }
  if (!loaded.file.syncs[target.sync]) {
    log?.warn(`Can't ${action} ${target.sync}: ${label} has no sync of that name.`);
    void vscode.window.showErrorMessage(`Braze Sync: ${label} has no sync named "${target.sync}".`);
    return undefined;
  }
  return { ...target, loaded, file: loaded.file };
}
