/**
 * Markdown documentation read from the JSON Schema, the one place docs are written: hovers and
 * completion items show the same title, description, allowed values and default.
 */
import type { JsonSchema } from '../schema/schema';

/** `value` as inline code; backticks inside are wrapped with a longer fence. */
export function code(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${text}${fence.length > 1 ? ' ' : ''}${fence}`;
}

export function describe(s: JsonSchema): string | undefined {
  return s.markdownDescription ?? s.description;
}

/** The description of one enum value, when the schema has one. */
export function enumDescription(s: JsonSchema | undefined, value: unknown): string | undefined {
  const i = s?.enum?.indexOf(value) ?? -1;
  return i >= 0 ? s?.enumDescriptions?.[i] : undefined;
}

/**
 * Allowed values (with their descriptions when the schema has them) and the default, unless the
 * description already names them all (as `ssl`'s does).
 */
export function valuesMarkdown(s: JsonSchema): string[] {
  const parts: string[] = [];
  const text = describe(s) ?? '';
  if (s.enum?.length && !s.enum.every((v) => text.includes(code(v)))) {
    parts.push(
      s.enumDescriptions?.length
        ? ['Allowed values:', ...s.enum.map((v, i) => `- ${code(v)}${s.enumDescriptions?.[i] ? `: ${s.enumDescriptions[i]}` : ''}`)].join('\n')
        : `Allowed values: ${s.enum.map(code).join(' · ')}`,
    );
  } else if (s.const !== undefined) {
    parts.push(`Value: ${code(s.const)}`);
  }
  if (s.default !== undefined && !text.includes(`Default ${code(s.default)}`)) parts.push(`Default: ${code(s.default)}`);
  return parts;
}

/** Title, description, allowed values and default of a schema node, as paragraphs of markdown. */
export function schemaMarkdown(s: JsonSchema, options: { title?: boolean } = {}): string {
  const parts: string[] = [];
  if (options.title !== false && s.title) parts.push(`**${s.title}**`);
  const text = describe(s);
  if (text) parts.push(text);
  parts.push(...valuesMarkdown(s));
  return parts.join('\n\n');
}
