import { LspClient } from '../test/lsp/lsp-client';
(async () => {
  const c = await LspClient.start();
  const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  c.proc.stdin!.write(frame('{{{{{'));
  c.proc.stdin!.write(frame('{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":null}'));
  c.proc.stdin!.write(frame('{"jsonrpc":"2.0","id":100,"method":"textDocument/completion","params":{"textDocument":5}}'));
  c.proc.stdin!.write(frame('{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":7}}}'));
  c.proc.stdin!.write(frame('{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"untitled:nope","version":3},"contentChanges":[{"range":{"start":{"line":-5,"character":9}},"text":1}]}}'));
  c.proc.stdin!.write(frame('[1,2,3]'));
  const timer = setTimeout(() => console.log('TIMEOUT', c.alive), 5000);
  const h = await c.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'untitled:x' }, position: { line: 0, character: 1 } }).then((r) => 'hover ok ' + JSON.stringify(r), (e) => 'hover err ' + e.message);
  clearTimeout(timer);
  console.log('after wire garbage', h, c.alive);
  console.log(c.logs.map((l) => l.message.slice(0, 200)));
  console.log(await c.stop());
})();
