/**
 * Quick fixes. Validation computes each problem's fixes along with the problem; the server puts
 * them in `Diagnostic.data` and the client sends the diagnostics back with the code action
 * request, so no second analysis is needed and the fix always matches the text the user saw.
 */
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic, type Range, type TextEdit } from 'vscode-languageserver-types';
import type { Position } from '../parse/line-index';
import type { SyncFileDocument } from '../parse/sync-document';
import type { Fix } from '../rules/problem';

/**
 * What a brazesync diagnostic carries in `Diagnostic.data`. A fix's command arguments are
 * document-relative (validation does not know the URI): the code action prepends the document URI,
 * so `brazeSync.testConnection` gets `[uri, syncName]` from a quick fix exactly as from a CodeLens.
 */
export interface DiagnosticData {
  fixes: Fix[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isPosition(v: unknown): v is Position {
  return isRecord(v) && Number.isInteger(v.line) && Number.isInteger(v.character) && (v.line as number) >= 0 && (v.character as number) >= 0;
}

function isRange(v: unknown): v is Range {
  return isRecord(v) && isPosition(v.start) && isPosition(v.end);
}

function isFix(v: unknown): v is Fix {
  if (!isRecord(v) || typeof v.title !== 'string' || !Array.isArray(v.edits)) return false;
  if (!v.edits.every((e) => isRecord(e) && isRange(e.range) && typeof e.newText === 'string')) return false;
  const c = v.command;
  return c === undefined || (isRecord(c) && typeof c.command === 'string' && typeof c.title === 'string' && (c.arguments === undefined || Array.isArray(c.arguments)));
}

/** The well-formed fixes in a diagnostic's `data` (the client echoes it back untouched, but it is still input). */
export function diagnosticFixes(d: LspDiagnostic): Fix[] {
  const fixes = isRecord(d.data) ? d.data.fixes : undefined;
  return Array.isArray(fixes) ? fixes.filter(isFix) : [];
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Touching counts: a cursor at either end of a diagnostic gets its fixes. */
function intersects(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** Edits must lie inside the document; a fix computed for an older, longer text is dropped. */
function fitsDocument(doc: SyncFileDocument, edits: readonly TextEdit[]): boolean {
  return edits.every((e) => !before(e.range.end, e.range.start) && e.range.end.line < doc.lines.lineCount);
}

/**
 * Quick fixes for the diagnostics the client sent for `range`: one action per fix, marked
 * preferred when the fix says so; the same fix offered by several diagnostics appears once.
 * Never throws.
 */
export function codeActions(doc: SyncFileDocument, range: Range, diagnostics: readonly LspDiagnostic[], uri: string): CodeAction[] {
  const actions = new Map<string, CodeAction & { diagnostics: LspDiagnostic[] }>();
  for (const diagnostic of diagnostics) {
    if (!isRange(diagnostic.range) || !intersects(diagnostic.range, range)) continue;
    for (const fix of diagnosticFixes(diagnostic)) {
      if (!fitsDocument(doc, fix.edits)) continue;
      const key = JSON.stringify([fix.title, fix.edits, fix.command]);
      const existing = actions.get(key);
      if (existing) {
        existing.diagnostics.push(diagnostic);
        continue;
      }
      actions.set(key, {
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        ...(fix.edits.length ? { edit: { changes: { [uri]: fix.edits.map((e) => ({ range: e.range, newText: e.newText })) } } } : {}),
        ...(fix.command ? { command: { title: fix.command.title, command: fix.command.command, arguments: [uri, ...(fix.command.arguments ?? [])] } } : {}),
        ...(fix.preferred === true ? { isPreferred: true } : {}),
      });
    }
  }
  return [...actions.values()];
}
