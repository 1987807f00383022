/**
 * The one validation used by the language server, the CLI and the engine: YAML syntax, the JSON
 * Schema, and the semantic rules. Per-segment results are memoised on the segment (see
 * `parse/sync-document.ts`), so after an edit inside one sync only that sync is re-checked.
 */
import { isMap, isScalar } from 'yaml';
import { aliasTrouble, jsValue, localKeySpan } from '../parse/nodes';
import type { Segment } from '../parse/segments';
import type { SyncEntry, SyncFileDocument, YamlError } from '../parse/sync-document';
import { fileRules } from '../rules/file-rules';
import { headerRules } from '../rules/header-rules';
import type { FileContext, SyncView } from '../rules/rule-context';
import { syncRules } from '../rules/sync-rules';
import { headerView, syncMemoKey, syncView } from '../rules/views';
import { validateHeaderValue, validateSyncValue } from '../schema/schema';
import type { StateLookup } from '../state/sync-state';
import { toDiagnostic, type Diagnostic, type Problem } from '../rules/problem';
import { schemaProblems } from './schema-problems';
import { excessiveNesting, MAX_DEPTH, TOO_DEEP } from '../parse/nesting-depth';

export interface ValidateOptions {
  /** Recorded state of the file's syncs; without it, state-based rules say nothing. */
  state?: StateLookup;
  /** True when any state is recorded for the file (see `checkActiveSyncTested`). */
  stateKnown?: boolean;
}

function mapOffsets(p: Problem, f: (offset: number) => number): Problem {
  return {
    ...p,
    start: f(p.start),
    end: f(p.end),
    ...(p.fixes ? { fixes: p.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, start: f(e.start), end: f(e.end) })) })) } : {}),
    ...(p.related ? { related: p.related.map((r) => ({ ...r, start: f(r.start), end: f(r.end) })) } : {}),
  };
}

/** Computes a segment's problems (in local offsets) once per segment text; returns them absolute. */
function memoised(segment: Segment, key: string, compute: () => Problem[]): Problem[] {
  let local = segment.memo.get(key) as Problem[] | undefined;
  if (!local) {
    local = compute();
    segment.memo.set(key, local);
  }
  return local.length === 0 ? local : local.map((p) => mapOffsets(p, (o) => segment.toAbs(o)));
}

/**
 * A syntax error covers the rest of its line at most (never the rest of the file), and at least
 * the token it points at, so it is visible.
 */
function yamlProblem(e: YamlError, doc: SyncFileDocument): Problem {
  const { lines, text } = doc;
  const line = lines.positionAt(e.start).line;
  const lineStart = lines.lineStart(line);
  const lineEnd = lines.lineEnd(line);
  let start = Math.min(e.start, lineEnd);
  const quote = /quote/i.test(e.message) ? unclosedQuoteBefore(text, e.start) : undefined;
  if (quote !== undefined) {
    const qLine = lines.positionAt(quote).line;
    return { code: 'yaml-syntax', severity: 'error', message: 'YAML syntax error: this quoted value is never closed; add the closing quote.', start: quote, end: lines.lineEnd(qLine) };
  }
  if (start === lineEnd) start = lineStart + (lines.lineText(line).length - lines.lineText(line).trimStart().length);
  let end = Math.min(Math.max(e.end, start + 1), lineEnd);
  if (e.code === 'DUPLICATE_KEY') {
    while (end < lineEnd && !/[\s:]/.test(text[end] ?? ' ')) end++;
    return { code: 'duplicate-key', severity: 'error', message: 'This key appears twice in the same mapping; keep one.', start, end };
  }
  if (e.code === 'MULTIPLE_DOCS') {
    return { code: 'multiple-documents', severity: 'error', message: 'A definition file holds one YAML document; move what follows `---` into its own .brazesync.yaml file.', start, end: lineEnd };
  }
  end = Math.max(end, lineEnd);
  return { code: 'yaml-syntax', severity: 'error', message: `YAML syntax error: ${e.message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '')}`, start, end: Math.max(end, start) };
}

/** The parser reports an unclosed quote where the text ends; the user needs the opening quote. */
function unclosedQuoteBefore(text: string, offset: number): number | undefined {
  for (let lineEnd = offset; lineEnd > 0; ) {
    const lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
    const line = text.slice(lineStart, lineEnd);
    for (const q of ['"', "'"]) {
      if ((line.split(q).length - 1) % 2 === 1) return lineStart + line.lastIndexOf(q);
    }
    lineEnd = lineStart - 1;
  }
  return undefined;
}

/**
 * A segment that does not parse cleanly gets its syntax errors only: schema and rule checks on a
 * half-parsed tree would bury the one real problem under invented ones.
 */
function isBroken(segment: Segment): boolean {
  return segment.doc.errors.length > 0;
}

/** The segment's alias problem (local offsets), worked out once per segment text. */
function aliasProblem(segment: Segment): Problem[] {
  let found = segment.memo.get('aliases') as Problem[] | undefined;
  if (!found) segment.memo.set('aliases', (found = findAliasProblem(segment)));
  return found;
}

function findAliasProblem(segment: Segment): Problem[] {
  const trouble = aliasTrouble(segment);
  if (!trouble) return [];
  const { kind, ...span } = trouble;
  const message =
    kind === 'unresolved'
      ? 'This alias refers to an anchor that is not defined before it; define `&name` first or write the value out.'
      : 'These aliases expand to too many values (an alias bomb, or aliases nested in aliases): write the values out instead of repeating anchors.';
  return [{ code: 'yaml-syntax', severity: 'error', message, ...span }];
}

