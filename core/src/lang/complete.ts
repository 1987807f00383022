/**
 * Schema-driven completion. The cursor context (`cursor-context.ts`) says whether a key or a
 * value is being typed and at which JSON path; keys come from the schema's `properties` not yet
 * in the mapping (with snippets for their values), values from the schema's enum, const, default,
 * examples and `defaultSnippets`, plus providers the schema cannot express: time zones, Braze
 * instances with their REST hosts, the file's connection names and schedule snippets.
 */
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import { CompletionItemKind, InsertTextFormat, InsertTextMode, MarkupKind, type CompletionItem, type MarkupContent, type Range } from 'vscode-languageserver-types';
import { findBrazeInstance } from '../model/braze-instances';
import { findPair } from '../parse/nodes';
import type { Position } from '../parse/line-index';
import type { SyncFileDocument } from '../parse/sync-document';
import { SCHEDULE_SNIPPETS, listTimeZones } from '../schedule';
import { deref, schemaAtPath, type JsonSchema } from '../schema/schema';
import { completionContext, type CompletionContext } from './cursor-context';
import { pathIs } from './yaml-locate';
import { enumDescription, schemaMarkdown } from './schema-docs';
import { afterColon, isObject, newEntry, newEntryLabel, snippetScalar, type SnippetEnv } from './schema-snippets';
import { dataTypeMarkdown, instanceMarkdown } from './value-docs';

export interface CompletionOptions {
  /** Connection names known outside the file (e.g. from editor settings), offered after the file's own. */
  connectionNames?: readonly string[];
}

const SYNC_CONNECTION = ['syncs', '*', 'connection'];

function markdown(value: string): MarkupContent | undefined {
  return value ? { kind: MarkupKind.Markdown, value } : undefined;
}

function connectionPairs(doc: SyncFileDocument): Pair<Node, Node | null>[] {
  const map = findPair(doc.header.doc.contents, 'connections')?.value;
  return isMap(map) ? (map.items as Pair<Node, Node | null>[]) : [];
}

/** Connection names: the file's own first, then the editor's. */
function connectionNames(doc: SyncFileDocument, options: CompletionOptions): string[] {
  const own = connectionPairs(doc).flatMap((p) => (isScalar(p.key) && p.key.value !== null ? [String(p.key.value)] : []));
  return [...new Set([...own, ...(options.connectionNames ?? [])])];
}

function connectionHost(doc: SyncFileDocument, name: string): string | undefined {
  const pair = connectionPairs(doc).find((p) => isScalar(p.key) && String(p.key.value) === name);
  const host = findPair(pair?.value, 'host')?.value;
  return isScalar(host) && typeof host.value === 'string' ? host.value : undefined;
}

