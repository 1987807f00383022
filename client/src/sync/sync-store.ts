/**
 * One sync's state store for the editor's commands and panels, opened as the CLI opens it: the
 * file's `state` block, else `$BRAZESYNC_STATE_URL`, else files under `brazeSync.stateDir` or
 * `.brazesync/`. Throws SyncConfigError (never naming the URL) when the state URL is unusable.
 */
import type { StateBackend } from '../../../core/src/state/state-backend';
import type { SyncStateStore } from '../../../core/src/state/state-store';
import { summarizeDefinition } from '../tree/sync-tree-data';
import type { StateBackends } from './state-backends';
import { configuredStateDir } from './state-dir';
import { readDefinitionText, type SyncTarget } from './targets';

export async function openSyncStore(backends: StateBackends, target: SyncTarget): Promise<{ backend: StateBackend; store: SyncStateStore }> {
  const filePath = target.uri.fsPath;
  const { stateBlock, stateRoot } = summarizeDefinition(filePath, await readDefinitionText(target.uri), filePath, process.env, configuredStateDir());
  const backend = backends.for(stateBlock, filePath);
  return { backend, store: backend.storeFor({ filePath, stateRoot, syncName: target.sync }) };
}
