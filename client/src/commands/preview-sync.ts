/** Braze Sync: Preview Sync — the objects the next run would send and the rows that would fail. */
import * as vscode from 'vscode';
import { openSource } from '../../../core/src/app/open-sync';
import { previewSync } from '../../../core/src/sync/preview';
import type { Services } from '../services';
import { noticeForError } from '../sync/failure-notice';
import { openSession } from '../sync/sync-session';
import { newNonce } from '../webviews/html';
import { renderPreviewPage } from '../webviews/preview-page';

export function registerPreviewSync(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('brazeSync.previewSync', async (...args: unknown[]) => {
    const session = await openSession(services, args, 'preview', 'connection');
    if (!session) return;
    const { ready, core, setup } = session;
    const limit = vscode.workspace.getConfiguration('brazeSync').get<number>('preview.limit', 20);
    let source;
    try {
      source = openSource(core, setup, session.env);
      const { reader } = source;
      const preview = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Braze Sync: previewing ${ready.sync} (dry run)…` },
        async () => previewSync({ definition: setup.definition, state: await setup.store.readState(), reader, limit, diff: { store: setup.diff.diffStore, file: core.file } }),
      );
      if (preview.audit_failed !== undefined) preview.audit_failed = source.redact(preview.audit_failed);
      services.panels.showResult(
        ready,
        `Preview Sync: ${ready.sync}`,
        renderPreviewPage({ sync: ready.sync, fileLabel: session.label, table: setup.definition.table, preview, nonce: newNonce() }),
      );
    } catch (err) {
      // The same diagnosis and fix as Test Connection and Sync Now.
      const notice = noticeForError(err, ready.file, ready.sync, source?.redact);
      services.log.error(`Preview Sync ${ready.sync}: ${notice.log}`);
      const choice = await vscode.window.showErrorMessage(`Braze Sync: the preview of ${ready.sync} failed. ${notice.text}`, 'Test Connection');
      if (choice) await vscode.commands.executeCommand('brazeSync.testConnection', ready.uri.toString(), ready.sync);
    } finally {
      await source?.reader.close();
    }
  });
}
