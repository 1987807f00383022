/**
 * The language client: starts `dist/server.js` over stdio and makes every server failure visible
 * (a notification with a button that opens the log) instead of failing silently.
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { SERVER_NODE_FLAGS } from '../../../core/src/lang/server-node-flags';
import { CrashTracker, crashMessage } from './crash-tracker';
import { configuredStateDir } from '../sync/state-dir';

export const LANGUAGE_ID = 'brazesync';
const SHOW_LOG = 'Show Log';
const RESTART = 'Restart Server';

export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6019'] } },
  };
  const crashes = new CrashTracker();
  const stateDir = configuredStateDir();
  let client: LanguageClient | undefined;

  const showLogOn = async (message: string, ...extra: string[]): Promise<void> => {
    const choice = await vscode.window.showErrorMessage(message, SHOW_LOG, ...extra);
    if (choice === SHOW_LOG) log.show(true);
    if (choice === RESTART && client) {
      crashes.reset();
      await client.start().catch((err: unknown) => log.error('Restarting the language server failed:', err));
    }
  };

  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: LANGUAGE_ID },
      { scheme: 'untitled', language: LANGUAGE_ID },
    ],
    outputChannel: log,
    // The server reads recorded state (data type immutability) from the same place as the commands.
    initializationOptions: { ...(stateDir ? { stateDir } : {}) },
    // The server re-checks data type immutability when recorded sync state changes.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/.brazesync/**/*.json') },
    errorHandler: {
      error: (error, _message, count) => {
        log.error(`Language server connection error (${count ?? 1}):`, error);
        return { action: (count ?? 1) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
      },
      closed: () => {
        const decision = crashes.recordCrash();
        log.error(`Language server stopped unexpectedly (${decision.recentCrashes} in the last ${decision.windowMinutes} minutes).`);
        void showLogOn(crashMessage(decision), ...(decision.restart ? [] : [RESTART]));
        return { action: decision.restart ? CloseAction.Restart : CloseAction.DoNotRestart, handled: true };
      },
    },
    initializationFailedHandler: (error) => {
      log.error('The language server failed to initialize:', error);
      void showLogOn('Braze Sync: the language server failed to start. The log has the details.', RESTART);
      return false;
    },
  };
  client = new LanguageClient('brazeSync', 'Braze Sync Language Server', serverOptions, clientOptions);
  return client;
}
