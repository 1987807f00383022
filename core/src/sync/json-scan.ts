/**
 * One pass over a JSON text that accepts exactly what `JSON.parse` accepts, builds nothing, and
 * reports where an object's top-level members are. The row mapper checks every PAYLOAD with it:
 * a sync only needs to know that PAYLOAD is a valid object and what its top-level keys are (plus
 * a few values for events and purchases), and the text itself is what goes to Braze, so parsing
 * it into objects would be garbage for the collector and nothing else.
 *
 * A syntax error is located precisely (position, line, column, what is wrong) without quoting the
 * text, because V8's `JSON.parse` messages sometimes give no position and sometimes quote the
 * whole input (which may hold personal data). Iterative, so deep nesting cannot overflow.
 */

import type { JsonMembers } from './json-members';

export interface JsonSyntaxError {
  /** Zero-based character offset. */
  position: number;
  line: number;
  column: number;
  problem: string;
}

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export type JsonScan =
  | {
      ok: true;
      type: JsonType;
      /** The value's span without the whitespace around it: `text.slice(start, end)`. */
      start: number;
      end: number;
    }
  | { ok: false; error: JsonSyntaxError };

// Character codes.
const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const UPPER_E = 69;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const LOWER_E = 101;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

const OBJECT = 1;
const ARRAY = 2;

/** Open containers, innermost last; shared by scans (they never nest). */
let containers = new Uint8Array(64);

/** Set by the helpers below when they return -1. */
let failedAt = 0;
let failure = '';
/** Set by `scanString`: whether the string held a backslash escape. */
let sawEscape = false;

const isWhitespace = (c: number) => c === SPACE || c === LF || c === CR || c === TAB;
const isDigit = (c: number) => c >= ZERO && c <= NINE;
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

function fail(at: number, problem: string): -1 {
  failedAt = at;
  failure = problem;
  return -1;
}

/** `text[i]` is `"`; returns the index after the closing quote, or -1. */
function scanString(text: string, i: number): number {
  const n = text.length;
  sawEscape = false;
  i++;
  for (;;) {
    // Plain characters are nearly all of a payload: skip them in a tight loop.
    let c = text.charCodeAt(i);
    while (c >= SPACE && c !== QUOTE && c !== BACKSLASH) c = text.charCodeAt(++i);
    if (i >= n) return fail(i, 'unterminated string (missing closing ")');
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      sawEscape = true;
      const e = text.charCodeAt(i + 1); // NaN past the end
      if (e === 117 /* u */) {
        let k = 0;
        while (k < 4 && isHex(text.charCodeAt(i + 2 + k))) k++;
        if (k < 4) return fail(i + 2 + k, '\\u must be followed by four hex digits');
        i += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 47 /* / */ || e === 98 /* b */ || e === 102 /* f */ || e === 110 /* n */ || e === 114 /* r */ || e === 116 /* t */) {
        i += 2;
      } else {
        return fail(i + 1, `invalid escape \\${text.charAt(i + 1)} in a string`);
      }
    } else {
      return fail(i, `raw control character ${show(text, i)} in a string (escape it, e.g. \\n)`);
    }
  }
}

/** Walks the number grammar so an error points at the first character that breaks it. */
function scanNumber(text: string, i: number): number {
  if (text.charCodeAt(i) === MINUS) i++;
  if (text.charCodeAt(i) === ZERO) i++;
  else {
    const start = i;
    while (isDigit(text.charCodeAt(i))) i++;
    if (i === start) return fail(i, 'a number needs digits');
  }
  if (text.charCodeAt(i) === DOT) {
    const start = ++i;
    while (isDigit(text.charCodeAt(i))) i++;
    if (i === start) return fail(i, 'a number needs digits after the decimal point');
  }
  const e = text.charCodeAt(i);
  if (e === LOWER_E || e === UPPER_E) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === PLUS || sign === MINUS) i++;
    const start = i;
    while (isDigit(text.charCodeAt(i))) i++;
    if (i === start) return fail(i, 'a number needs digits in its exponent');
  }
  return i;
}

function scanLiteral(text: string, i: number, literal: string): number {
  let k = 0;
  while (k < literal.length && text.charCodeAt(i + k) === literal.charCodeAt(k)) k++;
  if (k >= literal.length) return i + k;
  // One shared letter is no misspelling: `not json` is plain text, not a misspelt null.
  if (k < 2) return fail(i + k, `plain text where a JSON value belongs (found ${show(text, i)}; text needs double quotes, and PAYLOAD a JSON object)`);
  return fail(i + k, `${literal} is misspelt (found ${show(text, i + k)})`);
}

function typeOf(c: number): JsonType {
  if (c === OPEN_BRACE) return 'object';
  if (c === OPEN_BRACKET) return 'array';
  if (c === QUOTE) return 'string';
  if (c === 116 /* t */ || c === 102 /* f */) return 'boolean';
  if (c === 110 /* n */) return 'null';
  return 'number';
}

