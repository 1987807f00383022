/**
 * Entry point of `dist/server.js`. vscode-languageserver picks the transport from the command line
 * (`--stdio`, `--node-ipc`, `--socket=N`); everything else lives in `language-server.ts`.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { limitHeapGrowth } from '../../core/src/util/heap-growth';
import { describeError } from './guard';
import { startLanguageServer } from './language-server';

limitHeapGrowth();
const connection = createConnection(ProposedFeatures.all);
// Last line of defence: handlers are guarded, but a throw from a timer or a stream must not end
// the session either.
process.on('uncaughtException', (err) => connection.console.error(`Unexpected error: ${describeError(err)}`));
process.on('unhandledRejection', (err) => connection.console.error(`Unhandled rejection: ${describeError(err)}`));
startLanguageServer(connection);
connection.listen();