function headerProblems(doc: SyncFileDocument): Problem[] {
  const segment = doc.header;
  if (isBroken(segment)) return [];
  return memoised(segment, `header:${segment.kind}`, () => {
    const alias = aliasProblem(segment);
    if (alias.length) return alias;
    const root = segment.doc.contents;
    const value = jsValue(segment, root);
    const problems: Problem[] = [];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      const syncs = record.syncs;
      // Sync entries are validated one by one; a segmented header has them cut out.
      const checked = { ...record, syncs: segment.kind === 'header' || (syncs && typeof syncs === 'object' && !Array.isArray(syncs)) ? {} : syncs };
      const anchor = isMap(root) && root.items[0] ? localKeySpan(root.items[0]) : { start: 0, end: 0 };
      problems.push(...schemaProblems(validateHeaderValue(checked), { segment, root: root ?? null, path: [], anchor }));
    } else {
      const firstLine = segment.text.indexOf('\n');
      const end = firstLine === -1 ? segment.text.length : firstLine;
      problems.push({ code: 'wrong-type', severity: 'error', message: 'A definition file is a mapping with `version`, `braze`, `connections` and `syncs`. Start from the example in the README or run "Braze Sync: New Sync Definition".', start: 0, end });
    }
    const header = headerView(doc);
    for (const rule of headerRules) problems.push(...rule(header));
    return problems;
  });
}

/**
 * The sync's plain value for the schema. When its fields are the whole mapping (string keys, none
 * twice, no merge key) it is put together from the fields' values, which the view already built:
 * converting every sync twice was a tenth of opening a big file.
 */
function syncValue(entry: SyncEntry, view: SyncView): unknown {
  const value = entry.pair.value;
  const fromFields =
    isMap(value) &&
    value.items.length === view.fields.size &&
    value.items.every((p) => isScalar(p.key) && typeof p.key.value === 'string' && p.key.value !== '<<' && p.key.value !== '__proto__');
  if (!fromFields) return jsValue(entry.segment, value);
  const record: Record<string, unknown> = {};
  view.fields.forEach((field, key) => (record[key] = field.js)); // no [key, field] pair per entry
  return record;
}

function syncProblems(doc: SyncFileDocument, entry: SyncEntry, view: SyncView): Problem[] {
  if (isBroken(entry.segment)) return [];
  return memoised(entry.segment, syncMemoKey(entry.segment, entry.name, 'problems'), () => {
    // Values behind a broken alias can't be checked. A sync parsed with the whole file shares the
    // header's segment, where the alias is reported once.
    const alias = aliasProblem(entry.segment);
    if (alias.length) return entry.segment === doc.header ? [] : alias;
    const path = ['syncs', entry.name];
    const problems = schemaProblems(validateSyncValue(syncValue(entry, view)), {
      segment: entry.segment,
      root: entry.pair.value,
      path,
      anchor: view.nameSpan,
    });
    for (const rule of syncRules) problems.push(...rule(view));
    return problems;
  });
}

/**
 * The parser ran out of stack: its errors then depend on where that happened, so one problem
 * replaces them, at the first place the text nests too deep (the same in the editor and the CLI).
 */
function tooDeepProblem(doc: SyncFileDocument, overflow: YamlError): Problem {
  const at = excessiveNesting(doc.text, MAX_DEPTH) ?? overflow.start;
  const line = doc.lines.positionAt(at).line;
  return {
    code: 'yaml-syntax',
    severity: 'error',
    message: `YAML syntax error: the value nests too deeply to read (more than ${MAX_DEPTH} levels of brackets or indentation); flatten it, or close the brackets left open.`,
    start: at,
    end: Math.max(at + 1, doc.lines.lineEnd(line)),
  };
}

/**
 * The first syntax error of each line: the parser's later errors on a line follow from the first
 * (a line of 30,000 stray quotes gave 30,000 problems, each rescanning the line).
 */
function firstPerLine(doc: SyncFileDocument): YamlError[] {
  const kept: YamlError[] = [];
  let lastLine = -1;
  for (const e of [...doc.yamlErrors].sort((a, b) => a.start - b.start)) {
    const line = doc.lines.positionAt(e.start).line;
    if (line !== lastLine) kept.push(e);
    lastLine = line;
  }
  return kept;
}

/** All problems of a document, in absolute offsets, sorted by position. */
export function validateDocument(doc: SyncFileDocument, options: ValidateOptions = {}): Problem[] {
  const overflow = doc.yamlErrors.find((e) => e.code === TOO_DEEP || /Maximum call stack size exceeded/.test(e.message));
  const problems: Problem[] = overflow ? [tooDeepProblem(doc, overflow)] : firstPerLine(doc).map((e) => yamlProblem(e, doc));
  problems.push(...headerProblems(doc));
  const healthy = doc.syncs.filter((entry) => !isBroken(entry.segment));
  const syncs = healthy.map(syncView);
  healthy.forEach((entry, i) => problems.push(...syncProblems(doc, entry, syncs[i] as SyncView)));
  if (!isBroken(doc.header)) {
    const ctx: FileContext = { doc, header: headerView(doc), syncs, ...(options.state ? { state: options.state, stateKnown: options.stateKnown ?? false } : {}) };
    for (const rule of fileRules) problems.push(...rule(ctx));
  }
  return problems.sort((a, b) => a.start - b.start || a.end - b.end);
}

export function validate(doc: SyncFileDocument, options: ValidateOptions = {}): Diagnostic[] {
  return validateDocument(doc, options).map((p) => toDiagnostic(p, doc.lines));
}
