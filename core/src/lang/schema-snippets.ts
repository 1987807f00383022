/**
 * Snippet text generated from the JSON Schema for key completions: what follows `key:` (a choice
 * of the enum, the default or first example as a placeholder, the schema's `defaultSnippets`, or
 * the required children of an object on their own lines) and whole new entries under `syncs` or
 * `connections`. Tab stops are numbered across the pieces so one snippet can hold several.
 */
import { deref, type JsonSchema } from '../schema/schema';
import type { PathStep } from './yaml-locate';

export interface SnippetEnv {
  /** Values known only from the document or the editor (connection names for a sync's `connection`). */
  valuesAt(path: readonly PathStep[]): readonly string[];
  /** One indentation step of the document, e.g. two spaces. */
  step: string;
}

export interface Snippet {
  text: string;
  /** The next unused tab stop. */
  next: number;
}

/** Escapes text for a snippet's literal part. */
export function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, '\\$&');
}

function escapeChoice(text: string): string {
  return text.replace(/[\\$}|,]/g, '\\$&');
}

function placeholder(tab: number, text: string): string {
  return text === '' ? `$${tab}` : `\${${tab}:${escapeSnippet(text)}}`;
}

function choice(tab: number, values: readonly string[]): string {
  return values.length === 1 ? placeholder(tab, values[0] ?? '') : `\${${tab}|${values.map(escapeChoice).join(',')}|}`;
}

