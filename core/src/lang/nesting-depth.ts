/**
 * Where a text first nests flow collections (`[`, `{`) deeper than `limit`: the YAML parser
 * recurses per level, so a document thousands of levels deep overflows the stack at a point that
 * depends on the stack's size, and the editor and the CLI would report different places. This scan
 * finds the same place every time. Quoted strings and comments are skipped; block indentation is
 * not counted (it cannot nest that deep within sane line lengths).
 */
export function excessiveNesting(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return i;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (depth > 0) depth--;
    } else if (c === 0x22 /* " */) {
      i = skipDoubleQuoted(text, i);
    } else if (c === 0x27 /* ' */) {
      const end = text.indexOf("'", i + 1);
      i = end === -1 ? text.length : end;
    } else if (c === 0x23 /* # */ && (i === 0 || /\s/.test(text.charAt(i - 1)))) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    }
  }
  return undefined;
}

function skipDoubleQuoted(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return text.length;
}
