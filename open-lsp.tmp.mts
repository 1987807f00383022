import { LspClient } from './test/lsp/lsp-client';
import { generateSyncFile } from './bench/generate-syncs';
const flags = process.env.FLAGS ? process.env.FLAGS.split(' ') : [];
const big = generateSyncFile(1000).text, small = generateSyncFile(10).text;
const client = await LspClient.start({ command: [process.execPath, ...flags, 'dist/server.js', '--stdio'], env: { ...process.env, BRAZESYNC_STATE_DIR: '/tmp/lsp-open-state' } });
const open = async (uri: string, text: string) => {
  const waiting = client.nextDiagnostics(uri, (p: any) => p.diagnostics.length > 0);
  const t = performance.now();
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'brazesync', version: 1, text } });
  await waiting;
  return performance.now() - t;
};
await open('file:///tmp/w.brazesync.yaml', small);
await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: 'file:///tmp/w.brazesync.yaml' } });
const out: string[] = [];
let prev = '';
for (let i = 0; i < 3; i++) {
  if (prev) await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: prev } });
  prev = `file:///tmp/b${i}.brazesync.yaml`;
  out.push((await open(prev, big)).toFixed(0));
}
console.log(out.join(' '));
process.exit(0);
