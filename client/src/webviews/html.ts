/**
 * The HTML shell of every Braze Sync webview. The pages run no script at all (`script-src 'none'`,
 * and the panels are created without `enableScripts`); styles come from one nonce'd block. Every
 * value from a warehouse row, a definition file or a run record goes through `escapeHtml`, so a
 * payload such as `<script>…` or `<img onerror=…>` is shown as text and can never execute.
 */
import { randomBytes } from 'node:crypto';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Marks markup built by this module's callers from escaped parts. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Tagged template that escapes every interpolation except `Html` values (and arrays of them). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(v);
}

export function contentSecurityPolicy(nonce: string): string {
  return [`default-src 'none'`, `style-src 'nonce-${nonce}'`, `img-src data:`, `script-src 'none'`, `form-action 'none'`, `base-uri 'none'`].join('; ');
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

const BASE_STYLE = `
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 24px; }
  h1 { font-size: 1.35em; font-weight: 600; margin: 16px 0 4px; }
  h2 { font-size: 1.1em; font-weight: 600; margin: 20px 0 6px; }
  .muted { color: var(--vscode-descriptionForeground); }
  table { border-collapse: collapse; width: 100%; margin-top: 6px; }
  th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--vscode-editorWidget-border, #8884); }
  th { font-weight: 600; color: var(--vscode-descriptionForeground); }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  pre, code { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  pre { margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 24em; overflow: auto; }
  td code { overflow-wrap: anywhere; }
  details > summary { cursor: pointer; }
  .ok { color: var(--vscode-testing-iconPassed, #3fb950); }
  .fail { color: var(--vscode-testing-iconFailed, #f85149); }
  .warn { color: var(--vscode-editorWarning-foreground, #d29922); }
  .fix { margin: 4px 0 8px 22px; padding: 6px 10px; border-left: 3px solid var(--vscode-textLink-foreground); background: var(--vscode-textCodeBlock-background); }
`;

/** A complete page: strict CSP, the shared style plus `style`, and `body`. */
export function page(opts: { title: string; nonce: string; style?: string; body: Html }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(opts.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(opts.title)}</title>
<style nonce="${escapeHtml(opts.nonce)}">${BASE_STYLE}${opts.style ?? ''}</style>
</head>
<body>
${opts.body.text}
</body>
</html>`;
}
