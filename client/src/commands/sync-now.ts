/**
 * Braze Sync: Sync Now — runs the sync once, with a cancellable progress notification. The first
 * run asks for confirmation with the number of rows it will send; a draft that never passed Test
 * Connection is offered the test first. The schedule is not touched.
 */
import * as vscode from 'vscode';
import { brazeRestUrl } from '../../../core/src/model/braze-instances';
import { syncTestStatus } from '../../../core/src/state/connection-fingerprint';
import type { RunRecord } from '../../../core/src/state/run-record';
import { createJobRunner, type JobOutcome } from '../../../core/src/app/job-runner';
import { openSource } from '../../../core/src/app/open-sync';
import { previewSync } from '../../../core/src/sync/preview';
import type { Services } from '../services';
import { noticeForError, noticeForRunError, type FailureNotice } from '../sync/failure-notice';
import { deliveredPercent, progressText, runSummary } from '../sync/run-registry';
import { openSession, type SyncSession } from '../sync/sync-session';
import { plural } from '../tree/format';

const SHOW_RUN = 'Show Run';
const TEST_CONNECTION = 'Test Connection';
const FIRST_RUN_LOOKBACK = 50;

export function registerSyncNow(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('brazeSync.syncNow', async (...args: unknown[]) => {
    const session = await openSession(services, args, 'sync', 'sync');
    if (session) await syncNow(services, session);
  });
}

async function syncNow(services: Services, session: SyncSession): Promise<void> {
  const { ready, core, setup } = session;
  const key = { file: ready.uri.fsPath, sync: ready.sync };
  if (services.runs.get(key)) {
    void vscode.window.showInformationMessage(`Braze Sync: ${ready.sync} is already running.`);
    return;
  }
  const state = await setup.store.readState();
  const tested = syncTestStatus(ready.file, ready.sync, state);
  if ((setup.definition.status ?? 'draft') === 'draft' && !tested.tested) {
    const choice = await vscode.window.showWarningMessage(
      tested.reason === 'stale'
        ? `${ready.sync} is a draft whose connection settings changed since its last passing Test Connection. Test the connection first?`
        : `${ready.sync} is a draft that has not passed Test Connection yet. Test the connection first?`,
      { modal: true },
      'Test Connection',
      'Sync Anyway',
    );
    if (choice === 'Test Connection') await vscode.commands.executeCommand('brazeSync.testConnection', ready.uri.toString(), ready.sync);
    if (choice !== 'Sync Anyway') return;
  }

  // Scheduled runs that were skipped sent nothing: the first real run still asks.
  if (!state?.watermark && (await setup.store.listRuns(FIRST_RUN_LOOKBACK)).every((r) => r.status === 'skipped')) {
    const pending = await pendingRows(services, session);
    if (pending === undefined) return;
    const choice = await vscode.window.showWarningMessage(
      `First run of ${ready.sync}: it will send ${plural(pending, 'row')} from ${setup.definition.table} to Braze at ${brazeRestUrl(ready.file.braze) ?? 'the configured endpoint'}. Continue?`,
      { modal: true, detail: `Data type ${setup.definition.data_type}; it can't change after this run.` },
      'Sync Now',
    );
    if (choice !== 'Sync Now') return;
  }
  if (!services.runs.start(key)) return;
  let outcome: JobOutcome | undefined;
  try {
    outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Braze Sync: syncing ${ready.sync}`, cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const startedAt = Date.now();
        let done = 0;
        return createJobRunner({ env: session.env, owner: 'vscode' })({
          target: core,
          signal: controller.signal,
          onProgress: (p) => {
            services.runs.progress(key, p);
            const pct = deliveredPercent(p);
            progress.report({ message: progressText(p, startedAt, Date.now()), increment: Math.max(0, pct - done) });
            done = Math.max(done, pct);
          },
        });
      },
    );
  } finally {
    services.runs.finish(key, outcome?.kind === 'finished' ? outcome.run : undefined);
    services.tree.refresh();
    void services.panels.refreshHistory();
  }
  if (outcome.kind === 'finished') {
    report(services, session, outcome.run);
    return;
  }
  if (outcome.kind === 'busy') {
    services.log.warn(`Sync ${ready.sync}: ${outcome.message}`);
    void vscode.window.showWarningMessage(`Braze Sync: ${ready.sync} did not run. ${outcome.message}`);
    return;
  }
  showFailure(services, session, `${ready.sync} did not run.`, noticeForRunError(outcome.error, ready.file, ready.sync));
}

/** A failure with its diagnosis, logged at error level, offering Test Connection when it would tell more. */
function showFailure(services: Services, session: SyncSession, lead: string, notice: FailureNotice, runId?: string): void {
  const { ready } = session;
  services.log.error(`Sync ${ready.sync} (${session.label}): ${lead} ${notice.log}`);
  const buttons = [...(notice.offerTest ? [TEST_CONNECTION] : []), ...(runId ? [SHOW_RUN] : [])];
  void vscode.window.showErrorMessage(`Braze Sync: ${lead} ${notice.text}`, ...buttons).then((choice) => {
    if (choice === TEST_CONNECTION) void vscode.commands.executeCommand('brazeSync.testConnection', ready.uri.toString(), ready.sync);
    if (choice === SHOW_RUN) void vscode.commands.executeCommand('brazeSync.showRun', { file: ready.uri.fsPath, sync: ready.sync, runId });
  });
}

/** Rows the first run would send (for its confirmation); undefined after showing why it can't tell. */
async function pendingRows(services: Services, session: SyncSession): Promise<number | undefined> {
  const { ready, core, setup } = session;
  let source;
  try {
    source = openSource(core, setup, session.env);
    const preview = await previewSync({ definition: setup.definition, state: await setup.store.readState(), reader: source.reader, limit: 0, audit: false });
    return preview.pending_rows;
  } catch (err) {
    showFailure(services, session, `can't sync ${ready.sync}.`, noticeForError(err, ready.file, ready.sync, source?.redact));
    return undefined;
  } finally {
    await source?.reader.close();
  }
}

function report(services: Services, session: SyncSession, run: RunRecord): void {
  const { ready } = session;
  const line = `Sync ${run.sync} (${session.label}): ${run.status}, run ${run.id}: read ${run.rows_read}, synced ${run.rows_synced}, failed ${run.rows_failed}, skipped ${run.rows_skipped}; watermark ${run.watermark_before ?? 'none'} → ${run.watermark_after ?? 'none'}`;
  for (const w of run.warnings) services.log.warn(`Sync ${run.sync}: ${w}`);
  if (run.status === 'error') {
    services.log.error(line);
    const notice = noticeForRunError(run.error ?? 'no error recorded', ready.file, ready.sync);
    showFailure(services, session, `${run.sync}: failed after ${plural(run.rows_synced, 'row')} synced.`, notice, run.id);
    return;
  }
  if (run.status === 'partial') services.log.warn(line);
  else services.log.info(line);
  const show = run.status === 'partial' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(`Braze Sync: ${runSummary(run)}`, SHOW_RUN).then((choice) => {
    if (choice === SHOW_RUN) void vscode.commands.executeCommand('brazeSync.showRun', { file: ready.uri.fsPath, sync: ready.sync, runId: run.id });
  });
}
