/** The `brazeSync.stateDir` setting's text as a directory (free of `vscode`). */
import * as os from 'node:os';
import * as path from 'node:path';

/** `${workspaceFolder}` and `~` expanded; a relative path is taken from the first workspace folder. Empty: unset. */
export function resolveStateDir(value: string, workspaceFolder: string | undefined, home = os.homedir()): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  const expanded = trimmed.replace(/\$\{workspaceFolder\}/g, workspaceFolder ?? '.').replace(/^~(?=$|[\\/])/, home);
  return path.resolve(workspaceFolder ?? process.cwd(), expanded);
}
