/**
 * What validation reports. Offsets are absolute into the document text; `toDiagnostic` turns them
 * into line/character ranges for the editor and the CLI.
 */
import type { LineIndex, Range } from '../parse/line-index';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A text edit in absolute offsets. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/** A quick fix computed along with the problem, so code actions need no second analysis. */
export interface ProblemFix {
  title: string;
  edits: OffsetEdit[];
  /**
   * A command to run instead of (or after) the edits, e.g. Test Connection in VS Code. Core does
   * not know the document's URI: hosts pass the URI as the first argument, before `arguments`.
   */
  command?: { command: string; title: string; arguments: unknown[] };
  preferred?: boolean;
}

export interface Problem {
  code: string;
  severity: Severity;
  message: string;
  start: number;
  end: number;
  fixes?: ProblemFix[];
  related?: { start: number; end: number; message: string }[];
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  command?: ProblemFix['command'];
  preferred?: boolean;
}

/** A problem with line/character ranges (0-based), the form the server and CLI consume. */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  fixes?: Fix[];
  related?: { range: Range; message: string }[];
}

export function toDiagnostic(p: Problem, lines: LineIndex): Diagnostic {
  const d: Diagnostic = { code: p.code, severity: p.severity, message: p.message, range: lines.range(p.start, p.end) };
  if (p.fixes?.length) {
    d.fixes = p.fixes.map((f) => ({
      title: f.title,
      edits: f.edits.map((e) => ({ range: lines.range(e.start, e.end), newText: e.newText })),
      ...(f.command ? { command: f.command } : {}),
      ...(f.preferred ? { preferred: true } : {}),
    }));
  }
  if (p.related?.length) d.related = p.related.map((r) => ({ range: lines.range(r.start, r.end), message: r.message }));
  return d;
}
