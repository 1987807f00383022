import { LspClient } from '../test/lsp/lsp-client';
(async () => {
  const c = await LspClient.start();
  const inputs: Record<string, string> = {
    deep: 'a: ' + '['.repeat(20000) + ']'.repeat(20000),
    deepBlock: Array.from({ length: 3000 }, (_, i) => ' '.repeat(i) + `k${i}:`).join('\n'),
    bomb: 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [` + Array(9).fill('*' + String.fromCharCode(97 + i)).join(',') + ']').join('\n'),
    nul: 'version: 1\u0000\u0001\u0002\nsyncs:\n  a\u0000b:\n    table: \ud800\n',
    longline: 'syncs:\n  x:\n    table: ' + 'A'.repeat(2_000_000),
  };
  for (const [name, text] of Object.entries(inputs)) {
    const uri = `untitled:${name}`;
    const t = performance.now();
    const w = c.open(uri, text).then((p) => `published ${p.diagnostics.length}`, (e) => `no publish: ${e.message.slice(0, 80)}`);
    const r = await Promise.race([w, new Promise((r) => setTimeout(() => r('timeout'), 15000))]);
    const h = await c.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } }).then(() => 'hover ok', (e) => 'hover err ' + e.message);
    console.log(name, r, h, (performance.now() - t).toFixed(0), 'ms', c.alive);
  }
  console.log(c.logs.map((l) => l.message.slice(0, 300)));
  // garbage on the wire
  c.proc.stdin!.write('Content-Length: 5\r\n\r\n{{{{{');
  c.proc.stdin!.write('Content-Length: 20\r\n\r\n{"jsonrpc":"2.0","id"');
  const h = await c.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'untitled:x' }, position: { line: 0, character: 1 } }).then(() => 'hover ok', (e) => 'hover err ' + e.message);
  console.log('after wire garbage', h, c.alive);
  console.log(await c.stop());
})();
