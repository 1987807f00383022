/**
 * Cursor marker DSL for language-feature tests: `<|>` in a test text marks the position, e.g.
 * `withCursor('    data_type: cu<|>')`. A marker that can never be YAML keeps tests readable
 * next to block scalars and snippet choices, which both use `|`.
 */
import { LineIndex, type Position } from '../parse/line-index';

export const CURSOR = '<|>';

export interface CursorText {
  /** The text without the marker. */
  text: string;
  offset: number;
  position: Position;
}

export function withCursor(marked: string): CursorText {
  const offset = marked.indexOf(CURSOR);
  if (offset === -1 || marked.indexOf(CURSOR, offset + 1) !== -1) throw new Error(`test text needs exactly one ${CURSOR} marker`);
  const text = marked.slice(0, offset) + marked.slice(offset + CURSOR.length);
  return { text, offset, position: new LineIndex(text).positionAt(offset) };
}

/** Applies LSP-style edits (line/character ranges) to `text`, last edit first. */
export function applyEdits(text: string, edits: readonly { range: { start: Position; end: Position }; newText: string }[]): string {
  const lines = new LineIndex(text);
  const spans = edits.map((e) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), newText: e.newText }));
  spans.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.newText + out.slice(s.end);
  return out;
}

/**
 * The same text parsed the other way: an anchor on the first plain `key: value` line (without the
 * cursor marker) makes the segment scan give up, so the file is parsed whole. Only that line
 * changes, so positions elsewhere stay valid.
 */
export function wholeVariant(text: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => !l.includes(CURSOR) && /^[ \t]*[\w-]+:[ \t]+[\w$]/.test(l));
  if (i === -1) throw new Error('wholeVariant needs a plain `key: value` line');
  lines[i] = (lines[i] ?? '').replace(/:[ \t]+/, (m) => `${m}&v `);
  return lines.join('\n');
}

/** Inserted text of a snippet with every placeholder at its default and every choice at its first option. */
export function expandSnippet(snippet: string): string {
  let text = snippet;
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text.replace(/\$\{\d+:((?:\\.|[^\\{}$])*)\}/g, '$1').replace(/\$\{\d+\|((?:\\.|[^\\,|])*)[^}]*\|\}/g, '$1');
  }
  return text.replace(/\$\d+/g, '').replace(/\\([\\$},|])/g, '$1');
}
