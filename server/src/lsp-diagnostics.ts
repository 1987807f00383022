/**
 * Core diagnostics → LSP diagnostics. The precomputed quick fixes travel in `data.fixes`, which the
 * client sends back with the code action request (see `core/src/lang/code-actions.ts`).
 */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { docsUrlFor } from '../../core/src/lang/codes';
import type { DiagnosticData } from '../../core/src/lang/code-actions';
import type { Diagnostic, Severity } from '../../core/src/rules/problem';

const DIAGNOSTIC_SOURCE = 'brazesync';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What the client said it can show (LSP `publishDiagnostics` client capabilities). */
export interface DiagnosticSupport {
  relatedInformation: boolean;
  codeDescription: boolean;
}

export function toLspDiagnostic(d: Diagnostic, uri: string, support: DiagnosticSupport): LspDiagnostic {
  const lsp: LspDiagnostic = { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: DIAGNOSTIC_SOURCE, message: d.message };
  if (support.codeDescription) lsp.codeDescription = { href: docsUrlFor(d.code) };
  if (d.related?.length && support.relatedInformation) {
    lsp.relatedInformation = d.related.map((r) => ({ location: { uri, range: r.range }, message: r.message }));
  }
  if (d.fixes?.length) lsp.data = { fixes: d.fixes } satisfies DiagnosticData;
  return lsp;
}
