/**
 * Watches the state directories the tree shows, with one non-recursive `fs.watch` per directory.
 * VS Code's recursive workspace watcher misses events below directories created in quick
 * succession (a first run creates `.brazesync/<file>/<sync>/runs/` in a few milliseconds and the
 * watcher never sees what is written inside), so the tree would not notice CLI or scheduler runs.
 * A directory that does not exist yet is watched through its nearest existing ancestor; the
 * caller re-declares the set after every reload, which then picks up the new directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class DirectoryWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();

  constructor(private readonly onChange: () => void) {}

  /** Watches exactly `dirs` (or their nearest existing ancestors) from now on. */
  watch(dirs: Iterable<string>): void {
    const wanted = new Set<string>();
    for (const dir of dirs) {
      const existing = nearestExisting(path.resolve(dir));
      if (existing) wanted.add(existing);
    }
    for (const [dir, watcher] of this.watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = fs.watch(dir, { persistent: false }, () => this.onChange());
        // The directory went away (deleted state): forget it; the next reload re-declares.
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(dir);
          this.onChange();
        });
        this.watchers.set(dir, watcher);
      } catch {
        // Removed between the check and the watch: the next reload sees its parent.
      }
    }
  }

  watched(): string[] {
    return [...this.watchers.keys()].sort();
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}

function nearestExisting(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      if (fs.statSync(d).isDirectory()) return d;
    } catch {
      // keep climbing
    }
    if (path.dirname(d) === d) return undefined;
  }
}
