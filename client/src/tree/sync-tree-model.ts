/**
 * The Braze Sync tree as plain data: definition files → syncs → data type, schedule, watermark,
 * recent runs → a run's row errors. Node ids are derived from file path, sync name and run id only,
 * so VS Code keeps expansion and selection across refreshes. Free of `vscode` (unit-tested as is);
 * `sync-tree-provider.ts` turns nodes into TreeItems.
 */
import type { RowErrorRecord, RunRecord, RunStatus } from '../../../core/src/state/run-record';
import type { SyncState } from '../../../core/src/state/sync-state';
import { formatDuration, formatLocalTime, formatUtc, formatWatermark, plural, relativeTime } from './format';

export type NodeKind = 'file' | 'sync' | 'dataType' | 'schedule' | 'watermark' | 'runs' | 'run' | 'rowError' | 'message';

export interface NodeIcon {
  /** A codicon id such as `pass` or `sync~spin`. */
  id: string;
  /** A theme color id such as `testing.iconPassed`. */
  color?: string;
}

export interface TreeNode {
  id: string;
  kind: NodeKind;
  label: string;
  description?: string;
  tooltip?: string;
  icon?: NodeIcon;
  /** Drives the menus in package.json (`viewItem`). */
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  /** Absolute path of the definition file the node belongs to. */
  file: string;
  sync?: string;
  runId?: string;
  /** 0-based line to reveal when the node is opened. */
  line?: number;
  /** Known children; `undefined` for nodes whose children load on expand (a run's row errors). */
  children?: TreeNode[];
}

/** What the definition file says about one sync (read even when other parts of the file have errors). */
export interface SyncDefinitionSummary {
  name: string;
  line: number;
  dataType?: string;
  /** With `catalog_items`: the Braze catalog. */
  catalog?: string;
  schedule?: string;
  status?: string;
}

/** What is recorded about one sync, plus what the editor knows is running right now. */
export interface SyncRecord {
  state?: SyncState;
  /** Newest first. */
  runs: RunRecord[];
  running?: { rowsRead: number; rowsSynced: number };
  /** The next scheduled run, `manual`, or undefined when the schedule does not parse. */
  nextRun?: Date | 'manual';
}

export interface FileSummary {
  path: string;
  /** Workspace-relative path shown as the label. */
  label: string;
  syncs: SyncDefinitionSummary[];
  errorCount: number;
  /** Warnings do not stop a sync; absent counts as none. */
  warningCount?: number;
  timezone: string;
  /** With shared state: where it is (`PostgreSQL host:port/db, schema s`, never the URL). */
  sharedState?: string;
  /** Why the state could not be read (shared state only: unreadable files read as "nothing recorded"). */
  stateError?: string;
}

export interface ModelOptions {
  now: Date;
  /** This machine's host name: runs recorded by other hosts name theirs. */
  host?: string;
}

const STATUS_ICON: Record<RunStatus, NodeIcon> = {
  running: { id: 'sync~spin' },
  success: { id: 'pass', color: 'testing.iconPassed' },
  partial: { id: 'warning', color: 'list.warningForeground' },
  error: { id: 'error', color: 'list.errorForeground' },
  cancelled: { id: 'circle-slash' },
  skipped: { id: 'debug-step-over', color: 'list.warningForeground' },
};

const ERROR_ICON: NodeIcon = { id: 'error', color: 'list.errorForeground' };

/** Descriptions put the word that matters first, so the view's default width shows it; tooltips have it all. */
export function fileNode(file: FileSummary, records: ReadonlyMap<string, SyncRecord>, options: ModelOptions): TreeNode {
  const syncs = file.syncs.map((s) => syncNode(file, s, records.get(s.name) ?? { runs: [] }, options));
  const parts = [plural(syncs.length, 'sync')];
  if (file.sharedState) parts.push('shared state');
  const warnings = file.warningCount ?? 0;
  if (warnings > 0) parts.unshift(plural(warnings, 'warning'));
  if (file.errorCount > 0) parts.unshift(plural(file.errorCount, 'error'));
  return {
    id: `file:${file.path}`,
    kind: 'file',
    label: file.label,
    description: parts.join(' · '),
    tooltip: [
      file.path,
      ...(file.errorCount > 0 ? [`${plural(file.errorCount, 'error')}: see the Problems panel. Syncs do not run until they are fixed.`] : []),
      ...(warnings > 0 ? [`${plural(warnings, 'warning')}: see the Problems panel.`] : []),
      ...(file.sharedState ? [`State: ${file.sharedState} (runs of every host)`] : []),
    ].join('\n'),
    icon: file.errorCount > 0 ? ERROR_ICON : warnings > 0 ? { id: 'warning', color: 'list.warningForeground' } : { id: 'file' },
    contextValue: 'file',
    collapsible: 'expanded',
    file: file.path,
    line: 0,
    children: [
      ...(file.stateError ? [{ ...message(file, 'state-error', 'State unavailable'), description: file.stateError, tooltip: file.stateError, icon: ERROR_ICON }] : []),
      ...(syncs.length > 0 ? syncs : [message(file, 'no-syncs', 'No syncs in this file yet')]),
    ],
  };
}

