/** Braze Sync: New Sync Definition — scaffolds a commented `<name>.brazesync.yaml` and opens it. */
import * as vscode from 'vscode';
import { definitionTemplate, syncNameFrom } from '../scaffold/definition-template';

export function registerNewSyncDefinition(): vscode.Disposable {
  return vscode.commands.registerCommand('brazeSync.newSyncDefinition', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showWarningMessage('Braze Sync: open a folder first; the definition file goes into it.');
      return;
    }
    const input = await vscode.window.showInputBox({
      title: 'Braze Sync: New Sync Definition',
      prompt: 'Name of the first sync (also the file name)',
      value: 'user_attributes',
      validateInput: (v) => (syncNameFrom(v) ? undefined : 'Use letters, digits and underscores.'),
    });
    const name = input === undefined ? undefined : syncNameFrom(input);
    if (!name) return;
    const uri = vscode.Uri.joinPath(folder.uri, `${name.replace(/_/g, '-')}.brazesync.yaml`);
    const exists = await vscode.workspace.fs.stat(uri).then(
      () => true,
      () => false,
    );
    if (exists) {
      void vscode.window.showErrorMessage(`Braze Sync: ${vscode.workspace.asRelativePath(uri)} already exists; choose another name.`);
      return;
    }
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(definitionTemplate(name)));
    await vscode.window.showTextDocument(uri);
  });
}
