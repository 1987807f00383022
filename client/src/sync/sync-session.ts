/**
 * Everything a command needs to run core sync operations on one sync: the core's target and
 * setup (state store, table) and an environment that holds the secrets this sync refers to.
 * Secrets are resolved here (environment first, else SecretStorage, else asked once).
 */
import * as vscode from 'vscode';
import { syncSetup, type SyncSetup, type SyncTarget as CoreTarget } from '../../../core/src/app/open-sync';
import { errorMessage } from '../../../core/src/sync/sync-errors';
import type { EnvLookup } from '../../../core/src/adapters/pg-connection';
import type { Services } from '../services';
import { SecretCancelledError, secretRequestsForSync } from '../secrets/secret-resolver';
import { prepareTarget, resolveTarget, type ReadyTarget } from './targets';

export interface SyncSession {
  ready: ReadyTarget;
  core: CoreTarget;
  setup: SyncSetup;
  env: EnvLookup;
  label: string;
}

/** Resolves the target from command arguments, refuses files with errors, and resolves secrets. */
export async function openSession(
  services: Services,
  args: readonly unknown[],
  action: string,
  needs: 'connection' | 'sync',
): Promise<SyncSession | undefined> {
  const target = await resolveTarget(args, action);
  if (!target) return undefined;
  const ready = await prepareTarget(target, action, services.log);
  if (!ready) return undefined;
  const core: CoreTarget = { file: ready.file, filePath: ready.uri.fsPath, syncName: ready.sync, stateRoot: ready.loaded.stateRoot };
  let setup: SyncSetup;
  let values: Record<string, string | undefined>;
  try {
    // The state the CLI would use: a run here is one run of the fleet on shared state.
    core.state = services.stateBackends.for(ready.file.state, ready.uri.fsPath);
    setup = syncSetup(core);
    values = await services.secrets.environmentFor(secretRequestsForSync(ready.file, ready.sync, needs));
  } catch (err) {
    // Dismissing the prompt is the user's choice, not a failure: a quiet note, no error toast.
    if (err instanceof SecretCancelledError) {
      services.log.info(`${action} ${ready.sync}: cancelled at the secret prompt.`);
      vscode.window.setStatusBarMessage(`Braze Sync: ${action} ${ready.sync} cancelled`, 4000);
      return undefined;
    }
    services.log.error(`${action} ${ready.sync}:`, errorMessage(err));
    void vscode.window.showErrorMessage(`Braze Sync: can't ${action} ${ready.sync}. ${errorMessage(err)}`);
    return undefined;
  }
  return { ready, core, setup, env: (name) => values[name], label: vscode.workspace.asRelativePath(ready.uri) };
}
