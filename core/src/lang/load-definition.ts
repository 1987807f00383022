/**
 * Reads, parses and validates a definition file from disk: the entry point of the CLI, the engine
 * and the scheduler, so that they judge a file exactly as the editor does.
 */
import { promises as fs } from 'node:fs';
import type { SyncFile } from '../model/sync-file';
import { parseSyncFile, type SyncFileDocument } from '../parse/sync-document';
import { lookupFrom, readSyncRecords } from '../state/read-sync-records';
import { stateRootFor } from '../state/state-location';
import type { Diagnostic, Severity } from '../rules/problem';
import { validate } from './validate';

/** A problem as the CLI prints it: 1-based lines and columns. */
export interface FileProblem {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
}

export interface LoadedDefinition {
  filePath: string;
  text: string;
  doc: SyncFileDocument;
  diagnostics: Diagnostic[];
  problems: FileProblem[];
  hasErrors: boolean;
  /** The typed model; present only when there is no error. */
  file?: SyncFile;
  stateRoot: string;
}

export function toFileProblem(file: string, d: Diagnostic): FileProblem {
  return {
    file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
}

/** The text form: `file:line:col severity code message`. */
export function formatProblem(p: FileProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.severity} ${p.code} ${p.message}`;
}

export function checkDefinitionText(filePath: string, text: string, options: { stateDir?: string; env?: NodeJS.ProcessEnv } = {}): LoadedDefinition {
  const stateRoot = stateRootFor(filePath, options.stateDir, options.env);
  const doc = parseSyncFile(text);
  const records = readSyncRecords(stateRoot, filePath);
  const diagnostics = validate(doc, { state: lookupFrom(records), stateKnown: records.size > 0 });
  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  const loaded: LoadedDefinition = { filePath, text, doc, diagnostics, problems: diagnostics.map((d) => toFileProblem(filePath, d)), hasErrors, stateRoot };
  if (!hasErrors) loaded.file = doc.header.kind === 'whole' ? (doc.header.doc.toJS() as SyncFile) : assemble(doc);
  return loaded;
}

function assemble(doc: SyncFileDocument): SyncFile {
  const header = doc.header.doc.toJS() as SyncFile;
  const syncs: SyncFile['syncs'] = {};
  for (const s of doc.syncs) syncs[s.name] = s.pair.value?.toJS(s.segment.doc) as SyncFile['syncs'][string];
  return { ...header, syncs };
}

/**
 * Throws only for unreadable files (the error names the file); validation problems are returned.
 * The bytes are decoded as an editor does (a leading BOM dropped, bytes that are not UTF-8 shown
 * as U+FFFD), so every problem is at the line and column the editor shows.
 */
export async function loadDefinitionFile(filePath: string, options: { stateDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<LoadedDefinition> {
  const text = new TextDecoder('utf-8').decode(await fs.readFile(filePath));
  return checkDefinitionText(filePath, text, options);
}
