/**
 * The workspace part of `npm run bench:lsp`: 200 definition files of 5–24 syncs on disk, as when a
 * user opens a team's repository.
 *   (w1) every file sent to a freshly started server at once (didOpen, as an editor restoring its
 *        tabs) → the first diagnostics of every file; the same for yaml-language-server;
 *   (w2) the sidebar tree's data, built the way the extension builds it (client/src/tree: each file
 *        read and summarised through core, each sync's state and runs read, the tree nodes made),
 *        in this process, with state recorded for one sync of every file.
 * The extension's own tree widget is VS Code's; what it waits for is (w2).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { StateBackends } from '../client/src/sync/state-backends';
import { readFileRecords, summarizeDefinition } from '../client/src/tree/sync-tree-data';
import { fileNode } from '../client/src/tree/sync-tree-model';
import { createFileStateStore } from '../core/src/state/file-state-store';
import { syncStateDir } from '../core/src/state/state-location';
import type { LspClient } from '../test/lsp/lsp-client';
import { generateSyncFile } from './generate-syncs';

export const WORKSPACE_FILES = 200;

export interface WorkspaceMeasures {
  files: number;
  syncs: number;
  /** didOpen of every file → diagnostics of every file, per server. */
  allDiagnosticsMs: number;
  problems: number;
}

/** Writes the workspace under `dir`; returns the files' paths. */
export function writeWorkspace(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: WORKSPACE_FILES }, (_, i) => {
    const file = path.join(dir, `team-${String(i).padStart(3, '0')}.brazesync.yaml`);
    writeFileSync(file, generateSyncFile(5 + (i % 20)).text);
    return file;
  });
}

/** (w1): opens every file at once on `client` and waits for diagnostics of each. */
export async function openWorkspace(client: LspClient, languageId: string, files: string[]): Promise<WorkspaceMeasures> {
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const uris = files.map((f) => pathToFileURL(f).href);
  const waiting = uris.map((uri) => client.nextDiagnostics(uri, (p) => p.diagnostics.length > 0));
  const start = performance.now();
  await Promise.all(uris.map((uri, i) => client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: texts[i] } })));
  const published = await Promise.all(waiting);
  const allDiagnosticsMs = performance.now() - start;
  const syncs = texts.reduce((n, t) => n + (t.match(/^ {2}sync_\d+:/gm)?.length ?? 0), 0);
  return { files: files.length, syncs, allDiagnosticsMs, problems: published.reduce((n, p) => n + p.diagnostics.length, 0) };
}

/** Records a state for one sync of every file through the engine's state store, as a team's first runs would leave. */
export async function recordSomeState(stateRoot: string, files: string[]): Promise<void> {
  for (const [i, file] of files.entries()) {
    const sync = `sync_${String(i % 5).padStart(4, '0')}`;
    await createFileStateStore(syncStateDir(stateRoot, file, sync)).writeState({ version: 1, sync, data_type: 'custom_attributes', data_type_recorded_at: '2026-12-01T00:05:00.000Z' });
  }
}

/** (w2): the tree's data for every file, as `SyncTreeProvider.load` builds it; returns ms and node count. */
export async function buildTree(files: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; nodes: number }> {
  const start = performance.now();
  const now = new Date();
  const summaries = await Promise.all(files.map(async (f) => summarizeDefinition(f, await readFile(f, 'utf8'), path.basename(f), env)));
  const backends = new StateBackends((name) => env[name]);
  const nodes = await Promise.all(summaries.map(async (file) => fileNode(file.summary, await readFileRecords(file, backends, { now, recentRuns: 10 }), { now })));
  await backends.close();
  const ms = performance.now() - start;
  return { ms, nodes: nodes.reduce((n, f) => n + 1 + (f.children?.length ?? 0), 0) };
}
