/** Braze Sync: Clear Stored Secrets — forgets every value typed in for this workspace. */
import * as vscode from 'vscode';
import type { Services } from '../services';

export function registerClearSecrets(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('brazeSync.clearSecrets', async () => {
    const names = services.secretStore.names();
    if (names.length === 0) {
      void vscode.window.showInformationMessage('Braze Sync: no secrets are stored for this workspace.');
      return;
    }
    const list = names.map((n) => `\${env:${n}}`).join(', ');
    const choice = await vscode.window.showWarningMessage(
      `Forget the stored values of ${list} for this workspace? You will be asked again the next time a command needs them (unless the environment sets them).`,
      { modal: true },
      'Clear',
    );
    if (choice !== 'Clear') return;
    const cleared = await services.secretStore.clear();
    services.log.info(`Cleared stored secrets for ${cleared.join(', ')}.`);
    void vscode.window.showInformationMessage(`Braze Sync: cleared ${cleared.length} stored secret${cleared.length === 1 ? '' : 's'} (${list}).`);
  });
}
