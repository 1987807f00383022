/**
 * A real LSP client for tests and the benchmark: spawns a language server over stdio and talks
 * JSON-RPC to it through `vscode-languageserver-protocol/node`, the same protocol stack VS Code uses.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const SERVER_BUNDLE = path.join(REPO_ROOT, 'dist/server.js');

/** How long to wait for an expected notification before failing with what arrived instead. */
const WAIT_LIMIT_MS = 20_000;

/** Capabilities of a modern editor: markdown hovers, related information, hierarchical symbols. */
export const EDITOR_CAPABILITIES: ClientCapabilities = {
  textDocument: {
    synchronization: { dynamicRegistration: false },
    publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true, versionSupport: true },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, dataSupport: true },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    codeLens: {},
  },
  workspace: { didChangeWatchedFiles: { dynamicRegistration: false }, configuration: true },
};

export interface StartOptions {
  /** Command line of the server; defaults to `node dist/server.js --stdio`. */
  command?: string[];
  /** `node-ipc` runs `dist/server.js --node-ipc` as a forked child and talks over its IPC channel. */
  transport?: 'stdio' | 'node-ipc';
  env?: NodeJS.ProcessEnv;
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  rootUri?: string | null;
  /** Answers `workspace/configuration` requests (yaml-language-server asks for its settings). */
  configuration?: (section: string | undefined) => unknown;
}

interface Waiter {
  uri: string;
  accept: (p: PublishDiagnosticsParams) => boolean;
  resolve: (p: PublishDiagnosticsParams) => void;
}

/** A diagnostic's message as text (LSP 3.18 also allows markdown messages). */
export function messageText(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

export class LspClient {
  readonly logs: { type: number; message: string }[] = [];
  /** Every publishDiagnostics received, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly exited: Promise<number | null>;
  initializeResult!: InitializeResult;

  private constructor(
    readonly proc: ChildProcess,
    readonly connection: ProtocolConnection,
  ) {
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.published.push(p);
      const i = this.waiters.findIndex((w) => w.uri === p.uri && w.accept(p));
      const [waiter] = i === -1 ? [] : this.waiters.splice(i, 1);
      waiter?.resolve(p);
    });
    connection.onNotification(LogMessageNotification.type, (p) => {
      this.logs.push(p);
    });
  }

  /** Spawns the server and completes `initialize` / `initialized`. */
  static async start(options: StartOptions = {}): Promise<LspClient> {
    if (!options.command && !existsSync(SERVER_BUNDLE)) throw new Error(`${SERVER_BUNDLE} is missing: run \`npm run build\` first.`);
    const env = options.env ?? process.env;
    let proc: ChildProcess;
    let connection: ProtocolConnection;
    if (options.transport === 'node-ipc') {
      proc = fork(SERVER_BUNDLE, ['--node-ipc'], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      connection = createProtocolConnection(new IPCMessageReader(proc), new IPCMessageWriter(proc));
    } else {
      const [command, ...args] = options.command ?? [process.execPath, SERVER_BUNDLE, '--stdio'];
      proc = spawn(command as string, args, { stdio: ['pipe', 'pipe', 'inherit'], env });
      connection = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    }
    const client = new LspClient(proc, connection);
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map((item) => options.configuration?.(item.section) ?? null));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.listen();
    client.initializeResult = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: options.rootUri ?? null,
      capabilities: options.capabilities ?? EDITOR_CAPABILITIES,
      workspaceFolders: null,
      initializationOptions: options.initializationOptions,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /**
   * Resolves with the next publishDiagnostics for `uri` that `accept`s. Register it before the
   * action that causes it; fails after a generous limit, listing what was published meanwhile.
   */
  nextDiagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> {
    const seenBefore = this.published.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i !== -1) this.waiters.splice(i, 1);
        const seen = this.published.slice(seenBefore).filter((p) => p.uri === uri);
        reject(new Error(`no matching publishDiagnostics for ${uri}; received ${seen.length}: ${JSON.stringify(seen.map((p) => ({ version: p.version, count: p.diagnostics.length })))}`));
      }, WAIT_LIMIT_MS);
      const waiter: Waiter = {
        uri,
        accept,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Opens a document and waits for the diagnostics of that version. */
  async open(uri: string, text: string, version = 1): Promise<PublishDiagnosticsParams> {
    const published = this.nextDiagnostics(uri, (p) => p.version === undefined || p.version === version);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'brazesync', version, text } });
    return published;
  }

  /** Sends changes and waits for the diagnostics of `version`. */
  async change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<PublishDiagnosticsParams> {
    const published = this.nextDiagnostics(uri, (p) => p.version === version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges });
    return published;
  }

  async close(uri: string): Promise<PublishDiagnosticsParams> {
    const cleared = this.nextDiagnostics(uri, (p) => p.diagnostics.length === 0);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    return cleared;
  }

  /** Peak resident memory of the server process (VmHWM), in bytes. */
  peakMemory(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    if (!kb) throw new Error(`no VmHWM in /proc/${this.pid}/status`);
    return Number(kb) * 1024;
  }

  /** Polite shutdown (`shutdown` + `exit`); resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.alive) {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    }
    const code = await this.exited;
    this.connection.dispose();
    return code;
  }

  /** For servers that misbehave: ends the process by its id. */
  kill(): void {
    if (this.alive) this.proc.kill('SIGKILL');
  }
}
