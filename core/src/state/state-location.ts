import * as path from 'node:path';

/** Environment variable that moves every state directory (CLI flag `--state-dir` wins over it). */
export const STATE_DIR_ENV = 'BRAZESYNC_STATE_DIR';
export const DEFAULT_STATE_DIR_NAME = '.brazesync';

/**
 * The state root for a definition file: an explicit directory, else `$BRAZESYNC_STATE_DIR`,
 * else `.brazesync/` beside the file.
 */
export function stateRootFor(filePath: string, explicitDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = explicitDir ?? env[STATE_DIR_ENV];
  if (dir) return path.resolve(dir);
  return path.join(path.dirname(path.resolve(filePath)), DEFAULT_STATE_DIR_NAME);
}

/** `orders.brazesync.yaml` → `orders`: keeps two files in one folder from sharing sync state. */
export function fileStem(filePath: string): string {
  return path.basename(filePath).replace(/\.brazesync\.ya?ml$/i, '').replace(/\.ya?ml$/i, '');
}

/** Directory holding everything recorded about one sync of one file. */
export function syncStateDir(stateRoot: string, filePath: string, syncName: string): string {
  return path.join(stateRoot, fileStem(filePath), syncName);
}
