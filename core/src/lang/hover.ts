/**
 * Hovers: the schema's documentation for keys and values, and what the schema cannot say: a
 * schedule's next run times in the file's time zone, an instance's REST host and the IP addresses
 * Redshift must allow, a data type's required columns, where a `${env:…}` secret comes from.
 */
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import { MarkupKind, type Hover } from 'vscode-languageserver-types';
import { findBrazeInstance } from '../model/braze-instances';
import { DEFAULT_REDSHIFT_PORT, DEFAULT_SSL_MODE, DEFAULT_STATUS, DEFAULT_TIMEZONE } from '../model/sync-file';
import { findPair, jsValue } from '../parse/nodes';
import type { Position } from '../parse/line-index';
import type { SyncFileDocument } from '../parse/sync-document';
import { formatRunTime, isValidTimeZone, nextRunTimes, parseSchedule } from '../schedule';
import { schemaAtPath } from '../schema/schema';
import { envRefName } from '../secrets/secret-refs';
import { hitSpan, nodeAt, type NodeHit } from './cursor-context';
import { pathIs, type PathStep } from './yaml-locate';
import { code, enumDescription, schemaMarkdown } from './schema-docs';
import { dataTypeMarkdown, envRefMarkdown, instanceMarkdown } from './value-docs';

export interface HoverOptions {
  /** The instant run times are counted from; defaults to now. */
  now?: Date;
}

const NEXT_RUNS = 3;

function headerValue(doc: SyncFileDocument, ...path: string[]): unknown {
  let node: unknown = doc.header.doc.contents;
  for (const key of path) node = findPair(node, key)?.value;
  return isScalar(node) ? node.value : undefined;
}

/** The file's schedule time zone, and a note when the configured one cannot be used. */
function scheduleZone(doc: SyncFileDocument): { zone: string; note?: string } {
  const configured = headerValue(doc, 'braze', 'timezone');
  if (configured === undefined || configured === null) return { zone: DEFAULT_TIMEZONE };
  if (typeof configured === 'string' && isValidTimeZone(configured)) return { zone: configured };
  return { zone: DEFAULT_TIMEZONE, note: `\`braze.timezone\` (${code(String(configured))}) is not a valid time zone, so these times are in UTC.` };
}

function siblingValue(hit: NodeHit, key: string): unknown {
  const node = findPair(hit.map, key)?.value;
  return isScalar(node) ? node.value : undefined;
}

function scheduleMarkdown(doc: SyncFileDocument, hit: NodeHit, text: string, now: Date): string {
  const title = `**Schedule** ${code(text)}`;
  const parsed = parseSchedule(text);
  if (!parsed.ok) return [title, parsed.message].join('\n\n');
  if (parsed.schedule.kind === 'manual') return [title, 'Never scheduled: this sync runs only when started with **Sync Now** (VS Code or `brazesync run`).'].join('\n\n');
  const { zone, note } = scheduleZone(doc);
  const runs = nextRunTimes(parsed.schedule, zone, now, NEXT_RUNS);
  const parts = [title, `Next runs (${zone}):\n` + runs.map((d) => `- ${formatRunTime(d, zone)}`).join('\n')];
  if (note) parts.push(note);
  const status = siblingValue(hit, 'status') ?? DEFAULT_STATUS;
  if (status !== 'active') parts.push(`This sync is a \`${String(status)}\`: it runs on this schedule only once its \`status\` is \`active\`.`);
  return parts.join('\n\n');
}

function connectionMarkdown(doc: SyncFileDocument, name: string): string | undefined {
  const connections = findPair(doc.header.doc.contents, 'connections')?.value;
  if (!isMap(connections)) return undefined;
  const pair = (connections.items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && String(p.key.value) === name);
  if (!pair) return `**Connection ${code(name)}** is not defined under \`connections\`.`;
  const c = jsValue(doc.header, pair.value) as Record<string, unknown> | null;
  if (!c || typeof c !== 'object') return undefined;
  const where = `${String(c.host ?? '?')}:${String(c.port ?? DEFAULT_REDSHIFT_PORT)}/${String(c.database ?? '?')}`;
  return [`**Connection ${code(name)}**`, `${code(where)} as ${code(String(c.user ?? '?'))}, TLS ${code(String(c.ssl ?? DEFAULT_SSL_MODE))}`].join('\n\n');
}

/** Schema docs of a value, with the description of the value itself first when it is an enum member. */
function schemaValueMarkdown(path: readonly PathStep[], value: unknown): string | undefined {
  let docsPath = [...path];
  while (typeof docsPath[docsPath.length - 1] === 'number') docsPath = docsPath.slice(0, -1);
  const s = schemaAtPath(docsPath);
  if (!s) return undefined;
  const own = enumDescription(s, value);
  const parts = [s.title ? `**${s.title}**` : undefined, own ? `${code(value)}: ${own}` : undefined, schemaMarkdown(s, { title: false })];
  return parts.filter((p) => p).join('\n\n') || undefined;
}

function valueMarkdown(doc: SyncFileDocument, hit: NodeHit, now: Date): string | undefined {
  const value = isScalar(hit.node) ? hit.node.value : undefined;
  if (typeof value === 'string') {
    const variable = envRefName(value);
    if (variable) return envRefMarkdown(variable);
    if (pathIs(hit.path, ['syncs', '*', 'schedule'])) return scheduleMarkdown(doc, hit, value, now);
    if (pathIs(hit.path, ['syncs', '*', 'connection'])) return connectionMarkdown(doc, value);
    if (pathIs(hit.path, ['syncs', '*', 'data_type'])) {
      const docs = dataTypeMarkdown(value);
      if (docs) return docs;
    }
    if (pathIs(hit.path, ['braze', 'instance'])) {
      const instance = findBrazeInstance(value);
      if (instance) return instanceMarkdown(instance);
    }
  }
  return schemaValueMarkdown(hit.path, value);
}

function keyMarkdown(hit: NodeHit): string | undefined {
  const key = isScalar(hit.node) ? String(hit.node.value) : undefined;
  if (key === undefined) return undefined;
  const s = schemaAtPath([...hit.path, key]);
  if (!s) return undefined;
  const named = !schemaAtPath(hit.path)?.properties?.[key];
  const title = s.title ? `**${s.title}${named ? ` ${code(key)}` : ''}**` : undefined;
  return [title, schemaMarkdown(s, { title: false })].filter((p) => p).join('\n\n') || undefined;
}

/**
 * The hover at `position`, or undefined where there is nothing to say. Never throws.
 *
 * Example: on `every 15 minutes` with `braze.timezone: Europe/Paris`, the next three run times in
 * Paris time with their UTC equivalents.
 */
export function hover(doc: SyncFileDocument, position: Position, options: HoverOptions = {}): Hover | undefined {
  const offset = doc.lines.offsetAt(position);
  const hit = nodeAt(doc, offset);
  if (!hit?.node) return undefined;
  const value = hit.kind === 'key' ? keyMarkdown(hit) : valueMarkdown(doc, hit, options.now ?? new Date());
  if (!value) return undefined;
  const span = hitSpan(hit, offset);
  return { contents: { kind: MarkupKind.Markdown, value }, range: doc.lines.range(span.start, span.end) };
}