/** The sync's state in a word or two first, its icon, and the whole story for the tooltip. */
function syncStatus(file: FileSummary, sync: SyncDefinitionSummary, record: SyncRecord, options: ModelOptions): { description: string; icon: NodeIcon; tooltip: string } {
  const last = record.runs.find((r) => r.status !== 'running');
  const status = sync.status ?? 'draft';
  const lastText = last ? `last run ${last.status} ${relativeTime(new Date(last.ended_at ?? last.started_at), options.now)}` : 'never run';
  const tooltip = [`${sync.name} (${status}): ${lastText}`, ...(last?.error ? [`Last error: ${last.error}`] : [])];
  if (file.errorCount > 0) {
    tooltip.unshift(`Blocked: ${file.label} has ${plural(file.errorCount, 'error')}; it does not run until they are fixed (see the Problems panel).`);
    return { description: `blocked: ${plural(file.errorCount, 'error')} · ${status}`, icon: ERROR_ICON, tooltip: tooltip.join('\n') };
  }
  if (record.running) return { description: `running · ${plural(record.running.rowsSynced, 'row')} synced`, icon: STATUS_ICON.running, tooltip: tooltip.join('\n') };
  // On shared state, a run another process (often another host) is making right now.
  const elsewhere = record.runs[0]?.status === 'running' && record.runs[0].host ? record.runs[0] : undefined;
  if (elsewhere) {
    tooltip.unshift(`Running on ${elsewhere.host} since ${elsewhere.started_at}`);
    return { description: `running on ${elsewhere.host} · ${plural(elsewhere.rows_synced, 'row')} synced`, icon: STATUS_ICON.running, tooltip: tooltip.join('\n') };
  }
  if (last) return { description: `${last.status} ${relativeTime(new Date(last.ended_at ?? last.started_at), options.now)} · ${status}`, icon: STATUS_ICON[last.status], tooltip: tooltip.join('\n') };
  return { description: `never run · ${status}`, icon: status === 'active' ? { id: 'circle-filled', color: 'testing.iconPassed' } : { id: 'circle-outline' }, tooltip: tooltip.join('\n') };
}

export function syncNode(file: FileSummary, sync: SyncDefinitionSummary, record: SyncRecord, options: ModelOptions): TreeNode {
  const id = `sync:${file.path}#${sync.name}`;
  const base = { file: file.path, sync: sync.name, line: sync.line };
  const children: TreeNode[] = [
    {
      ...base,
      id: `${id}/dataType`,
      kind: 'dataType',
      label: 'Data type',
      description: `${sync.dataType ?? '(missing)'}${sync.catalog !== undefined && sync.dataType === 'catalog_items' ? ` → catalog ${sync.catalog}` : ''}`,
      tooltip: recordedTypeTooltip(sync, record.state),
      icon: { id: 'symbol-enum' },
      contextValue: 'dataType',
      collapsible: 'none',
    },
    scheduleNode(id, base, sync, record, file.timezone, options),
    watermarkNode(id, base, record.state),
    runsNode(id, base, record.runs, options),
  ];
  return {
    ...base,
    id,
    kind: 'sync',
    label: sync.name,
    ...syncStatus(file, sync, record, options),
    contextValue: record.running ? 'sync running' : 'sync',
    collapsible: 'collapsed',
    children,
  };
}

function recordedTypeTooltip(sync: SyncDefinitionSummary, state: SyncState | undefined): string {
  if (!state?.data_type) return 'The data type is fixed once the sync has run.';
  const since = state.data_type_recorded_at ? ` on ${state.data_type_recorded_at}` : '';
  return `Recorded as ${state.data_type}${since}; it cannot change now.${state.data_type !== sync.dataType ? ' The file says otherwise: see the Problems panel.' : ''}`;
}

type Base = Pick<TreeNode, 'file' | 'sync' | 'line'>;

function scheduleNode(syncId: string, base: Base, sync: SyncDefinitionSummary, record: SyncRecord, timezone: string, options: ModelOptions): TreeNode {
  const next =
    record.nextRun === 'manual'
      ? 'runs only on Sync Now'
      : record.nextRun
        ? `next ${formatLocalTime(record.nextRun, timezone).slice(0, 16)} (${timezone})`
        : undefined;
  return {
    ...base,
    id: `${syncId}/schedule`,
    kind: 'schedule',
    label: sync.schedule ?? '(no schedule)',
    description: next,
    tooltip: [`Schedule: ${sync.schedule ?? '(none)'}`, record.nextRun instanceof Date ? `Next run ${relativeTime(record.nextRun, options.now)}: ${formatUtc(record.nextRun)} (${next ?? ''})` : next].filter(Boolean).join('\n'),
    icon: { id: 'calendar' },
    contextValue: 'schedule',
    collapsible: 'none',
  };
}

