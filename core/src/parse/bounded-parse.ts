/**
 * The one way core parses YAML text: never throws, never recurses deeper than `MAX_DEPTH`.
 * A text nested deeper is not given to the parser, which recurses per level and would run out of
 * stack somewhere that depends on the stack's size: it becomes an empty document with one error at
 * the first place too deep, the same in every process. Plain block text takes the fast path
 * (`plain-block.ts`); the rest goes to the YAML library, with duplicate keys found in one pass.
 */
import { parseDocument, YAMLParseError, type Document, type DocumentOptions, type ErrorCode, type ParseOptions, type SchemaOptions } from 'yaml';
import { addDuplicateKeyErrors } from './duplicate-keys';
import { excessiveNesting, MAX_DEPTH, TOO_DEEP } from './nesting-depth';
import { parsePlainBlock } from './plain-block';

export type YamlOptions = ParseOptions & DocumentOptions & SchemaOptions;

export function parseBounded(text: string, options: YamlOptions): Document.Parsed {
  const deep = excessiveNesting(text, MAX_DEPTH);
  if (deep !== undefined) return unparsed(text, deep, TOO_DEEP, 'the text nests too deeply to parse', options);
  try {
    const fast = parsePlainBlock(text, options); // it leaves texts with duplicate keys to the library
    if (fast) return fast;
    const doc = parseDocument(text, options);
    addDuplicateKeyErrors(doc);
    return doc;
  } catch (err) {
    // Should the library still throw, that is an error of the document too.
    return unparsed(text, 0, err instanceof RangeError ? TOO_DEEP : 'UNEXPECTED_TOKEN', (err as Error).message, options);
  }
}

function unparsed(text: string, at: number, code: string, message: string, options: YamlOptions): Document.Parsed {
  const doc = parseDocument('', options);
  doc.errors.push(new YAMLParseError([at, Math.min(at + 1, text.length)], code as ErrorCode, message));
  return doc;
}
