/** What the client can show, read once from its `initialize` capabilities. */
import { MarkupKind, type ClientCapabilities } from 'vscode-languageserver';
import type { DiagnosticSupport } from './lsp-diagnostics';

export interface ClientSupport {
  diagnostics: DiagnosticSupport;
  /** Hover text as markdown (else plain text), per the client's preferred `contentFormat`. */
  hoverMarkdown: boolean;
  /** `DocumentSymbol` trees (else flat `SymbolInformation` lists). */
  hierarchicalSymbols: boolean;
}

export const MINIMAL_SUPPORT: ClientSupport = {
  diagnostics: { relatedInformation: false, codeDescription: false },
  hoverMarkdown: false,
  hierarchicalSymbols: false,
};

export function clientSupport(capabilities: ClientCapabilities): ClientSupport {
  const text = capabilities.textDocument;
  // The formats are listed in order of preference; the first one we can produce wins.
  const hoverFormat = text?.hover?.contentFormat?.find((f) => f === MarkupKind.Markdown || f === MarkupKind.PlainText);
  return {
    diagnostics: {
      relatedInformation: text?.publishDiagnostics?.relatedInformation === true,
      codeDescription: text?.publishDiagnostics?.codeDescriptionSupport === true,
    },
    hoverMarkdown: hoverFormat === MarkupKind.Markdown,
    hierarchicalSymbols: text?.documentSymbol?.hierarchicalDocumentSymbolSupport === true,
  };
}
