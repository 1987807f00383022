/** Outline for clients without hierarchical document symbols: the same symbols as a flat list. */
import type { DocumentSymbol, SymbolInformation } from 'vscode-languageserver';

export function flattenSymbols(symbols: readonly DocumentSymbol[], uri: string, containerName?: string): SymbolInformation[] {
  return symbols.flatMap((s) => [
    { name: s.name, kind: s.kind, location: { uri, range: s.range }, ...(containerName ? { containerName } : {}) },
    ...flattenSymbols(s.children ?? [], uri, s.name),
  ]);
}
