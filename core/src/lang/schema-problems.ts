/**
 * Turns ajv errors (JSON pointers, no positions) into problems on the exact YAML key or value, with
 * messages that say what to write instead. Offsets are local to the target's segment.
 */
import type { ErrorObject } from 'ajv';
import { isMap, type Node } from 'yaml';
import { findPair, localKeySpan, localSpan, nodeAtPath, type Span } from '../parse/nodes';
import type { Segment } from '../parse/segments';
import { schemaAtPath } from '../schema/schema';
import { closest } from '../util/closest';
import type { Problem, ProblemFix } from '../rules/problem';

export interface SchemaTarget {
  segment: Segment;
  /** The node the ajv instance corresponds to. */
  root: Node | null;
  /** Path of `root` from the file root, for messages and schema lookups. */
  path: readonly string[];
  /** Where (local span) to report problems about `root` itself (a missing field, a wrong type of the whole). */
  anchor: Span;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function label(path: readonly (string | number)[]): string {
  return path.length === 0 ? 'the file' : '`' + path.join('.') + '`';
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} \`${String(value)}\``;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping (key: value lines)',
  array: 'a list',
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
};

export function schemaProblems(errors: ErrorObject[], target: SchemaTarget): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    const p = toProblem(err, target);
    if (!p) continue;
    const key = `${p.start}:${p.end}:${p.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(p);
  }
  return problems;
}

function toProblem(err: ErrorObject, target: SchemaTarget): Problem | undefined {
  const rel = pointerToPath(err.instancePath);
  const full = [...target.path, ...rel];
  const { node, pair } = rel.length === 0 ? { node: target.root, pair: undefined } : nodeAtPath(target.root, rel);
  const valueSpan = node ? localSpan(node) : pair ? localKeySpan(pair) : target.anchor;
  const keyOrAnchor = pair ? localKeySpan(pair) : rel.length === 0 ? target.anchor : valueSpan;
  const s = schemaAtPath(full);
  const where = label(full);
  const value = node && 'toJS' in node ? node.toJS(target.segment.doc) : null;

  switch (err.keyword) {
    case 'required': {
      const missing = String((err.params as { missingProperty: string }).missingProperty);
      const child = schemaAtPath([...full, missing]);
      const example = child?.examples?.[0] ?? child?.default;
      const hint = example !== undefined ? ` Add \`${missing}: ${String(example)}\`.` : ` Add a \`${missing}:\` line.`;
      return { code: 'missing-field', severity: 'error', message: `${where} is missing the required field \`${missing}\`.${hint}`, ...keyOrAnchor };
    }
    case 'additionalProperties': {
      const extra = String((err.params as { additionalProperty: string }).additionalProperty);
      const extraPair = findPair(node, extra);
      const span = extraPair ? localKeySpan(extraPair) : valueSpan;
      const allowed = Object.keys(s?.properties ?? {});
      const guess = closest(extra, allowed);
      const fixes: ProblemFix[] = guess ? [{ title: `Rename to \`${guess}\``, edits: [{ ...span, newText: guess }], preferred: true }] : [];
      // The suggestion first: the Problems panel cuts long messages off at its width.
      const message = guess ? `Did you mean \`${guess}\`? Unknown field \`${extra}\` in ${where}.` : `Unknown field \`${extra}\` in ${where}. Allowed fields: ${allowed.map((a) => '`' + a + '`').join(', ')}.`;
      return { code: 'unknown-field', severity: 'error', message, ...span, ...(fixes.length ? { fixes } : {}) };
    }
    case 'type': {
      if (isMap(node) && full.length >= 1 && (s?.type === 'object' || !s)) return undefined;
      const t = String((err.params as { type: string }).type);
      const expected = t.split(',').map((x) => TYPE_NAMES[x] ?? x).join(' or ');
      return { code: 'wrong-type', severity: 'error', message: `${where} must be ${expected}, not ${describe(value)}.`, ...valueSpan };
    }
    case 'enum': {
      const allowed = ((err.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      const fixes: ProblemFix[] = guess ? [{ title: `Change to \`${guess}\``, edits: [{ ...valueSpan, newText: guess }], preferred: true }] : [];
      const head = guess ? `Did you mean \`${guess}\`? ` : '';
      return {
        code: 'invalid-value',
        severity: 'error',
        message: `${head}${describe(value)} is not allowed for ${where}. Use one of: ${allowed.join(', ')}.`,
        ...valueSpan,
        ...(fixes.length ? { fixes } : {}),
      };
    }
    case 'const': {
      const allowed = String((err.params as { allowedValue: unknown }).allowedValue);
      return {
        code: 'invalid-value',
        severity: 'error',
        message: `${where} must be ${allowed}, not ${describe(value)}.`,
        ...valueSpan,
        fixes: [{ title: `Change to ${allowed}`, edits: [{ ...valueSpan, newText: allowed }], preferred: true }],
      };
    }
    case 'propertyNames':
      return undefined; // reported through the `pattern` error that accompanies it
    case 'if':
      return undefined; // the failing branch's own errors (a missing field) say what to write
    case 'pattern': {
      const propertyName = (err as ErrorObject & { propertyName?: string }).propertyName;
      if (propertyName !== undefined || err.instancePath === '' && target.path.length === 0) {
        const namePair = findPair(node, propertyName ?? '');
        const span = namePair ? localKeySpan(namePair) : valueSpan;
        return { code: 'invalid-name', severity: 'error', message: `\`${propertyName}\` is not a valid name in ${where}: use a letter, then letters, digits, \`_\` or \`-\` (at most 64 characters).`, ...span };
      }
      return { code: 'invalid-format', severity: 'error', message: `${describe(value)} is not a valid value for ${where}. ${s?.description ?? ''}`.trim(), ...valueSpan };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const limit = (err.params as { limit: number }).limit;
      const side = err.keyword.endsWith('inimum') ? 'at least' : 'at most';
      return { code: 'out-of-range', severity: 'error', message: `${where} must be ${side} ${limit}; it is ${String(value)}.`, ...valueSpan };
    }
    case 'minItems':
      return { code: 'invalid-format', severity: 'error', message: `${where} must list at least ${(err.params as { limit: number }).limit} item(s).`, ...valueSpan };
    case 'uniqueItems': {
      const { j } = err.params as { i: number; j: number };
      const dup = nodeAtPath(node, [j]).node;
      return { code: 'duplicate-item', severity: 'warning', message: `${where} lists the same value twice; remove the duplicate.`, ...(dup ? localSpan(dup) : valueSpan) };
    }
    case 'minLength':
      return { code: 'invalid-format', severity: 'error', message: `${where} must not be empty.`, ...valueSpan };
    default:
      return { code: 'invalid-format', severity: 'error', message: `${where}: ${err.message ?? 'invalid value'}.`, ...valueSpan };
  }
}
