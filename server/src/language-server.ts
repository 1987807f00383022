/**
 * The language server: LSP wiring around the pure language functions of `core/src/lang`. No
 * business logic lives here; handlers find the document's parse, call core, and adapt the result.
 */
import * as path from 'node:path';
import {
  MarkupContent,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActions } from '../../core/src/lang/code-actions';
import { codeLenses } from '../../core/src/lang/code-lens';
import { complete } from '../../core/src/lang/complete';
import { hover } from '../../core/src/lang/hover';
import { documentSymbols } from '../../core/src/lang/symbols';
import { validate } from '../../core/src/lang/validate';
import type { SyncFileDocument } from '../../core/src/parse/sync-document';
import { StateChangedNotification } from '../../core/src/protocol';
import { clientSupport, MINIMAL_SUPPORT, type ClientSupport } from './client-support';
import { DiagnosticsScheduler } from './diagnostics-scheduler';
import { filePathOf } from './file-uri';
import { guarded } from './guard';
import { toLspDiagnostic } from './lsp-diagnostics';
import { forClient } from './markup';
import { ParsedDocuments } from './parsed-documents';
import { StateTracker } from './state-tracker';
import { flattenSymbols } from './symbols';

export const SERVER_NAME = 'brazesync-ls';

/** `initializationOptions` the client may pass. */
export interface InitializationOptions {
  /** State directory for every file (as `--state-dir` in the CLI); relative to the workspace root. */
  stateDir?: string;
}

export const CAPABILITIES: ServerCapabilities = {
  textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
  // `:` offers values right after a key, space offers them after `key: ` and inside schedules.
  completionProvider: { triggerCharacters: [':', ' '] },
  hoverProvider: true,
  codeActionProvider: { codeActionKinds: ['quickfix'] },
  documentSymbolProvider: true,
  codeLensProvider: { resolveProvider: false },
};

export function startLanguageServer(connection: Connection, env: NodeJS.ProcessEnv = process.env): void {
  const log = (message: string): void => connection.console.error(message);
  const documents = new TextDocuments(TextDocument);
  const parsed = new ParsedDocuments();
  let support: ClientSupport = MINIMAL_SUPPORT;

  const scheduler = new DiagnosticsScheduler(
    guarded(log, 'validation', undefined, (uri: string) => {
      const document = documents.get(uri);
      if (!document) return;
      const diagnostics = validate(parsed.get(document), { state: state.lookup(uri) });
      void connection.sendDiagnostics({ uri, version: document.version, diagnostics: diagnostics.map((d) => toLspDiagnostic(d, uri, support.diagnostics)) });
    }),
  );
  const trackState = (stateDir?: string): StateTracker =>
    new StateTracker({ ...(stateDir ? { stateDir } : {}), env, log, onChange: (uris) => uris.forEach((uri) => scheduler.schedule(uri)) });
  let state = trackState();

  connection.onInitialize(
    guarded(log, 'initialize', { capabilities: CAPABILITIES, serverInfo: { name: SERVER_NAME } }, (params: InitializeParams): InitializeResult => {
      support = clientSupport(params.capabilities);
      const stateDir = stateDirOption(params);
      if (stateDir) {
        state.dispose();
        state = trackState(stateDir);
      }
      return { capabilities: CAPABILITIES, serverInfo: { name: SERVER_NAME } };
    }),
  );

  // TextDocuments reports an open as an open followed by a content change.
  const opening = new Set<string>();
  documents.onDidOpen(
    guarded(log, 'didOpen', undefined, ({ document }) => {
      parsed.delete(document.uri); // a re-open without a close may restart at the same version
      state.track(document.uri);
      opening.add(document.uri);
    }),
  );
  documents.onDidChangeContent(guarded(log, 'didChange', undefined, ({ document }) => scheduler.schedule(document.uri, opening.delete(document.uri))));
  documents.onDidClose(
    guarded(log, 'didClose', undefined, ({ document }) => {
      scheduler.cancel(document.uri);
      parsed.delete(document.uri);
      state.untrack(document.uri);
      void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    }),
  );

  connection.onDidChangeWatchedFiles(guarded(log, 'didChangeWatchedFiles', undefined, ({ changes }) => changes.forEach((c) => state.pathChanged(c.uri))));
  connection.onNotification(
    StateChangedNotification,
    guarded(log, StateChangedNotification.method, undefined, (params) => (params?.uri ? state.documentChanged(params.uri) : state.rootChanged(undefined))),
  );

  /** Runs a request against the current parse of its document; unknown documents get `fallback`. */
  const onDocument =
    <P extends { textDocument: { uri: string } }, R>(what: string, fallback: R, handler: (doc: SyncFileDocument, params: P) => R) =>
    guarded(log, what, fallback, (params: P): R => {
      const document = documents.get(params.textDocument.uri);
      return document ? handler(parsed.get(document), params) : fallback;
    });

  connection.onCompletion(
    onDocument('completion', [], (doc, { position }) =>
      complete(doc, position).map((item) =>
        item.documentation && typeof item.documentation !== 'string' ? { ...item, documentation: forClient(item.documentation, support.completionMarkdown) } : item,
      ),
    ),
  );
  connection.onHover(
    onDocument('hover', null, (doc, { position }) => {
      const result = hover(doc, position);
      if (!result) return null;
      const { contents } = result;
      return MarkupContent.is(contents) ? { ...result, contents: forClient(contents, support.hoverMarkdown) } : result;
    }),
  );
  connection.onCodeAction(
    onDocument('codeAction', [], (doc, { range, context, textDocument }) => codeActions(doc, range, context.diagnostics, textDocument.uri)),
  );
  connection.onDocumentSymbol(
    onDocument('documentSymbol', [], (doc, { textDocument }) => {
      const symbols = documentSymbols(doc);
      return support.hierarchicalSymbols ? symbols : flattenSymbols(symbols, textDocument.uri);
    }),
  );
  connection.onCodeLens(onDocument('codeLens', [], (doc, { textDocument }) => codeLenses(doc, textDocument.uri)));

  connection.onShutdown(
    guarded(log, 'shutdown', undefined, () => {
      scheduler.dispose();
      state.dispose();
    }),
  );
  documents.listen(connection);
}

function stateDirOption(params: InitializeParams): string | undefined {
  const options = params.initializationOptions as InitializationOptions | null | undefined;
  const dir = options?.stateDir;
  if (typeof dir !== 'string' || dir.trim() === '') return undefined;
  return path.resolve(workspaceRoot(params) ?? process.cwd(), dir);
}

function workspaceRoot(params: InitializeParams): string | undefined {
  const uri = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
  return uri ? filePathOf(uri) : undefined;
}
