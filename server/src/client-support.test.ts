import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientSupport } from './client-support';

test('clientSupport follows the preferred formats and capabilities of the client', () => {
  assert.deepEqual(clientSupport({}), {
    diagnostics: { relatedInformation: false, codeDescription: false },
    hoverMarkdown: false,
    completionMarkdown: false,
    hierarchicalSymbols: false,
  });
  const editor = clientSupport({
    textDocument: {
      publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true },
      hover: { contentFormat: ['markdown', 'plaintext'] },
      completion: { completionItem: { documentationFormat: ['plaintext', 'markdown'] } },
      documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    },
  });
  assert.deepEqual(editor, {
    diagnostics: { relatedInformation: true, codeDescription: true },
    hoverMarkdown: true,
    completionMarkdown: false, // plain text is preferred
    hierarchicalSymbols: true,
  });
});
