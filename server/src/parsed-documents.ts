/**
 * One parse per document version. Each open document keeps its own `SegmentCache`, so a new
 * version re-parses only the syncs whose text changed: a one-character edit in a 1,000-sync file
 * parses one sync, not the file. Validation memoises on the same segments.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseSyncFile, SegmentCache, type SyncFileDocument } from '../../core/src/parse/sync-document';

interface Entry {
  readonly cache: SegmentCache;
  version?: number;
  parsed?: SyncFileDocument;
}

export class ParsedDocuments {
  private readonly entries = new Map<string, Entry>();

  /** The parse of `document` at its current version (parsed on first use per version). */
  get(document: TextDocument): SyncFileDocument {
    let entry = this.entries.get(document.uri);
    if (!entry) {
      entry = { cache: new SegmentCache() };
      this.entries.set(document.uri, entry);
    }
    if (!entry.parsed || entry.version !== document.version) {
      entry.parsed = parseSyncFile(document.getText(), entry.cache);
      entry.version = document.version;
    }
    return entry.parsed;
  }

  /** Forgets a closed document and its cache. */
  delete(uri: string): void {
    this.entries.delete(uri);
  }
}
