/**
 * Entry point of the Braze Sync extension: the language client, commands, sync tree, status bar.
 * Everything registered goes into `context.subscriptions` so deactivation cleans up.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './language/language-client';

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Braze Sync', { log: true });
  context.subscriptions.push(log, vscode.commands.registerCommand('brazeSync.showLog', () => log.show()));

  client = createLanguageClient(context, log);
  client.start().catch((err: unknown) => log.error('The language server could not be started:', err));
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
