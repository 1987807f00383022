/**
 * Reads what the tree shows, through the same core the CLI uses: the definition file (parsed
 * tolerantly, so syncs show even while another part of the file has errors) and each sync's
 * recorded state and run history, from the store the CLI would use (files, or shared PostgreSQL).
 */
import { existsSync } from 'node:fs';
import { checkDefinitionText } from '../../../core/src/lang/load-definition';
import { keySpan } from '../../../core/src/parse/nodes';
import { nextRunTimes, parseSchedule } from '../../../core/src/schedule';
import { DEFAULT_TIMEZONE, type StateSettings } from '../../../core/src/model/sync-file';
import type { StateBackend } from '../../../core/src/state/state-backend';
import { syncStateDir } from '../../../core/src/state/state-location';
import type { SyncStateStore } from '../../../core/src/state/state-store';
import { errorMessage } from '../../../core/src/sync/sync-errors';
import type { StateBackends } from '../sync/state-backends';
import type { FileSummary, SyncDefinitionSummary, SyncRecord } from './sync-tree-model';

export interface SummarizedFile {
  summary: FileSummary;
  stateRoot: string;
  /** The file's `state` block, read even while the file has errors (so the tree reads the right store). */
  stateBlock?: StateSettings;
}

export function summarizeDefinition(filePath: string, text: string, label: string, env: NodeJS.ProcessEnv = process.env, stateDir?: string): SummarizedFile {
  const loaded = checkDefinitionText(filePath, text, { env, ...(stateDir ? { stateDir } : {}) });
  const { doc } = loaded;
  const syncs: SyncDefinitionSummary[] = doc.syncs.map((entry) => {
    const value = safeJs(() => entry.pair.value?.toJS(entry.segment.doc));
    const fields = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    const summary: SyncDefinitionSummary = { name: entry.name, line: doc.lines.positionAt(keySpan(entry.segment, entry.pair).start).line };
    for (const [key, field] of [['dataType', 'data_type'], ['catalog', 'catalog'], ['schedule', 'schedule'], ['status', 'status']] as const) {
      if (typeof fields[field] === 'string') summary[key] = fields[field];
    }
    return summary;
  });
  const header = safeJs(() => doc.header.doc.toJS()) as { braze?: { timezone?: unknown }; state?: Partial<StateSettings> } | undefined;
  const timezone = typeof header?.braze?.timezone === 'string' ? header.braze.timezone : DEFAULT_TIMEZONE;
  const stateBlock = loaded.file?.state ?? (typeof header?.state?.url === 'string' ? (header.state as StateSettings) : undefined);
  return {
    ...(stateBlock ? { stateBlock } : {}),
    summary: {
      path: filePath,
      label,
      syncs,
      timezone,
      errorCount: loaded.diagnostics.filter((d) => d.severity === 'error').length,
      warningCount: loaded.diagnostics.filter((d) => d.severity === 'warning').length,
    },
    stateRoot: loaded.stateRoot,
  };
}

function safeJs(build: () => unknown): unknown {
  try {
    return build();
  } catch {
    return undefined;
  }
}

/**
 * The recorded state of every sync of `file`, from the store the CLI would use. With shared state
 * the file's summary says where (`sharedState`) and, when it cannot be read, why (`stateError`):
 * the syncs then show without records rather than as never run.
 */
export async function readFileRecords(file: SummarizedFile, backends: StateBackends, options: { now: Date; recentRuns: number }): Promise<Map<string, SyncRecord>> {
  try {
    const backend = backends.for(file.stateBlock, file.summary.path);
    const shared = backend.kind === 'postgres';
    if (shared) file.summary.sharedState = backend.description;
    const records = new Map<string, SyncRecord>();
    for (const sync of file.summary.syncs) records.set(sync.name, await readSyncRecord(file, sync, { store: syncStore(file, backend, sync.name), shared }, options));
    return records;
  } catch (err) {
    file.summary.stateError = errorMessage(err);
    return new Map(file.summary.syncs.map((s) => [s.name, unrecorded(file, s, options.now)]));
  }
}

/** What the tree knows of a sync whose state cannot be read: its next run. */
function unrecorded(file: SummarizedFile, sync: SyncDefinitionSummary, now: Date): SyncRecord {
  const next = nextRun(sync.schedule, file.summary.timezone, now);
  return next ? { runs: [], nextRun: next } : { runs: [] };
}

/** One sync's store in `backend`; undefined for a sync that never ran on files. */
export function syncStore(file: SummarizedFile, backend: StateBackend, syncName: string): SyncStateStore | undefined {
  const ref = { filePath: file.summary.path, stateRoot: file.stateRoot, syncName };
  // Most syncs of a big workspace never ran: one stat instead of two failing reads each.
  if (backend.kind === 'files' && !existsSync(syncStateDir(ref.stateRoot, ref.filePath, syncName))) return undefined;
  return backend.storeFor(ref);
}

/**
 * State, recent runs and next run of one sync. Unreadable state files read as "nothing recorded";
 * a shared database that fails throws (its message names the database, never the URL), so the
 * tree says so instead of showing every sync as never run.
 */
export async function readSyncRecord(
  file: SummarizedFile,
  sync: SyncDefinitionSummary,
  source: { store: SyncStateStore | undefined; shared: boolean },
  options: { now: Date; recentRuns: number },
): Promise<SyncRecord> {
  const { store, shared } = source;
  const quiet = <T>(read: Promise<T>, none: T) => (shared ? read : read.catch(() => none));
  const [state, runs] = store ? await Promise.all([quiet(store.readState(), undefined), quiet(store.listRuns(options.recentRuns), [])]) : [undefined, []];
  const record = unrecorded(file, sync, options.now);
  record.runs = runs;
  if (state) record.state = state;
  return record;
}

function nextRun(schedule: string | undefined, timeZone: string, now: Date): Date | 'manual' | undefined {
  if (!schedule) return undefined;
  const parsed = parseSchedule(schedule);
  if (!parsed.ok) return undefined;
  if (parsed.schedule.kind === 'manual') return 'manual';
  try {
    return nextRunTimes(parsed.schedule, timeZone, now, 1)[0];
  } catch {
    return undefined; // unknown time zone: the file's diagnostics say so
  }
}
