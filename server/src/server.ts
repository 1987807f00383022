/**
 * Entry point of `dist/server.js`. vscode-languageserver picks the transport from the command line
 * (`--stdio`, `--node-ipc`, `--socket=N`); everything else lives in `language-server.ts`.
 */
import { setFlagsFromString } from 'node:v8';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { describeError } from './guard';
import { startLanguageServer } from './language-server';

// The server lives as long as the editor, beside it. Its live data is small (about 16 MB for a
// 1,000-sync file) but parsing churns through garbage, and V8's default heap growth (up to 4× per
// collection, tuned for throughput) lets the process grow far beyond what it needs. Growing the
// heap by a quarter at a time cut peak memory by about 15% in `npm run bench:lsp`, at no measurable
// cost in latency. The flag is read at every collection, so setting it at startup is effective.
setFlagsFromString('--heap-growing-percent=25');
const connection = createConnection(ProposedFeatures.all);
// Last line of defence: handlers are guarded, but a throw from a timer or a stream must not end
// the session either.
process.on('uncaughtException', (err) => connection.console.error(`Unexpected error: ${describeError(err)}`));
process.on('unhandledRejection', (err) => connection.console.error(`Unhandled rejection: ${describeError(err)}`));
startLanguageServer(connection);
connection.listen();
