/**
 * Watches a directory tree that may not exist yet, such as `.brazesync/` before the first sync run,
 * or that may be removed and created again (a reset). The tree itself is watched recursively; its
 * parent (or, while the parent is missing too, the nearest existing ancestor) is watched for the
 * entry leading to it, so creation and removal are seen even when the recursive watch misses them.
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
  let watchers: fs.FSWatcher[] = [];
  let closed = false;

  const close = (): void => {
    for (const w of watchers) w.close();
    watchers = [];
  };

  const watch = (target: string, recursive: boolean, listener: (name: string | undefined) => void): void => {
    const watcher = fs.watch(target, { recursive, persistent: false }, (_event, name) => listener(name ?? undefined));
    watcher.on('error', (err) => {
      onError(err);
      arm();
    });
    watchers.push(watcher);
  };

  const arm = (): void => {
    close();
    if (closed) return;
    const ancestor = nearestExisting(path.dirname(dir));
    if (!ancestor) return;
    // The entry of `ancestor` on the way to `dir`: its creation or removal re-arms the watch.
    const step = path.relative(ancestor, dir).split(path.sep)[0];
    try {
      watch(ancestor, false, (name) => {
        if (name !== undefined && name !== step) return;
        arm();
        onChange(undefined);
      });
      if (fs.existsSync(dir)) watch(dir, true, onChange);
    } catch (err) {
      close();
      onError(err);
    }
  };

  arm();
  return {
    close(): void {
      closed = true;
      close();
    },
  };
}

function nearestExisting(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}
