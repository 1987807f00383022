/**
 * Core writes documentation as markdown; clients that only show plain text (their `contentFormat`
 * or `documentationFormat` lacks markdown) get it with the markup removed, so they do not display
 * stray `**` and backticks.
 */
import { MarkupKind, type MarkupContent } from 'vscode-languageserver';

export function markdownToPlainText(markdown: string): string {
  return markdown
    .replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_m, _fence: string, code: string) => code.trim())
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '$1 ($2)')
    .replace(/\\([\\`*_{}[\]()#+\-.!|])/g, '$1');
}

/** `content` as the client can show it. */
export function forClient(content: MarkupContent, markdown: boolean): MarkupContent {
  if (markdown || content.kind !== MarkupKind.Markdown) return content;
  return { kind: MarkupKind.PlainText, value: markdownToPlainText(content.value) };
}
