/**
 * Watches a directory tree that may not exist yet, such as `.brazesync/` before the first sync run.
 * While the directory is missing, its nearest existing ancestor is watched (not recursively) until
 * it appears; when it is removed, watching falls back to the ancestor again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TreeWatcher {
  close(): void;
}

/**
 * Calls `onChange` with the changed path relative to `dir` (undefined when the platform does not
 * say, or when `dir` itself appeared or disappeared). Never throws; failures go to `onError` and
 * leave the tree unwatched (the client's file events and `brazeSync/stateChanged` still work).
 */
export function watchTree(dir: string, onChange: (relative: string | undefined) => void, onError: (err: unknown) => void): TreeWatcher {
  let watcher: fs.FSWatcher | undefined;
  let closed = false;

  const arm = (): void => {
    watcher?.close();
    watcher = undefined;
    if (closed) return;
    try {
      if (fs.existsSync(dir)) {
        watcher = fs.watch(dir, { recursive: true, persistent: false }, (_event, name) => {
          if (fs.existsSync(dir)) return onChange(name ?? undefined);
          arm();
          onChange(undefined);
        });
      } else {
        const ancestor = nearestExisting(path.dirname(dir));
        if (!ancestor) return;
        watcher = fs.watch(ancestor, { persistent: false }, () => {
          if (!fs.existsSync(dir)) return;
          arm();
          onChange(undefined);
        });
      }
      watcher.on('error', (err) => {
        onError(err);
        arm();
      });
    } catch (err) {
      watcher = undefined;
      onError(err);
    }
  };

  arm();
  return {
    close(): void {
      closed = true;
      watcher?.close();
      watcher = undefined;
    },
  };
}

function nearestExisting(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}
