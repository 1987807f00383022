/**
 * A seeded storm against the language server over stdio: one document is replaced by hostile files
 * (`hostile-cases.ts`), edited at random, sent as raw bytes that are not UTF-8, and asked every
 * request the server offers at positions in and far out of range. After each step the server must
 * be alive, have answered within `answerLimitMs` (diagnostics of every version included), and have
 * logged no failed handler. `runLspFuzz` returns what it saw; the caller judges memory and the
 * good file at the end. The same seed replays the same session.
 */
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DocumentSymbolRequest,
  HoverRequest,
  type Diagnostic,
  type Position,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { validate } from '../../core/src/lang/validate';
import { parseSyncFile } from '../../core/src/parse/sync-document';
import { seededRandom } from '../../core/testing/random';
import { toLspDiagnostic } from '../../server/src/lsp-diagnostics';
import { EDIT_PIECES, editorText, hostileCase, HOSTILE_KINDS, type Random } from './hostile-cases';
import type { LspClient } from './lsp-client';

export interface FuzzOptions {
  seed: number;
  steps: number;
  /** The real definition files hostile cases are made from. */
  bases: readonly string[];
  /** Every answer (a request's, or the diagnostics of a version) must arrive within this. */
  answerLimitMs: number;
  /** Progress lines (the long run prints them). */
  log?: (line: string) => void;
}

export interface FuzzReport {
  steps: number;
  /** Hostile kinds sent, with how often. */
  kinds: Map<string, number>;
  requests: number;
  slowest: { what: string; ms: number };
  /** Highest resident memory of the server seen after a step (VmRSS), in bytes. */
  peakRss: number;
  /** The document's uri and version after the storm, for the caller's final checks. */
  uri: string;
  version: number;
}

const URI = 'file:///fuzz/storm.brazesync.yaml';

/**
 * The bounds the storm is held to. An answer includes waiting for the validation ahead of it; the
 * slowest hostile files (100,000 aliases, a 60,000-key mapping) take about a second on 2 busy cores.
 */
export const FUZZ_LIMITS = { answerMs: 15_000, residentBytes: 1024 * 2 ** 20 };

/** The diagnostics a fresh check of `text` gives, as the server publishes them to an editor like `EDITOR_CAPABILITIES`. */
export function expectedDiagnostics(text: string, uri: string): Diagnostic[] {
  return validate(parseSyncFile(text)).map((d) => toLspDiagnostic(d, uri, { relatedInformation: true, codeDescription: true }));
}

/** Resident memory (VmRSS) of process `pid`, in bytes. */
export function residentMemory(pid: number): number {
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) * 1024;
}

class Storm {
  private version = 0;
  /** The document as the server holds it: the same library applies the same changes. */
  private document = TextDocument.create(URI, 'brazesync', 0, '');
  private lastDiagnostics: Diagnostic[] = [];
  /** What the document was last replaced by, for failure messages. */
  private origin = 'the first base file';
  readonly report: FuzzReport;

  constructor(
    private readonly client: LspClient,
    private readonly options: FuzzOptions,
    private readonly random: Random,
  ) {
    this.report = { steps: 0, kinds: new Map(), requests: 0, slowest: { what: '', ms: 0 }, peakRss: 0, uri: URI, version: 0 };
  }

  private int(below: number): number {
    return Math.floor(this.random() * below);
  }

