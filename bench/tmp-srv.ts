import { readFileSync } from 'node:fs';
import { LspClient, SERVER_BUNDLE } from '../test/lsp/lsp-client';
import { generateSyncFile } from './generate-syncs';
const status = (c: LspClient) => readFileSync(`/proc/${c.pid}/status`, 'utf8').split('\n').filter((l) => /VmHWM|VmRSS/.test(l)).map((l) => l.replace(/\s+/g, ' ')).join(' ');
(async () => {
  const extra = process.argv.slice(2);
  const c = await LspClient.start({ command: [process.execPath, ...extra, SERVER_BUNDLE, '--stdio'] });
  console.log('init', status(c));
  const f = generateSyncFile(Number(process.env.N ?? 1000));
  for (let i = 0; i < Number(process.env.OPENS ?? 4); i++) {
    const uri = `file:///tmp/x${i}.brazesync.yaml`;
    const t = performance.now();
    await c.open(uri, f.text);
    console.log('open', (performance.now() - t).toFixed(1), status(c));
    await c.close(uri);
  }
  const uri = `file:///tmp/y.brazesync.yaml`;
  await c.open(uri, f.text);
  const line = f.text.split('\n').findIndex((l, i, a) => i > a.indexOf(`  ${f.middleSync}:`) && l.startsWith('    data_type'));
  const len = f.text.split('\n')[line]!.length;
  for (let v = 2; v < Number(process.env.EDITS ?? 22); v++) {
    const t = performance.now();
    await c.change(uri, v, [{ range: { start: { line, character: len - 1 }, end: { line, character: len } }, text: v % 2 ? 's' : 'z' }]);
    process.stdout.write((performance.now() - t).toFixed(1) + ' ');
  }
  console.log('\nedits', status(c));
  await c.stop();
})();
