/**
 * Where a text first nests deeper than `limit`: the YAML library recurses per level, so a document
 * thousands of levels deep overflows the stack at a point that depends on the stack's size, and
 * the editor and the CLI would report different places. This scan finds the same place every time.
 * Flow collections (`[`, `{`) and block collections (indentation, and compact `- - -` or `? ` on
 * one line) are counted each against the limit. Quoted strings and comments are skipped.
 */
/** Deeper than any definition needs, shallow enough for the parser's stack in the editor and the CLI alike. */
export const MAX_DEPTH = 200;

/** The code of the parse error a too-deep text gets instead of a parse (see `sync-document.ts`). */
export const TOO_DEEP = 'TOO_DEEP';

export function excessiveNesting(text: string, limit: number): number | undefined {
  let flow = 0;
  /** Columns where the open block collections start, innermost last. */
  const block: number[] = [];
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    if (lineStart) {
      lineStart = false;
      const deep = flow === 0 ? openBlockLevels(text, i, block, limit) : undefined;
      if (deep !== undefined) return deep;
    }
    const c = text.charCodeAt(i);
    if (c === 0x0a /* \n */ || c === 0x0d /* \r */) {
      lineStart = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++flow > limit) return i;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (flow > 0) flow--;
    } else if (c === 0x22 /* " */) {
      i = skipDoubleQuoted(text, i);
    } else if (c === 0x27 /* ' */) {
      const end = text.indexOf("'", i + 1);
      i = end === -1 ? text.length : end;
    } else if (c === 0x23 /* # */ && (i === 0 || /\s/.test(text.charAt(i - 1)))) {
      i = nextLineBreak(text, i) - 1;
    }
  }
  return undefined;
}

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || Number.isNaN(c);

/**
 * Updates `block` for the line starting at `start` (closing the levels its indentation ends, then
 * opening its own and one per compact indicator); returns where the levels pass `limit`.
 */
function openBlockLevels(text: string, start: number, block: number[], limit: number): number | undefined {
  let i = start;
  while (text.charCodeAt(i) === 0x20) i++;
  const first = text.charCodeAt(i);
  if (isBlank(first) || first === 0x23 /* # */) return undefined; // blank or comment line
  while (block.length > 0 && (block[block.length - 1] as number) >= i - start) block.pop();
  block.push(i - start);
  if (block.length > limit) return i;
  for (;;) {
    const c = text.charCodeAt(i);
    if (!((c === 0x2d /* - */ || c === 0x3f /* ? */) && isBlank(text.charCodeAt(i + 1)))) break;
    i++;
    while (text.charCodeAt(i) === 0x20) i++;
    if (text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d || i >= text.length) break;
    block.push(i - start);
    if (block.length > limit) return i;
  }
  return undefined;
}

function nextLineBreak(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) return i;
  }
  return text.length;
}

function skipDoubleQuoted(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return text.length;
}