  /** Runs `work`, failing if it takes longer than the answer limit; records the slowest. */
  private async timed<T>(what: string, work: Promise<T>): Promise<T> {
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.failure(`no answer to ${what} within ${this.options.answerLimitMs} ms`)), this.options.answerLimitMs);
    });
    try {
      return await Promise.race([work, limit]);
    } finally {
      clearTimeout(timer);
      const ms = performance.now() - start;
      if (ms > this.report.slowest.ms) this.report.slowest = { what: `${what} (step ${this.report.steps})`, ms };
    }
  }

  private get text(): string {
    return this.document.getText();
  }

  /** An error naming the step and seed; the document's text is saved beside for a closer look. */
  failure(problem: string): Error {
    const saved = path.join(tmpdir(), `brazesync-fuzz-seed${this.options.seed}-step${this.report.steps}.brazesync.yaml`);
    writeFileSync(saved, this.text);
    return new Error(`step ${this.report.steps} (seed ${this.options.seed}): ${problem} (the document: ${this.origin} and edits since, saved in ${saved})`);
  }

  async open(text: string): Promise<void> {
    this.version = 1;
    this.document = TextDocument.create(URI, 'brazesync', 1, text);
    this.lastDiagnostics = (await this.timed('didOpen', this.client.open(URI, text, 1))).diagnostics;
  }

  /** Sends `changes` and waits for that version's diagnostics. */
  private async change(what: string, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    this.document = TextDocument.update(this.document, changes, this.version + 1);
    const published = await this.timed(what, this.client.change(URI, ++this.version, changes));
    this.lastDiagnostics = published.diagnostics;
  }

  async hostile(kind: string): Promise<void> {
    const base = this.options.bases[this.int(this.options.bases.length)] as string;
    const text = editorText(hostileCase(kind, base, this.random).bytes);
    this.report.kinds.set(kind, (this.report.kinds.get(kind) ?? 0) + 1);
    this.origin = `hostile ${kind} at step ${this.report.steps}`;
    await this.change(`hostile ${kind}`, [{ text }]);
  }

  /** A few small edits in one change, as typing or pasting does; some ranges lie outside the text. */
  async edits(): Promise<void> {
    const changes: TextDocumentContentChangeEvent[] = [];
    let document = this.document;
    for (let n = 1 + this.int(5); n > 0; n--) {
      const offset = this.int(document.getText().length + 1);
      const end = offset + (this.random() < 0.4 ? this.int(40) : 0);
      const piece = EDIT_PIECES[this.int(EDIT_PIECES.length)] as string;
      const range = { start: document.positionAt(offset), end: document.positionAt(end) };
      if (this.random() < 0.05) range.end = { line: range.end.line + 1_000, character: 9_999 }; // clamped by the document
      changes.push({ range, text: piece });
      document = TextDocument.update(document, [{ range, text: piece }], document.version);
    }
    await this.change('edits', changes);
  }

  /** A whole-text change whose JSON carries bytes that are not UTF-8 (written to the pipe by hand). */
  async rawInvalidUtf8(): Promise<void> {
    const version = ++this.version;
    const marker = Buffer.from('"__BAD__"');
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri: URI, version }, contentChanges: [{ text: '__BAD__' }] } }));
    const at = body.indexOf(marker);
    const bad = Buffer.concat([Buffer.from('"version: 1\\nsyncs:\\n  a'), Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(': {}\\n"')]);
    const patched = Buffer.concat([body.subarray(0, at), bad, body.subarray(at + marker.length)]);
    const published = this.client.nextDiagnostics(URI, (p) => p.version === version);
    this.client.proc.stdin?.write(Buffer.concat([Buffer.from(`Content-Length: ${patched.length}\r\n\r\n`), patched]));
    const text = new TextDecoder().decode(bad.subarray(1, -1)).replace(/\\n/g, '\n');
    this.document = TextDocument.create(URI, 'brazesync', version, text);
    this.origin = `raw invalid UTF-8 at step ${this.report.steps}`;
    this.lastDiagnostics = (await this.timed('raw invalid UTF-8', published)).diagnostics;
  }

  /** Every request the server offers, at a position in the text or far outside it. */
  async requests(): Promise<void> {
    const textDocument = { uri: URI };
    const position = this.position();
    const range = { start: position, end: this.random() < 0.5 ? position : this.position() };
    const diagnostics = this.random() < 0.5 ? this.lastDiagnostics.slice(0, 20) : [];
    const connection = this.client.connection;
    const asks: [string, () => Promise<unknown>][] = [
      ['completion', () => connection.sendRequest(CompletionRequest.type, { textDocument, position })],
      ['hover', () => connection.sendRequest(HoverRequest.type, { textDocument, position })],
      ['codeAction', () => connection.sendRequest(CodeActionRequest.type, { textDocument, range, context: { diagnostics } })],
      ['documentSymbol', () => connection.sendRequest(DocumentSymbolRequest.type, { textDocument })],
      ['codeLens', () => connection.sendRequest(CodeLensRequest.type, { textDocument })],
    ];
    for (const [what, ask] of asks) {
      await this.timed(`${what} at ${JSON.stringify(position)}`, ask());
      this.report.requests++;
    }
  }

  private position(): Position {
    const lines = this.document.lineCount;
    switch (this.int(4)) {
      case 0:
        return { line: -1 - this.int(5), character: -1 - this.int(5) };
      case 1:
        return { line: lines + this.int(1_000_000), character: this.int(2 ** 31 - 1) };
      default:
        return this.document.positionAt(this.int(this.text.length + 1));
    }
  }

  /** One step: mostly hostile files and edits, each followed by requests. `kind` forces a hostile file. */
  async step(kind?: string): Promise<void> {
    const dice = this.random();
    if (kind) await this.hostile(kind);
    else if (dice < 0.25) await this.hostile(HOSTILE_KINDS[this.int(HOSTILE_KINDS.length)] as string);
    else if (dice < 0.3) await this.rawInvalidUtf8();
    else await this.edits();
    await this.requests();
    if (!this.client.alive) throw this.failure('the server exited');
    const failed = this.client.logs.map((l) => l.message).filter((m) => / failed: /.test(m));
    if (failed.length > 0) throw this.failure(failed.join('\n'));
    this.report.peakRss = Math.max(this.report.peakRss, residentMemory(this.client.pid));
    this.report.steps++;
    this.report.version = this.version;
  }
}

/**
 * Runs the storm: first every hostile kind once (in a seeded order), then random steps until
 * `steps`. Throws at the first step that breaks a promise, naming the step and the seed.
 */
export async function runLspFuzz(client: LspClient, options: FuzzOptions): Promise<FuzzReport> {
  const random = seededRandom(options.seed);
  const storm = new Storm(client, options, random);
  await storm.open(options.bases[0] as string);
  const kinds = [...HOSTILE_KINDS].sort(() => random() - 0.5);
  for (let i = 0; i < options.steps; i++) {
    await storm.step(kinds[i]);
    if (i % 50 === 49) options.log?.(`${i + 1} steps, ${storm.report.requests} requests, slowest ${storm.report.slowest.what} ${storm.report.slowest.ms.toFixed(0)} ms, RSS ${(storm.report.peakRss / 2 ** 20).toFixed(0)} MB`);
  }
  return storm.report;
}
