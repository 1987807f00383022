/**
 * Locates the first syntax error in a JSON text. V8's `JSON.parse` messages sometimes give no
 * position and sometimes quote the whole input (which may hold personal data), so row errors use
 * this instead. Only called after `JSON.parse` failed; iterative, so deep nesting cannot overflow.
 */

export interface JsonSyntaxError {
  /** Zero-based character offset. */
  position: number;
  line: number;
  column: number;
  problem: string;
}

type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'comma-or-close' | 'end';

const ESCAPES = '"\\/bfnrtu';

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: ('{' | '[')[] = [];
  let i = 0;
  let expect: Expect = 'value';
  const at = (problem: string): JsonSyntaxError => {
    const before = text.slice(0, i);
    const line = before.split('\n').length;
    return { position: i, line, column: i - before.lastIndexOf('\n'), problem };
  };
  const afterValue = (): Expect => (stack.length > 0 ? 'comma-or-close' : 'end');
  const scanString = (): JsonSyntaxError | undefined => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) return at('unterminated string (missing closing ")');
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === undefined || !ESCAPES.includes(e)) {
          i++;
          return at(`invalid escape \\${e ?? ''} in a string`);
        }
        if (e === 'u') {
          let k = 0;
          while (k < 4 && /[0-9a-fA-F]/.test(text[i + 2 + k] ?? '')) k++;
          if (k < 4) {
            i += 2 + k;
            return at('\\u must be followed by four hex digits');
          }
        }
        i += e === 'u' ? 6 : 2;
        continue;
      }
      if (c < ' ') return at(`raw control character ${show(c)} in a string (escape it, e.g. \\n)`);
      i++;
    }
  };
  // Walks the number grammar so the error points at the first character that breaks it.
  const scanNumber = (): JsonSyntaxError | undefined => {
    const digits = (): number => {
      const start = i;
      while (/[0-9]/.test(text[i] ?? '')) i++;
      return i - start;
    };
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (digits() === 0) return at('a number needs digits');
    if (text[i] === '.') {
      i++;
      if (digits() === 0) return at('a number needs digits after the decimal point');
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (digits() === 0) return at('a number needs digits in its exponent');
    }
    return undefined;
  };
  const scanValue = (c: string): JsonSyntaxError | undefined => {
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      expect = c === '{' ? 'key-or-close' : 'value-or-close';
      return undefined;
    }
    if (c === '"') {
      expect = afterValue();
      return scanString();
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const bad = scanNumber();
      if (bad) return bad;
      expect = afterValue();
      return undefined;
    }
    const literal = ['true', 'false', 'null'].find((l) => l[0] === c);
    if (literal) {
      let k = 0;
      while (k < literal.length && text[i + k] === literal[k]) k++;
      i += k;
      if (k < literal.length) return at(`${literal} is misspelt (found ${show(text[i])})`);
      expect = afterValue();
      return undefined;
    }
    return at(`unexpected ${show(c)} where a value was expected`);
  };

  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
    const c = text[i];
    if (expect === 'end') return c === undefined ? undefined : at(`unexpected ${show(c)} after the end of the JSON value`);
    if (c === undefined) {
      const open = stack[stack.length - 1];
      return at(open ? `unexpected end of input: the ${open === '{' ? 'object' : 'array'} is not closed` : 'empty input');
    }
    let error: JsonSyntaxError | undefined;
    if ((expect === 'key-or-close' && c === '}') || (expect === 'value-or-close' && c === ']')) {
      stack.pop();
      i++;
      expect = afterValue();
    } else if (expect === 'key' || expect === 'key-or-close') {
      if (c !== '"') return at(`expected a double-quoted property name, found ${show(c)}`);
      error = scanString();
      while (!error && ' \t\n\r'.includes(text[i] ?? 'x')) i++;
      if (!error && text[i] !== ':') error = at(`expected ':' after the property name, found ${show(text[i])}`);
      i += error ? 0 : 1;
      expect = 'value';
    } else if (expect === 'comma-or-close') {
      const open = stack[stack.length - 1];
      const close = open === '{' ? '}' : ']';
      if (c === ',') {
        i++;
        expect = open === '{' ? 'key' : 'value';
      } else if (c === close) {
        stack.pop();
        i++;
        expect = afterValue();
      } else {
        return at(`expected ',' or '${close}', found ${show(c)}`);
      }
    } else {
      error = scanValue(c);
    }
    if (error) return error;
  }
}

/** `unexpected '}' where a value was expected at position 6 (line 1, column 7)`. */
export function formatJsonSyntaxError(error: JsonSyntaxError): string {
  return `${error.problem} at position ${error.position} (line ${error.line}, column ${error.column})`;
}

function show(c: string | undefined): string {
  if (c === undefined) return 'end of input';
  return c < ' ' || c === '\u007f' ? `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`;
}
