/**
 * Recorded sync state of the open documents, for the data type immutability rule. Records are read
 * once per state change, not per keystroke, and every state root in use is watched: the CLI or the
 * engine may run a sync while the file is open, and the editor must then flag a changed data type.
 */
import * as path from 'node:path';
import { lookupFrom, readSyncRecords } from '../../core/src/state/read-sync-records';
import { stateRootFor } from '../../core/src/state/state-location';
import { STATE_FILE_NAME, type SyncRecord, type StateLookup } from '../../core/src/state/sync-state';
import { filePathOf } from './file-uri';
import { describeError, type ErrorLog } from './guard';
import { watchTree, type TreeWatcher } from './tree-watcher';

/** State files are rewritten after every batch of a running sync; re-check once the burst settles. */
const SETTLE_MS = 50;

export interface StateTrackerOptions {
  /** Explicit state directory (initialization option); else `$BRAZESYNC_STATE_DIR`; else `.brazesync/` beside each file. */
  stateDir?: string;
  env: NodeJS.ProcessEnv;
  log: ErrorLog;
  /** Called with the open documents whose recorded state may have changed. */
  onChange: (uris: string[]) => void;
}

interface TrackedFile {
  filePath: string;
  root: string;
}

export class StateTracker {
  private readonly files = new Map<string, TrackedFile>();
  private readonly records = new Map<string, ReadonlyMap<string, SyncRecord>>();
  private readonly watchers = new Map<string, { watcher: TreeWatcher; users: number }>();
  private readonly dirtyRoots = new Set<string>();
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StateTrackerOptions) {}

  /** Starts following the state of an opened document (only `file:` documents have any). */
  track(uri: string): void {
    if (this.files.has(uri)) return;
    const filePath = filePathOf(uri);
    if (!filePath) return;
    const root = stateRootFor(filePath, this.options.stateDir, this.options.env);
    this.files.set(uri, { filePath, root });
    const watched = this.watchers.get(root);
    if (watched) watched.users++;
    else this.watchers.set(root, { watcher: this.watch(root), users: 1 });
  }

  untrack(uri: string): void {
    const file = this.files.get(uri);
    if (!file) return;
    this.files.delete(uri);
    this.records.delete(recordKey(file));
    const watched = this.watchers.get(file.root);
    if (watched && --watched.users === 0) {
      watched.watcher.close();
      this.watchers.delete(file.root);
    }
  }

  /** The recorded data types for `uri`, or undefined when it has no state location (untitled). */
  lookup(uri: string): StateLookup | undefined {
    const file = this.files.get(uri);
    if (!file) return undefined;
    const key = recordKey(file);
    let records = this.records.get(key);
    if (!records) {
      records = readSyncRecords(file.root, file.filePath);
      this.records.set(key, records);
    }
    return lookupFrom(records);
  }

  /** Something under a state root changed (`undefined`: possibly every root, e.g. `brazeSync/stateChanged` without a URI). */
  rootChanged(root: string | undefined): void {
    const roots = root === undefined ? [...this.watchers.keys()] : [root];
    for (const r of roots) {
      for (const file of this.files.values()) if (file.root === r) this.records.delete(recordKey(file));
      this.dirtyRoots.add(r);
    }
    if (!this.settleTimer) this.settleTimer = setTimeout(() => this.settle(), SETTLE_MS);
  }

  /** A document's state changed (client notification naming the definition file). */
  documentChanged(uri: string): void {
    const file = this.files.get(uri);
    this.rootChanged(file?.root);
  }

  /** A file changed on disk (client file events): re-check the roots that contain it. */
  pathChanged(uri: string): void {
    const changed = filePathOf(uri);
    if (!changed) return;
    for (const root of this.watchers.keys()) if (isInside(changed, root)) this.rootChanged(root);
  }

  dispose(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private watch(root: string): TreeWatcher {
    return watchTree(
      root,
      (relative) => {
        if (isStateChange(relative)) this.rootChanged(root);
      },
      (err) => this.options.log(`Cannot watch the state directory ${root} (state changes will show after the next edit or a brazeSync/stateChanged notification): ${describeError(err)}`),
    );
  }

  private settle(): void {
    this.settleTimer = undefined;
    const uris = [...this.files].filter(([, file]) => this.dirtyRoots.has(file.root)).map(([uri]) => uri);
    this.dirtyRoots.clear();
    if (uris.length) this.options.onChange(uris);
  }
}

function recordKey(file: TrackedFile): string {
  return `${file.root}\u0000${file.filePath}`;
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Paths under a state root are `<file stem>/<sync>/…`: a new or removed file or sync directory,
 * or a rewritten `state.json`, can change recorded data types; run logs and the like cannot.
 */
function isStateChange(relative: string | undefined): boolean {
  if (relative === undefined) return true;
  const parts = relative.split(/[\\/]/).filter(Boolean);
  return parts.length <= 2 || parts[parts.length - 1] === STATE_FILE_NAME;
}
