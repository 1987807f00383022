/**
 * A fast path for the plain block style most definition files are written in: block mappings,
 * block sequences of plain scalars and one-line flow sequences of plain scalars, with blank lines.
 * It builds the very nodes (values, ranges, flags) the YAML library would, in a fraction of the
 * time (the library's tokenizer costs ~80 ms for a 1,000-sync file, most of opening one). Anything
 * else — comments, quotes, anchors, tags, flow mappings, tabs, CR, odd indentation, keys that are
 * not plain words, duplicate keys — returns undefined and the caller uses the library, which is
 * always right; plain-block.test.ts checks the two agree on every text this path accepts.
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type DocumentOptions, type Schema, type Node, type ParseOptions, type ScalarTag, type SchemaOptions } from 'yaml';

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/** Syntax this path does not follow wherever it appears (indicators at a scalar's start: INDICATOR_START). */
const UNSUPPORTED = /[#{}\t\r]|^(---|\.\.\.|%)/m;
const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Characters a plain scalar cannot start with (indicators). */
const INDICATOR_START = /^[\-?:,[\]{}#&*!|>'"%@`]/;
/** In the core schema only these starts can make a scalar anything but a string (null, bool, numbers). */
const MAYBE_NOT_STRING = /^[~nNtTfF0-9+.-]/;
/** A plain scalar inside `[ ]`: no `:` at all (it would make a mapping there). */
const FLOW_ITEM = /^[^\s\-?:,[\]{}#&*!|>'"%@`][^,:[\]{}]*$/;

/** Thrown (one instance, no stack to capture) as soon as the text leaves the plain block style. */
const UNSUPPORTED_TEXT = new (class Unsupported {})();

/** A tag that cannot resolve a value reports it here: the library would report an error, we leave it to the library. */
function unsupported(): never {
  throw UNSUPPORTED_TEXT;
}

interface Line {
  start: number;
  /** End of the content, without trailing spaces. */
  contentEnd: number;
  /** Just past the line break (or the text's end). */
  next: number;
  indent: number;
  /** A blank line comes before this one (inside the current collection). */
  spaceBefore: boolean;
}

/** The tags that resolve plain scalars, once per schema (segments of a file share theirs). */
const tagsOf = new WeakMap<Schema, ScalarTag[]>();

function plainTags(schema: Schema): ScalarTag[] {
  let tags = tagsOf.get(schema);
  if (!tags) tagsOf.set(schema, (tags = schema.tags.filter((t): t is ScalarTag => (t as ScalarTag).default === true && 'test' in t && t.test instanceof RegExp)));
  return tags;
}

class Builder {
  private readonly lines: Line[] = [];
  private at = 0;
  private readonly tags: ScalarTag[];

  constructor(
    private readonly text: string,
    private readonly doc: Document.Parsed,
  ) {
    this.tags = plainTags(doc.schema);
    let blank = false;
    for (let pos = 0; pos < text.length; ) {
      const nl = text.indexOf('\n', pos);
      const next = nl === -1 ? text.length : nl + 1;
      let contentEnd = nl === -1 ? text.length : nl;
      while (contentEnd > pos && text.charCodeAt(contentEnd - 1) === 0x20) contentEnd--;
      let indent = pos;
      while (indent < contentEnd && text.charCodeAt(indent) === 0x20) indent++;
      if (indent === contentEnd) blank = true;
      else {
        this.lines.push({ start: pos, contentEnd, next, indent: indent - pos, spaceBefore: blank });
        blank = false;
      }
      pos = next;
    }
  }

  /** The root block mapping, or throws UNSUPPORTED_TEXT. */
  root(): YAMLMap {
    const first = this.lines[0];
    if (!first) throw UNSUPPORTED_TEXT;
    const map = this.map(first.indent);
    if (this.at < this.lines.length) throw UNSUPPORTED_TEXT;
    return map;
  }

  private map(indent: number): YAMLMap {
    const map = new YAMLMap(this.doc.schema);
    const keys = new Set<string>();
    let end = 0;
    for (let line = this.lines[this.at]; line && line.indent === indent; line = this.lines[this.at]) {
      const keyStart = line.start + indent;
      const colon = this.text.indexOf(':', keyStart);
      if (colon === -1 || colon >= line.contentEnd) throw UNSUPPORTED_TEXT;
      const keyText = this.text.slice(keyStart, colon);
      if (!KEY.test(keyText) || keys.has(keyText)) throw UNSUPPORTED_TEXT;
      keys.add(keyText);
      const key = this.scalar(keyText, keyStart, colon, colon);
      if (typeof key.value !== 'string') throw UNSUPPORTED_TEXT;
      if (line.spaceBefore && map.items.length > 0) key.spaceBefore = true;
      else if (line.spaceBefore) throw UNSUPPORTED_TEXT;
      this.at++;
      let value: Node;
      if (colon + 1 === line.contentEnd) {
        value = this.nested(indent);
      } else {
        if (this.text.charCodeAt(colon + 1) !== 0x20 || this.text.charCodeAt(colon + 2) === 0x20) throw UNSUPPORTED_TEXT;
        value = this.inline(colon + 2, line);
      }
      map.items.push(new Pair(key, value));
      end = (value.range as [number, number, number])[2];
    }
    const start = (map.items[0]?.key as Scalar | undefined)?.range?.[0] ?? 0;
    map.range = [start, end, end];
    return map;
  }

  /** The block collection under a key that ends its line. */
  private nested(parentIndent: number): Node {
    const line = this.lines[this.at];
    if (!line || line.indent < parentIndent || line.spaceBefore) throw UNSUPPORTED_TEXT;
    const first = this.text.charCodeAt(line.start + line.indent);
    if (first === 0x2d /* - */) return this.seq(line.indent);
    if (line.indent === parentIndent) throw UNSUPPORTED_TEXT;
    return this.map(line.indent);
  }

  private seq(indent: number): YAMLSeq {
    const seq = new YAMLSeq(this.doc.schema);
    const start = (this.lines[this.at] as Line).start + indent;
    let end = start;
    for (let line = this.lines[this.at]; line && line.indent === indent; line = this.lines[this.at]) {
      const dash = line.start + indent;
      if (this.text.charCodeAt(dash) !== 0x2d || this.text.charCodeAt(dash + 1) !== 0x20 || this.text.charCodeAt(dash + 2) === 0x20) throw UNSUPPORTED_TEXT;
      const item = this.plain(dash + 2, line);
      if (line.spaceBefore && seq.items.length > 0) item.spaceBefore = true;
      else if (line.spaceBefore) throw UNSUPPORTED_TEXT;
      seq.items.push(item);
      end = (item.range as [number, number, number])[2];
      this.at++;
    }
    const after = this.lines[this.at];
    if (after && after.indent > indent) throw UNSUPPORTED_TEXT;
    seq.range = [start, end, end];
    return seq;
  }

  /** A value on its key's line: a plain scalar or a flow sequence of plain scalars. */
  private inline(start: number, line: Line): Node {
    const after = this.lines[this.at];
    if (after && after.indent > line.indent) throw UNSUPPORTED_TEXT; // a value continued on the next lines
    if (this.text.charCodeAt(start) !== 0x5b /* [ */) return this.plain(start, line);
    if (this.text.charCodeAt(line.contentEnd - 1) !== 0x5d /* ] */) throw UNSUPPORTED_TEXT;
    const seq = new YAMLSeq(this.doc.schema);
    seq.flow = true;
    const body = this.text.slice(start + 1, line.contentEnd - 1);
    if (body !== '') {
      let at = start + 1;
      for (const part of body.split(', ')) {
        if (!FLOW_ITEM.test(part) || part.endsWith(' ')) throw UNSUPPORTED_TEXT;
        seq.items.push(this.scalar(part, at, at + part.length, at + part.length));
        at += part.length + 2;
      }
    }
    seq.range = [start, line.contentEnd, line.next];
    return seq;
  }

  /** A plain scalar to the end of the line: no indicator at its start, no `: ` inside, no trailing colon. */
  private plain(start: number, line: Line): Scalar {
    const source = this.text.slice(start, line.contentEnd);
    if (INDICATOR_START.test(source) || source.includes(': ') || source.endsWith(':')) throw UNSUPPORTED_TEXT;
    return this.scalar(source, start, line.contentEnd, line.next);
  }

  /** A plain scalar resolved by the schema's tags, as the library's composer does. */
  private scalar(source: string, start: number, valueEnd: number, nodeEnd: number): Scalar {
    const tag = MAYBE_NOT_STRING.test(source) ? this.tags.find((t) => (t.test as RegExp).test(source)) : undefined;
    const resolved = tag ? tag.resolve(source, unsupported, this.doc.options) : source;
    const scalar = resolved instanceof Scalar ? resolved : new Scalar(resolved);
    scalar.range = [start, valueEnd, nodeEnd];
    scalar.source = source;
    scalar.type = Scalar.PLAIN;
    if (tag?.format) scalar.format = tag.format;
    return scalar;
  }
}

/** The document the YAML library would parse from `text`, or undefined when `text` is outside this path. */
export function parsePlainBlock(text: string, options: Options): Document.Parsed | undefined {
  if (UNSUPPORTED.test(text)) return undefined;
  const doc = new Document(undefined, options) as Document.Parsed;
  if (doc.schema.name !== 'core') return undefined; // MAYBE_NOT_STRING knows the core schema's tags
  try {
    const root = new Builder(text, doc).root();
    doc.contents = root as unknown as typeof doc.contents; // built like a parsed node: ranges, sources, types
    doc.range = [0, (root.range as [number, number, number])[1], text.length];
    return doc;
  } catch (err) {
    if (err === UNSUPPORTED_TEXT) return undefined;
    throw err;
  }
}
