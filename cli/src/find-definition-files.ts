import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export const DEFINITION_FILE = /\.brazesync\.ya?ml$/i;

/**
 * Expands the CLI's FILES|DIRS arguments: files are taken as given, folders are searched
 * recursively for `*.brazesync.yaml` (skipping node_modules and hidden folders).
 */
export async function findDefinitionFiles(args: string[], cwd: string): Promise<{ files: string[]; unreadable: { path: string; reason: string }[] }> {
  const files: string[] = [];
  const unreadable: { path: string; reason: string }[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) {
        if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
        await walk(path.join(dir, e.name));
      } else if (DEFINITION_FILE.test(e.name)) {
        files.push(path.join(dir, e.name));
      }
    }
  }
  for (const arg of args.length ? args : ['.']) {
    const abs = path.resolve(cwd, arg);
    try {
      const stat = await fs.stat(abs);
      if (stat.isDirectory()) await walk(abs);
      else files.push(abs);
    } catch (err) {
      unreadable.push({ path: arg, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String((err as Error).message) });
    }
  }
  return { files, unreadable };
}