function watermarkNode(syncId: string, base: Base, state: SyncState | undefined): TreeNode {
  const wm = state?.watermark;
  const at = wm ? formatWatermark(wm.updated_at) : undefined;
  return {
    ...base,
    id: `${syncId}/watermark`,
    kind: 'watermark',
    label: 'Watermark',
    description: at ?? 'none: the next run reads every row',
    tooltip: wm
      ? `Watermark ${at}: rows with UPDATED_AT after it are read on the next run${wm.boundary_keys.length ? ` (${plural(wm.boundary_keys.length, 'row')} at exactly that time already sent)` : ''}.`
      : 'No watermark: the next run reads every row.',
    icon: { id: 'bookmark' },
    contextValue: wm ? 'watermark' : 'watermark none',
    collapsible: 'none',
  };
}

function runsNode(syncId: string, base: Base, runs: RunRecord[], options: ModelOptions): TreeNode {
  return {
    ...base,
    id: `${syncId}/runs`,
    kind: 'runs',
    label: 'Recent runs',
    description: runs.length === 0 ? 'none yet' : undefined,
    icon: { id: 'history' },
    contextValue: 'runs',
    collapsible: runs.length > 0 ? 'collapsed' : 'none',
    children: runs.map((r) => runNode(syncId, base, r, options)),
  };
}

export function runNode(syncId: string, base: Base, run: RunRecord, options: ModelOptions): TreeNode {
  const started = new Date(run.started_at);
  const counts = [`${run.rows_synced.toLocaleString('en-US')} synced`];
  if (run.rows_failed > 0) counts.push(`${run.rows_failed.toLocaleString('en-US')} failed`);
  if (run.data_points_saved) counts.push(`${run.data_points_saved.toLocaleString('en-US')} data points saved`);
  if (run.ended_at) counts.push(formatDuration(Date.parse(run.ended_at) - started.getTime()));
  const other = run.host && run.host !== options.host ? run.host : undefined;
  const tooltip = [
    `Run ${run.id}: ${run.status}${run.host ? ` on ${run.host}` : ''}`,
    `Started ${run.started_at}${run.ended_at ? `, ended ${run.ended_at}` : ''}`,
    `Rows read ${run.rows_read}, synced ${run.rows_synced}, failed ${run.rows_failed}`,
    ...(run.objects_sent !== undefined ? [`Sent ${run.objects_sent} objects, ${run.attributes_sent ?? 0} attributes; ${run.attributes_unchanged ?? 0} unchanged attributes left out (${run.data_points_saved ?? 0} data points saved)`] : []),
    `Watermark ${run.watermark_before ?? 'none'} → ${run.watermark_after ?? 'none'}`,
    ...(run.error ? [`Error: ${run.error}`] : []),
    ...run.warnings,
  ].join('\n');
  return {
    ...base,
    id: `${syncId}/run:${run.id}`,
    kind: 'run',
    label: run.status === 'skipped' ? 'skipped · the scheduled run did not start' : `${run.status} · ${counts.join(' · ')}`,
    description: `${formatUtc(started)} (${relativeTime(started, options.now)})${other ? ` · on ${other}` : ''}`,
    tooltip,
    icon: STATUS_ICON[run.status],
    contextValue: 'run',
    collapsible: run.rows_failed > 0 ? 'collapsed' : 'none',
    runId: run.id,
    ...(run.rows_failed > 0 ? {} : { children: [] }),
  };
}

/** Children of a run node, loaded when it is expanded. */
export function rowErrorNodes(run: TreeNode, errors: RowErrorRecord[], totalFailed: number): TreeNode[] {
  const nodes: TreeNode[] = errors.map((e, i) => ({
    file: run.file,
    sync: run.sync,
    line: run.line,
    runId: run.runId,
    id: `${run.id}/error:${i}`,
    kind: 'rowError',
    label: e.identifier,
    description: e.reason,
    tooltip: [`UPDATED_AT ${e.updated_at}`, e.reason, ...(e.payload ? ['', e.payload] : [])].join('\n'),
    icon: { id: 'error', color: 'list.errorForeground' },
    contextValue: 'rowError',
    collapsible: 'none',
    children: [],
  }));
  if (errors.length === 0) nodes.push(message({ path: run.file }, `${run.id}/no-errors`, 'Row errors are no longer kept for this run'));
  else if (totalFailed > errors.length) {
    nodes.push(message({ path: run.file }, `${run.id}/more`, `… and ${plural(totalFailed - errors.length, 'more row error')} (Show History)`));
  }
  return nodes;
}

function message(file: Pick<FileSummary, 'path'>, key: string, text: string): TreeNode {
  return {
    id: `message:${file.path}#${key}`,
    kind: 'message',
    label: text,
    contextValue: 'message',
    collapsible: 'none',
    file: file.path,
    children: [],
  };
}
