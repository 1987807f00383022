/**
 * Reads what the tree shows from disk, through the same core the CLI uses: the definition file
 * (parsed tolerantly, so syncs show even while another part of the file has errors) and each
 * sync's recorded state and run history (the file state store the engine writes).
 */
import { existsSync } from 'node:fs';
import { checkDefinitionText } from '../../../core/src/lang/load-definition';
import { keySpan } from '../../../core/src/parse/nodes';
import { nextRunTimes, parseSchedule } from '../../../core/src/schedule';
import { DEFAULT_TIMEZONE } from '../../../core/src/model/sync-file';
import { createFileStateStore } from '../../../core/src/state/file-state-store';
import { syncStateDir } from '../../../core/src/state/state-location';
import type { FileSummary, SyncDefinitionSummary, SyncRecord } from './sync-tree-model';

export interface SummarizedFile {
  summary: FileSummary;
  stateRoot: string;
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
  const header = safeJs(() => doc.header.doc.toJS()) as { braze?: { timezone?: unknown } } | undefined;
  const timezone = typeof header?.braze?.timezone === 'string' ? header.braze.timezone : DEFAULT_TIMEZONE;
  return {
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

/** State, recent runs and next run of one sync. Unreadable state reads as "nothing recorded". */
export async function readSyncRecord(
  file: SummarizedFile,
  sync: SyncDefinitionSummary,
  options: { now: Date; recentRuns: number },
): Promise<SyncRecord> {
  const dir = syncStateDir(file.stateRoot, file.summary.path, sync.name);
  // Most syncs of a big workspace never ran: one stat instead of two failing reads each.
  const store = existsSync(dir) ? createFileStateStore(dir) : undefined;
  const [state, runs] = store ? await Promise.all([store.readState().catch(() => undefined), store.listRuns(options.recentRuns).catch(() => [])]) : [undefined, []];
  const record: SyncRecord = { runs };
  if (state) record.state = state;
  const next = nextRun(sync.schedule, file.summary.timezone, options.now);
  if (next) record.nextRun = next;
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
