/**
 * The definition files the scheduler follows, each at its last good version: a file that stops
 * validating keeps the syncs it had (and its problems are reported); a file that disappears takes
 * its syncs with it. `reload` says what changed so the scheduler only touches those syncs.
 */
import { loadDefinitionFile, type FileProblem } from '../lang/load-definition';
import type { SyncFile } from '../model/sync-file';
import type { SyncTarget } from '../app/open-sync';
import { planFor, samePlan, type SyncPlan } from './plan';
import type { StateBackend } from '../state/state-backend';

export interface SyncSlot {
  /** `file#sync`: unique across files. */
  key: string;
  target: SyncTarget;
  plan: SyncPlan;
}

export type FileChange =
  | { kind: 'loaded'; filePath: string; syncs: number; warnings: FileProblem[] }
  | { kind: 'invalid'; filePath: string; problems: FileProblem[]; keptLastGood: boolean }
  | { kind: 'removed'; filePath: string };

export interface ReloadResult {
  files: FileChange[];
  /** New syncs, and syncs whose plan (schedule, zone, status) changed. */
  planned: SyncSlot[];
  removed: SyncSlot[];
  /** Every sync now followed. */
  all: SyncSlot[];
}

export interface Discovery {
  files: string[];
  unreadable: { path: string; reason: string }[];
}

export interface DefinitionSetOptions {
  discover(): Promise<Discovery>;
  stateDir?: string;
  env: NodeJS.ProcessEnv;
  /** Where the syncs' state lives (default: files under each file's state root). */
  state?: StateBackend;
}

interface Followed {
  /** Text of the last version read (valid or not), to skip files that did not change. */
  text: string;
  good?: { file: SyncFile; stateRoot: string; slots: Map<string, SyncSlot> };
}

export class DefinitionSet {
  private readonly followed = new Map<string, Followed>();

  constructor(private readonly options: DefinitionSetOptions) {}

  async reload(): Promise<ReloadResult> {
    const result: ReloadResult = { files: [], planned: [], removed: [], all: [] };
    const { files, unreadable } = await this.options.discover();
    const present = new Set(files);
    // A path that cannot be read right now (mid-rename, permissions) keeps its last good version.
    for (const u of unreadable) present.add(u.path);
    for (const filePath of files) await this.readFile(filePath, result);
    for (const u of unreadable) {
      if (this.followed.has(u.path)) result.files.push({ kind: 'invalid', filePath: u.path, problems: [unreadableProblem(u.path, u.reason)], keptLastGood: this.followed.get(u.path)?.good !== undefined });
    }
    for (const [filePath, followed] of this.followed) {
      if (present.has(filePath)) continue;
      this.followed.delete(filePath);
      result.removed.push(...(followed.good?.slots.values() ?? []));
      result.files.push({ kind: 'removed', filePath });
    }
    for (const f of this.followed.values()) result.all.push(...(f.good?.slots.values() ?? []));
    return result;
  }

  private async readFile(filePath: string, result: ReloadResult): Promise<void> {
    const previous = this.followed.get(filePath);
    let loaded;
    try {
      loaded = await loadDefinitionFile(filePath, { ...(this.options.stateDir ? { stateDir: this.options.stateDir } : {}), env: this.options.env });
    } catch (err) {
      result.files.push({ kind: 'invalid', filePath, problems: [unreadableProblem(filePath, (err as Error).message)], keptLastGood: previous?.good !== undefined });
      return;
    }
    if (previous && previous.text === loaded.text) return;
    if (loaded.hasErrors || !loaded.file) {
      this.followed.set(filePath, { text: loaded.text, ...(previous?.good ? { good: previous.good } : {}) });
      result.files.push({ kind: 'invalid', filePath, problems: loaded.problems.filter((p) => p.severity === 'error'), keptLastGood: previous?.good !== undefined });
      return;
    }
    const file = loaded.file;
    const slots = new Map<string, SyncSlot>();
    for (const syncName of Object.keys(file.syncs)) {
      const slot: SyncSlot = { key: `${filePath}#${syncName}`, target: { file, filePath, syncName, stateRoot: loaded.stateRoot, ...(this.options.state ? { state: this.options.state } : {}) }, plan: planFor(file, syncName) };
      slots.set(syncName, slot);
      const before = previous?.good?.slots.get(syncName);
      if (!before || !samePlan(before.plan, slot.plan)) result.planned.push(slot);
    }
    for (const [name, slot] of previous?.good?.slots ?? []) if (!slots.has(name)) result.removed.push(slot);
    this.followed.set(filePath, { text: loaded.text, good: { file, stateRoot: loaded.stateRoot, slots } });
    result.files.push({ kind: 'loaded', filePath, syncs: slots.size, warnings: loaded.problems.filter((p) => p.severity === 'warning') });
  }
}

function unreadableProblem(file: string, reason: string): FileProblem {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', code: 'unreadable-file', message: `Cannot read the file: ${reason}` };
}
