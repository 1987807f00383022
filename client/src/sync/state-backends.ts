/**
 * Where the editor reads and writes each definition file's state, chosen as the CLI chooses it
 * (`core/src/app/open-state.ts`): the file's `state` block, else `$BRAZESYNC_STATE_URL` in the
 * extension host's environment, else files. One backend (one connection pool) per distinct state
 * database, shared by the tree, the History panels and the commands, closed with the extension.
 * Free of `vscode` so the tree's data is tested against a real PostgreSQL.
 */
import type { EnvLookup } from '../../../core/src/adapters/pg-connection';
import { openPgStateBackend } from '../../../core/src/adapters/pg-state/pg-state-backend';
import { stateSettingsFor } from '../../../core/src/app/open-state';
import type { StateSettings } from '../../../core/src/model/sync-file';
import { fileStateBackend, type StateBackend } from '../../../core/src/state/state-backend';

/** The editor only reads and records single runs: a small pool per database is plenty. */
const EDITOR_POOL_SIZE = 3;

export class StateBackends {
  private readonly open = new Map<string, StateBackend>();

  constructor(private readonly env: EnvLookup) {}

  /**
   * The backend of a definition file whose `state` block (if any) is `block`. Throws
   * SyncConfigError (a missing variable, a URL that is not postgres://…), never naming the URL.
   */
  for(block: StateSettings | undefined, filePath: string): StateBackend {
    const settings = stateSettingsFor(block ? { state: block } : undefined, filePath, { env: this.env });
    if (!settings) return fileStateBackend;
    // The key holds the password: it stays in this map and is never shown.
    const key = [settings.connectionString, settings.schema, settings.ssl, settings.ca ?? ''].join('\n');
    let backend = this.open.get(key);
    if (!backend) {
      backend = openPgStateBackend(settings, { poolSize: EDITOR_POOL_SIZE });
      this.open.set(key, backend);
    }
    return backend;
  }

  /** Whether any definition file so far keeps its state in a shared database. */
  get anyShared(): boolean {
    return this.open.size > 0;
  }

  async close(): Promise<void> {
    const backends = [...this.open.values()];
    this.open.clear();
    await Promise.all(backends.map((b) => b.close().catch(() => undefined)));
  }
}
