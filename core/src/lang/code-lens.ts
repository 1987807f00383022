/**
 * CodeLenses above each sync's name: Test Connection, Preview and Sync Now. The commands are the
 * client's (`brazeSync.*` in package.json); each gets the document URI and the sync name.
 */
import type { CodeLens } from 'vscode-languageserver-types';
import { keySpan } from '../parse/nodes';
import type { SyncFileDocument } from '../parse/sync-document';

export const SYNC_LENSES = [
  { title: 'Test Connection', command: 'brazeSync.testConnection' },
  { title: 'Preview Sync', command: 'brazeSync.previewSync' },
  { title: 'Sync Now', command: 'brazeSync.syncNow' },
] as const;

/** Three lenses per sync, on its name. Never throws. Example arguments: `['file:///a.brazesync.yaml', 'user_attributes']`. */
export function codeLenses(doc: SyncFileDocument, uri: string): CodeLens[] {
  return doc.syncs.flatMap((sync) => {
    const span = keySpan(sync.segment, sync.pair);
    const range = doc.lines.range(span.start, span.end);
    return SYNC_LENSES.map((lens) => ({ range, command: { title: lens.title, command: lens.command, arguments: [uri, sync.name] } }));
  });
}
