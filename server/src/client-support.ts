/** What the client can show, read once from its `initialize` capabilities. */
import { MarkupKind, type ClientCapabilities } from 'vscode-languageserver';
import type { DiagnosticSupport } from './lsp-diagnostics';

export interface ClientSupport {
  diagnostics: DiagnosticSupport;
  /** Hover text as markdown (else plain text), per the client's preferred `contentFormat`. */
  hoverMarkdown: boolean;
  /** Completion item documentation as markdown (else plain text). */
  completionMarkdown: boolean;
  /** `DocumentSymbol` trees (else flat `SymbolInformation` lists). */
  hierarchicalSymbols: boolean;
}

export const MINIMAL_SUPPORT: ClientSupport = {
  diagnostics: { relatedInformation: false, codeDescription: false },
  hoverMarkdown: false,
  completionMarkdown: false,
  hierarchicalSymbols: false,
};

export function clientSupport(capabilities: ClientCapabilities): ClientSupport {
  const text = capabilities.textDocument;
  return {
    diagnostics: {
      relatedInformation: text?.publishDiagnostics?.relatedInformation === true,
      codeDescription: text?.publishDiagnostics?.codeDescriptionSupport === true,
    },
    hoverMarkdown: prefersMarkdown(text?.hover?.contentFormat),
    completionMarkdown: prefersMarkdown(text?.completion?.completionItem?.documentationFormat),
    hierarchicalSymbols: text?.documentSymbol?.hierarchicalDocumentSymbolSupport === true,
  };
}

/** Formats are listed in order of preference; the first one we can produce wins. No list: plain text. */
function prefersMarkdown(formats: readonly string[] | undefined): boolean {
  return formats?.find((f) => f === MarkupKind.Markdown || f === MarkupKind.PlainText) === MarkupKind.Markdown;
}
