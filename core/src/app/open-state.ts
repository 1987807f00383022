/**
 * Which state backend a command uses: `--state-url`, else the definition file's `state` block,
 * else `$BRAZESYNC_STATE_URL` name a shared PostgreSQL database; otherwise state stays in files.
 */
import * as path from 'node:path';
import type { EnvLookup } from '../adapters/pg-connection';
import { openPgStateBackend, type PgBackendOptions } from '../adapters/pg-state/pg-state-backend';
import { resolveStateSettings, type PgStateSettings } from '../adapters/pg-state/state-config';
import type { SyncFile } from '../model/sync-file';
import { fileStateBackend, type StateBackend } from '../state/state-backend';

export interface StateChoice extends PgBackendOptions {
  /** `--state-url`. */
  stateUrl?: string;
  env: EnvLookup;
  /** `--schema` where no file names one. */
  schema?: string;
}

/** The PostgreSQL settings for `file` (undefined: files). Throws SyncConfigError naming the source. */
export function stateSettingsFor(file: Pick<SyncFile, 'state'> | undefined, filePath: string | undefined, choice: StateChoice): PgStateSettings | undefined {
  return resolveStateSettings({
    ...(choice.stateUrl !== undefined ? { flag: choice.stateUrl } : {}),
    ...(file?.state ? { block: file.state } : {}),
    ...(filePath ? { baseDir: path.dirname(filePath) } : {}),
    ...(choice.schema ? { schema: choice.schema } : {}),
    env: choice.env,
  });
}

export function openStateBackend(file: Pick<SyncFile, 'state'> | undefined, filePath: string | undefined, choice: StateChoice): StateBackend {
  const settings = stateSettingsFor(file, filePath, choice);
  return settings ? openPgStateBackend(settings, choice) : fileStateBackend;
}
