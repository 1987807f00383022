/**
 * Braze Sync: Test Connection — connects with the sync's settings, checks table, columns and
 * privileges, previews the first rows, and opens the result beside the editor.
 */
import * as vscode from 'vscode';
import { DEFAULT_SSL_MODE } from '../../../core/src/model/sync-file';
import { openSource } from '../../../core/src/app/open-sync';
import type { Redactor } from '../../../core/src/sync/sync-errors';
import { testConnection, testedSource } from '../../../core/src/app/test-connection';
import type { Services } from '../services';
import { openSession } from '../sync/sync-session';
import { newNonce } from '../webviews/html';
import { renderTestConnectionPage } from '../webviews/test-connection-page';

export function registerTestConnection(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('brazeSync.testConnection', async (...args: unknown[]) => {
    const session = await openSession(services, args, 'test the connection of', 'connection');
    if (!session) return;
    const { ready, core, setup } = session;
    const limit = vscode.workspace.getConfiguration('brazeSync').get<number>('preview.limit', 20);
    let redact: Redactor = (t) => t;
    let waitingFor = 'connecting';
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Braze Sync: testing the connection of ${ready.sync}`, cancellable: true },
      (progress, token) => {
        const testing = testConnection({
          file: ready.file,
          syncName: ready.sync,
          table: setup.table,
          store: setup.store,
          limit,
          onStep: (step) => progress.report({ message: step === 'connect' ? waitingFor : 'reading the rows and checking every pending row…' }),
          openReader: () => {
            const source = openSource(core, setup, session.env);
            redact = source.redact;
            const { host, port, connectTimeoutMs } = source.settings;
            waitingFor = `waiting for ${host}:${port} to answer (gives up after ${Math.round(connectTimeoutMs / 1000)} s)…`;
            return testedSource(source);
          },
        });
        // A cancelled test stops waiting at once; the connection attempt ends on its own timeout.
        return Promise.race([testing, new Promise<undefined>((resolve) => token.onCancellationRequested(() => resolve(undefined)))]);
      },
    );
    if (!result) {
      services.log.info(`Test Connection ${ready.sync}: cancelled (${waitingFor}).`);
      vscode.window.setStatusBarMessage(`Braze Sync: Test Connection of ${ready.sync} cancelled`, 4000);
      return;
    }
    const checks = result.checks.map((c) => ({ ...c, message: redact(c.message), ...(c.fix ? { fix: redact(c.fix) } : {}) }));
    const failed = checks.find((c) => c.status === 'failed');
    if (failed) services.log.error(`Test Connection ${ready.sync}: failed at ${failed.name}: ${failed.message}${failed.fix ? ` Fix: ${failed.fix}` : ''}`);
    else services.log.info(`Test Connection ${ready.sync}: passed`);
    for (const c of checks.filter((x) => x.status === 'warning')) services.log.warn(`Test Connection ${ready.sync}: ${c.name}: ${c.message}`);
    services.panels.showResult(
      ready,
      `Test Connection: ${ready.sync}`,
      renderTestConnectionPage({
        sync: ready.sync,
        fileLabel: session.label,
        table: setup.definition.table,
        dataType: setup.definition.data_type,
        ssl: ready.file.connections[setup.connectionName]?.ssl ?? DEFAULT_SSL_MODE,
        result: { ...result, checks },
        nonce: newNonce(),
      }),
    );
    services.tree.refresh();
  });
}
