/**
 * Watches the definition files for edits. Folders are watched recursively and files through their
 * folder, because editors often save by writing a new file and renaming it over the old one,
 * which ends a watch on the file itself. Bursts of events (one save is several) are coalesced.
 */
import { watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';

export interface WatchTarget {
  path: string;
  isDirectory: boolean;
}

const DEBOUNCE_MS = 150;

/**
 * Calls `onChange` after changes to files matching `matches` (in folders) or to the named files.
 * Watch errors (a folder deleted) are passed to `onError`; the other watches go on.
 */
export function watchDefinitions(targets: readonly WatchTarget[], matches: (fileName: string) => boolean, onChange: () => void, onError: (err: Error) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, DEBOUNCE_MS);
  };
  const watchers: FSWatcher[] = [];
  for (const t of targets) {
    const dir = t.isDirectory ? t.path : path.dirname(t.path);
    const base = path.basename(t.path);
    try {
      const w = watch(dir, { recursive: t.isDirectory }, (_event, name) => {
        const changedName = name === null ? undefined : String(name);
        if (changedName === undefined || (t.isDirectory ? matches(path.basename(changedName)) : changedName === base)) changed();
      });
      w.on('error', onError);
      watchers.push(w);
    } catch (err) {
      onError(err as Error);
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
