/**
 * Splits a definition file into independently parseable pieces: one per sync under a block-style
 * `syncs:` key, and the header (everything else). Re-parsing only the piece that changed is what
 * keeps diagnostics fast while typing in files with a thousand syncs; see `sync-document.ts`.
 *
 * The scan is line-based and conservative: whenever the layout is anything but the plain block
 * style (flow collections, anchors/aliases, tags, several documents, odd indentation) it returns
 * `undefined` and the caller parses the whole file at once, which is always correct.
 */
export interface SyncSpan {
  /** Offset of the first character of the sync's key line (its indentation included). */
  start: number;
  /** Offset just past the sync's last line, including blank and comment lines up to the next entry. */
  end: number;
}

export interface SegmentLayout {
  /** Where the sync entries begin and end; the header is the text outside `[bodyStart, bodyEnd)`. */
  bodyStart: number;
  bodyEnd: number;
  /** Indentation of the sync names under `syncs:`. */
  syncIndent: number;
  syncs: SyncSpan[];
}

const SYNCS_KEY = /^syncs[ \t]*:[ \t]*(#.*)?$/;
// Constructs whose meaning crosses segment boundaries or whose layout the scan does not follow.
const UNSAFE = /(^|[\s[{,])[&*!][^\s]|^[ \t]*<<[ \t]*:|^(---|\.\.\.)([ \t]|$)|^%/m;

export function scanSegments(text: string): SegmentLayout | undefined {
  if (UNSAFE.test(text)) return undefined;
  let pos = 0;
  let inSyncs = false;
  let syncIndent = -1;
  let bodyStart = -1;
  let bodyEnd = -1;
  let sawSyncsKey = false;
  const syncs: SyncSpan[] = [];

  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const next = nl === -1 ? text.length : nl + 1;
    const lineEnd = nl === -1 ? text.length : nl > pos && text[nl - 1] === '\r' ? nl - 1 : nl;
    const line = text.slice(pos, lineEnd);
    const indent = line.length - line.trimStart().length;
    const content = line.trim();
    const blank = content === '' || content.startsWith('#');

    if (line.includes('\t') && /^[ \t]*\t/.test(line) && !blank) return undefined;

    if (!blank && indent === 0) {
      if (inSyncs) {
        inSyncs = false;
        if (syncs.length > 0) bodyEnd = pos;
      }
      if (SYNCS_KEY.test(line)) {
        if (sawSyncsKey) return undefined; // duplicate key: let the full parse report it
        sawSyncsKey = true;
        inSyncs = true;
      }
    } else if (inSyncs && !blank) {
      if (syncIndent === -1) syncIndent = indent;
      if (indent < syncIndent) return undefined;
      if (indent === syncIndent) {
        if (content.startsWith('- ') || content === '-') return undefined; // `syncs` is a list
        if (syncs.length === 0) bodyStart = pos;
        syncs.push({ start: pos, end: next });
      }
    }
    // Blank and comment lines stay with the sync above them, so the spans tile the body.
    const last = inSyncs ? syncs[syncs.length - 1] : undefined;
    if (last) last.end = next;
    pos = next;
  }
  if (syncs.length === 0) return undefined;
  if (inSyncs) bodyEnd = text.length;
  return { bodyStart, bodyEnd, syncIndent, syncs };
}

/**
 * Whether `spanText` (one sync's lines after an edit) still fits the layout: its first line is a
 * key at `syncIndent`, every other line is blank, a comment, or indented deeper, and it holds none
 * of the constructs that force a whole-file parse. Then only this span needs parsing again.
 */
export function spanStillFits(spanText: string, syncIndent: number): boolean {
  if (UNSAFE.test(spanText)) return false;
  let pos = 0;
  let first = true;
  while (pos < spanText.length) {
    const nl = spanText.indexOf('\n', pos);
    const end = nl === -1 ? spanText.length : nl;
    const line = spanText.slice(pos, end);
    const content = line.trim();
    const indent = line.length - line.trimStart().length;
    if (/^[ \t]*\t/.test(line) && content !== '') return false;
    if (first) {
      if (indent !== syncIndent || content === '' || content.startsWith('#') || content.startsWith('-')) return false;
      first = false;
    } else if (content !== '' && !content.startsWith('#') && indent <= syncIndent) {
      return false;
    }
    pos = end + 1;
  }
  return !first;
}