/**
 * Checks that `text` is one JSON value (with optional whitespace around it). When it is an object
 * and `members` is given, `members` lists its top-level members afterwards.
 *
 * Written as two loops rather than one state machine: the outer one reads a value (opening
 * containers as it goes), the inner one closes containers and moves past commas, so each token is
 * handled where it can only be one thing. Containers are tracked in an explicit stack, so depth costs no JS stack.
 */
export function scanJson(text: string, members?: JsonMembers): JsonScan {
  members?.reset(text);
  const n = text.length;
  let depth = 0;
  let i = skipWhitespace(text, 0);
  const start = i;
  // The top-level member being read: where its value starts (its key is in keyStart/keyEnd).
  let valueStart = 0;
  const record = members !== undefined;

  for (;;) {
    // At a value.
    if (i >= n) return depth === 0 ? error(text, i, 'empty input') : error(text, i, unclosedProblem(depth));
    if (depth === 1) valueStart = i;
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === containers.length) {
        const grown = new Uint8Array(containers.length * 2);
        grown.set(containers);
        containers = grown;
      }
      const object = c === OPEN_BRACE;
      containers[depth++] = object ? OBJECT : ARRAY;
      i = skipWhitespace(text, i + 1);
      const close = text.charCodeAt(i);
      if (close !== (object ? CLOSE_BRACE : CLOSE_BRACKET)) {
        if (object) {
          i = scanKey(text, i, depth);
          if (i < 0) return error(text, failedAt, failure);
        }
        continue;
      }
      i++;
      depth--;
    } else {
      if (c === QUOTE) i = scanString(text, i);
      else if (c === MINUS || isDigit(c)) i = scanNumber(text, i);
      else if (c === 116) i = scanLiteral(text, i, 'true');
      else if (c === 102) i = scanLiteral(text, i, 'false');
      else if (c === 110) i = scanLiteral(text, i, 'null');
      else return error(text, i, `unexpected ${show(text, i)} where a value was expected`);
      if (i < 0) return error(text, failedAt, failure);
    }
    // After a value: close what it ends, until a comma leads to the next value.
    for (;;) {
      if (depth === 0) {
        const end = i;
        i = skipWhitespace(text, i);
        if (i < n) return error(text, i, `unexpected ${show(text, i)} after the end of the JSON value`);
        return { ok: true, type: typeOf(text.charCodeAt(start)), start, end };
      }
      const inObject = containers[depth - 1] === OBJECT;
      if (depth === 1 && record && inObject) members.add(keyStart, keyEnd, keyEscaped, valueStart, i);
      i = skipWhitespace(text, i);
      if (i >= n) return error(text, i, unclosedProblem(depth));
      const c2 = text.charCodeAt(i);
      if (c2 === COMMA) {
        i = skipWhitespace(text, i + 1);
        if (inObject) {
          i = scanKey(text, i, depth);
          if (i < 0) return error(text, failedAt, failure);
        }
        break;
      }
      if (c2 !== (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) return error(text, i, `expected ',' or '${inObject ? '}' : ']'}', found ${show(text, i)}`);
      i++;
      depth--;
    }
  }
}

/** The last key `scanKey` read at depth 1 (offsets inside the quotes). */
let keyStart = 0;
let keyEnd = 0;
let keyEscaped = false;

/** At a property name: reads it, the colon and the whitespace after; returns where the value starts, or -1. */
function scanKey(text: string, i: number, depth: number): number {
  if (i >= text.length) return fail(i, unclosedProblem(depth));
  if (text.charCodeAt(i) !== QUOTE) return fail(i, `expected a double-quoted property name, found ${show(text, i)}`);
  const after = scanString(text, i);
  if (after < 0) return -1;
  if (depth === 1) {
    keyStart = i + 1;
    keyEnd = after - 1;
    keyEscaped = sawEscape;
  }
  i = skipWhitespace(text, after);
  if (text.charCodeAt(i) !== COLON) return fail(i, `expected ':' after the property name, found ${show(text, i)}`);
  return skipWhitespace(text, i + 1);
}

function skipWhitespace(text: string, i: number): number {
  // Most warehouse JSON has no whitespace between tokens: one comparison says so.
  let c = text.charCodeAt(i);
  while (c <= SPACE && isWhitespace(c)) c = text.charCodeAt(++i);
  return i;
}

function unclosedProblem(depth: number): string {
  return `unexpected end of input: the ${containers[depth - 1] === OBJECT ? 'object' : 'array'} is not closed`;
}

function error(text: string, position: number, problem: string): JsonScan {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < position && k < text.length; k++) {
    if (text.charCodeAt(k) === LF) {
      line++;
      lineStart = k + 1;
    }
  }
  return { ok: false, error: { position, line, column: position - lineStart + 1, problem } };
}

/** `unexpected '}' where a value was expected at position 6 (line 1, column 7)`. */
export function formatJsonSyntaxError(error: JsonSyntaxError): string {
  return `${error.problem} at position ${error.position} (line ${error.line}, column ${error.column})`;
}

function show(text: string, i: number): string {
  if (i >= text.length) return 'end of input';
  const c = text.charCodeAt(i);
  return c < SPACE || c === 0x7f ? `U+${c.toString(16).toUpperCase().padStart(4, '0')}` : `'${text.charAt(i)}'`;
}