/** The document's indentation step: the indentation of its first indented line (two spaces if none). */
function indentStep(doc: SyncFileDocument): string {
  const m = /^( +)[^\s#]/m.exec(doc.text.slice(0, 20_000));
  return m?.[1] ?? '  ';
}

function keyItems(doc: SyncFileDocument, ctx: CompletionContext, env: SnippetEnv): CompletionItem[] {
  const map = schemaAtPath(ctx.path);
  if (!map || !isObject(map)) return [];
  const range = doc.lines.range(ctx.replace.start, ctx.replace.end);
  const indent = ' '.repeat(ctx.indent);
  const items: CompletionItem[] = [];

  const label = newEntryLabel(map);
  if (label && !ctx.colonFollows && !ctx.flow) {
    const name = /^[A-Za-z][\w-]*$/.test(ctx.typed) ? ctx.typed : undefined;
    const entry = newEntry(map, ctx.path, 1, env, indent, name);
    const entrySchema = typeof map.additionalProperties === 'object' ? deref(map.additionalProperties) : undefined;
    if (entry) {
      items.push({
        label,
        kind: CompletionItemKind.Snippet,
        ...(entrySchema?.title ? { detail: entrySchema.title } : {}),
        ...docs(entrySchema ? schemaMarkdown(entrySchema, { title: false }) : ''),
        ...(name ? { filterText: name } : {}),
        sortText: '0',
        textEdit: { range, newText: entry.text.slice(indent.length) },
        insertTextFormat: InsertTextFormat.Snippet,
        insertTextMode: InsertTextMode.asIs,
      });
    }
  }

  const required = new Set(map.required ?? []);
  Object.entries(map.properties ?? {}).forEach(([key, raw], i) => {
    if (ctx.siblings.has(key)) return;
    const s = deref(raw) ?? {};
    const value = ctx.colonFollows ? undefined : afterColon(s, [...ctx.path, key], 1, env, indent, ctx.flow);
    const newText = value ? `${key}:${value.text}` : key;
    const detail = [s.title, required.has(key) ? 'required' : undefined].filter(Boolean).join(' · ');
    items.push({
      label: key,
      kind: isObject(s) ? CompletionItemKind.Module : CompletionItemKind.Property,
      ...(detail ? { detail } : {}),
      ...docs(schemaMarkdown(s, { title: false })),
      sortText: `${required.has(key) ? 1 : 2}${String(i).padStart(3, '0')}`,
      textEdit: { range, newText },
      insertTextFormat: InsertTextFormat.Snippet,
      ...(newText.includes('\n') ? { insertTextMode: InsertTextMode.asIs } : {}),
    });
  });
  return items;
}

function docs(value: string): { documentation?: MarkupContent } {
  const documentation = markdown(value);
  return documentation ? { documentation } : {};
}

/** Collects value items by label, first one wins; the order is the display order. */
class ValueItems {
  private readonly items = new Map<string, CompletionItem>();
  constructor(
    private readonly range: Range,
    private readonly prefix: string,
  ) {}

  plain(value: string, extra: Partial<CompletionItem> = {}): void {
    this.add({ label: value, kind: CompletionItemKind.Value, ...extra, textEdit: { range: this.range, newText: this.prefix + value }, insertTextFormat: InsertTextFormat.PlainText });
  }

  snippet(label: string, snippet: string, extra: Partial<CompletionItem> = {}): void {
    this.add({ label, kind: CompletionItemKind.Snippet, filterText: label, ...extra, textEdit: { range: this.range, newText: this.prefix + snippet }, insertTextFormat: InsertTextFormat.Snippet });
  }

  private add(item: CompletionItem): void {
    if (!this.items.has(item.label)) this.items.set(item.label, { ...item, sortText: String(this.items.size).padStart(4, '0') });
  }

  get list(): CompletionItem[] {
    return [...this.items.values()];
  }
}

/** Values no schema keyword can list: connection names, schedules, time zones. */
function providedValues(doc: SyncFileDocument, ctx: CompletionContext, options: CompletionOptions, out: ValueItems): boolean {
  if (pathIs(ctx.path, SYNC_CONNECTION)) {
    for (const name of connectionNames(doc, options)) {
      const host = connectionHost(doc, name);
      out.plain(name, { kind: CompletionItemKind.Reference, ...(host ? { detail: host } : {}) });
    }
    return true;
  }
  if (pathIs(ctx.path, ['syncs', '*', 'schedule'])) {
    for (const s of SCHEDULE_SNIPPETS) out.snippet(s.text, s.snippet, { ...docs(s.description) });
    return true;
  }
  if (pathIs(ctx.path, ['braze', 'timezone'])) {
    for (const zone of listTimeZones()) out.plain(zone, { kind: CompletionItemKind.EnumMember, ...(zone === 'UTC' ? { detail: 'default', preselect: true } : {}) });
    return true;
  }
  return false;
}

function enumItemExtras(ctx: CompletionContext, s: JsonSchema, value: unknown): Partial<CompletionItem> {
  const text = String(value);
  const isDefault = s.default === value;
  if (pathIs(ctx.path, ['braze', 'instance'])) {
    const instance = findBrazeInstance(text);
    if (instance) return { detail: instance.restHost, ...docs(instanceMarkdown(instance)) };
  }
  if (pathIs(ctx.path, ['syncs', '*', 'data_type'])) return docs(dataTypeMarkdown(text) ?? '');
  return { ...(isDefault ? { detail: 'default', preselect: true } : {}), ...docs(enumDescription(s, value) ?? '') };
}

function valueItems(doc: SyncFileDocument, ctx: CompletionContext, options: CompletionOptions): CompletionItem[] {
  const s = schemaAtPath(ctx.path);
  if (!s) return [];
  const out = new ValueItems(doc.lines.range(ctx.replace.start, ctx.replace.end), ctx.needsSpace ? ' ' : '');
  if (providedValues(doc, ctx, options, out)) return out.list;
  for (const d of s.defaultSnippets ?? []) {
    const body = snippetScalar(d.body);
    if (typeof d.body === 'string') out.snippet(d.label ?? body, body, { ...docs(d.description ?? '') });
  }
  for (const v of s.enum ?? []) out.plain(String(v), { kind: CompletionItemKind.EnumMember, ...enumItemExtras(ctx, s, v) });
  if (s.const !== undefined) out.plain(String(s.const), { kind: CompletionItemKind.Constant });
  if (s.default !== undefined && typeof s.default !== 'object') out.plain(String(s.default), { detail: 'default', preselect: true });
  // Examples are the fallback; a schema snippet is the specific form of the same advice (`${env:NAME}`).
  if (!s.defaultSnippets?.length) for (const e of s.examples ?? []) if (typeof e !== 'object') out.plain(String(e), { detail: 'example' });
  return out.list;
}

/**
 * Completion items at `position`. Never throws; returns [] where nothing fits (comments, block
 * scalars, after a complete value, unknown keys).
 *
 * Example: at `    data_type: <|>` inside a sync, the four data types with their descriptions.
 */
export function complete(doc: SyncFileDocument, position: Position, options: CompletionOptions = {}): CompletionItem[] {
  const ctx = completionContext(doc, position);
  if (!ctx) return [];
  if (ctx.kind === 'value') return valueItems(doc, ctx, options);
  const names = connectionNames(doc, options);
  const env: SnippetEnv = { step: indentStep(doc), valuesAt: (path) => (pathIs(path, SYNC_CONNECTION) ? names : []) };
  return keyItems(doc, ctx, env);
}