/** Renumbers the tab stops of `snippet` by `by` (escaped `\$` is left alone). */
export function shiftTabstops(snippet: string, by: number): Snippet {
  let max = 0;
  const text = snippet.replace(/\\.|\$(\d+)|\$\{(\d+)/g, (m, plain: string | undefined, braced: string | undefined) => {
    const n = plain ?? braced;
    if (n === undefined) return m;
    const shifted = Number(n) === 0 ? 0 : Number(n) + by;
    max = Math.max(max, shifted);
    return plain !== undefined ? `$${shifted}` : `\${${shifted}`;
  });
  return { text, next: Math.max(by + 1, max + 1) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A `defaultSnippets` scalar: `^` marks text to insert unquoted (the yaml-language-server convention). */
export function snippetScalar(v: unknown): string {
  if (typeof v === 'string') return v.startsWith('^') ? v.slice(1) : v;
  return v === null || v === undefined ? '' : String(v);
}

/** A `defaultSnippets` body as block YAML lines at `indent`. */
function bodyLines(body: unknown, indent: string, step: string): string[] {
  if (Array.isArray(body)) return body.map((item) => `${indent}- ${snippetScalar(item)}`);
  if (!isRecord(body)) return [`${indent}${snippetScalar(body)}`];
  return Object.entries(body).flatMap(([k, v]) =>
    isRecord(v) || Array.isArray(v) ? [`${indent}${k}:`, ...bodyLines(v, indent + step, step)] : [`${indent}${k}: ${snippetScalar(v)}`],
  );
}

function entrySchema(s: JsonSchema): JsonSchema | undefined {
  return typeof s.additionalProperties === 'object' ? deref(s.additionalProperties) : undefined;
}

/** `name` as a key placeholder name: `Sync` → `new_sync`. */
function defaultEntryName(s: JsonSchema): string {
  return `new_${(s.title ?? 'entry').toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
}

export function isObject(s: JsonSchema): boolean {
  return s.type === 'object' || s.properties !== undefined;
}

/**
 * What to insert after `key:` for a value described by `s` at `path`, starting at tab stop `tab`.
 * `indent` is the key's indentation; objects put their children on the following lines.
 */
export function afterColon(s: JsonSchema, path: readonly PathStep[], tab: number, env: SnippetEnv, indent: string, flow: boolean): Snippet {
  const known = env.valuesAt(path);
  if (known.length > 0) return { text: ' ' + choice(tab, known), next: tab + 1 };
  const scalarSnippet = s.defaultSnippets?.find((d) => !isRecord(d.body) && !Array.isArray(d.body));
  if (scalarSnippet) {
    const shifted = shiftTabstops(snippetScalar(scalarSnippet.body), tab - 1);
    return { text: ' ' + shifted.text, next: shifted.next };
  }
  if (s.const !== undefined) return { text: ' ' + escapeSnippet(String(s.const)), next: tab };
  if (s.enum?.length) {
    const values = s.enum.map(String);
    const first = s.default !== undefined ? [String(s.default), ...values.filter((v) => v !== String(s.default))] : values;
    return values.length === 1 ? { text: ' ' + escapeSnippet(values[0] ?? ''), next: tab } : { text: ' ' + choice(tab, first), next: tab + 1 };
  }
  if (s.default !== undefined && !isObject(s)) return { text: ' ' + placeholder(tab, String(s.default)), next: tab + 1 };
  if (s.examples?.length && typeof s.examples[0] !== 'object') return { text: ' ' + placeholder(tab, String(s.examples[0])), next: tab + 1 };
  if (s.type === 'array') return { text: ` [$${tab}]`, next: tab + 1 };
  if (!isObject(s)) return { text: ` $${tab}`, next: tab + 1 };
  if (flow) return { text: ` {$${tab}}`, next: tab + 1 };
  return objectBody(s, path, tab, env, indent + env.step);
}

/** The lines of a new object: its `defaultSnippets`, its required children, or a first entry. */
function objectBody(s: JsonSchema, path: readonly PathStep[], tab: number, env: SnippetEnv, indent: string): Snippet {
  const bodySnippet = s.defaultSnippets?.find((d) => isRecord(d.body));
  if (bodySnippet) {
    const shifted = shiftTabstops(bodyLines(bodySnippet.body, indent, env.step).join('\n'), tab - 1);
    return { text: '\n' + shifted.text, next: shifted.next };
  }
  const required = s.required?.filter((k) => s.properties?.[k]) ?? [];
  if (required.length > 0) {
    let next = tab;
    const lines = required.map((key) => {
      const child = afterColon(deref(s.properties?.[key]) ?? {}, [...path, key], next, env, indent, false);
      next = child.next;
      return `${indent}${key}:${child.text}`;
    });
    return { text: '\n' + lines.join('\n'), next };
  }
  const entry = entrySchema(s);
  if (entry) {
    const first = newEntry(s, path, tab, env, indent, defaultEntryName(entry));
    if (first) return { text: '\n' + first.text, next: first.next };
  }
  return { text: `\n${indent}$${tab}`, next: tab + 1 };
}

/**
 * A whole new entry of a named map (`syncs`, `connections`) at `indent`: its `defaultSnippets`
 * entry, or `name:` with the entry's required children. `name` is the placeholder for the key.
 */
export function newEntry(mapSchema: JsonSchema, path: readonly PathStep[], tab: number, env: SnippetEnv, indent: string, name?: string): Snippet | undefined {
  const entry = entrySchema(mapSchema);
  if (!entry) return undefined;
  const bodySnippet = mapSchema.defaultSnippets?.find((d) => isRecord(d.body) && Object.keys(d.body).length === 1);
  if (bodySnippet && isRecord(bodySnippet.body)) {
    const [rawKey, value] = Object.entries(bodySnippet.body)[0] ?? ['', null];
    const key = name ? rawKey.replace(/^\$\{1:[^}]*\}$/, `\${1:${escapeSnippet(name)}}`) : rawKey;
    return shiftTabstops(bodyLines({ [key]: value }, indent, env.step).join('\n'), tab - 1);
  }
  const keyText = placeholder(tab, name ?? defaultEntryName(entry));
  const body = objectBody(entry, [...path, name ?? '*'], tab + 1, env, indent + env.step);
  return { text: `${indent}${keyText}:${body.text}`, next: body.next };
}

/** The label of the new-entry completion: the schema snippet's label, or `New sync`. */
export function newEntryLabel(mapSchema: JsonSchema): string | undefined {
  const entry = entrySchema(mapSchema);
  if (!entry) return undefined;
  const label = mapSchema.defaultSnippets?.find((d) => isRecord(d.body))?.label;
  return label ?? `New ${(entry.title ?? 'entry').toLowerCase()}`;
}
