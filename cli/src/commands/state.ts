/**
 * `brazesync state migrate|import|export`: the shared state database's schema, and moving the
 * state of every sync of the given files between files and PostgreSQL without a full re-sync.
 */
import { stateSettingsFor } from '../../../core/src/app/open-state';
import { openPgStateBackend } from '../../../core/src/adapters/pg-state/pg-state-backend';
import { STATE_URL_ENV } from '../../../core/src/adapters/pg-state/state-config';
import { explainStateError } from '../../../core/src/adapters/pg-state/state-errors';
import { copySyncState } from '../../../core/src/state/copy-state';
import { fileStateBackend } from '../../../core/src/state/state-backend';
import { EXIT, UsageError, parseCliArgs, type CliIo, type Command } from '../command';
import { envLookup, loadValidFile, stateArgs } from '../sync-args';

const USAGE = [
  'brazesync state migrate [FILE] [--state-url URL] [--schema NAME]',
  '       brazesync state import FILE… [--state-url URL] [--state-dir DIR] [--replace]   (files → PostgreSQL)',
  '       brazesync state export FILE… [--state-url URL] [--state-dir DIR] [--replace]   (PostgreSQL → files)',
].join('\n');

export const stateCommand: Command = {
  name: 'state',
  summary: 'Shared state on PostgreSQL: create or upgrade its tables (migrate), move state from files to PostgreSQL (import) and back (export).',
  usage: USAGE,
  async run(args, io) {
    const [action, ...rest] = args;
    const parsed = parseCliArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { 'state-url': { type: 'string' }, 'state-dir': { type: 'string' }, schema: { type: 'string' }, replace: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    });
    if (action === 'migrate') return migrate(parsed.positionals, parsed.values, io);
    if (action === 'import' || action === 'export') return copy(action, parsed.positionals, parsed.values, io);
    throw new UsageError(`Say what to do: migrate, import or export${action ? `, not '${action}'` : ''}.`);
  },
};

type Values = Record<string, string | boolean | undefined>;

async function migrate(files: string[], values: Values, io: CliIo): Promise<number> {
  if (files.length > 1) throw new UsageError('Give at most one definition file (its `state` block names the database).');
  const where = stateArgs(values);
  let block;
  let filePath: string | undefined;
  if (files[0]) {
    const valid = await loadValidFile(files[0], where, io);
    if (typeof valid === 'number') return valid;
    block = valid.file;
    filePath = valid.filePath;
  }
  const settings = stateSettingsFor(block, filePath, { ...where, env: envLookup(io), ...(typeof values.schema === 'string' ? { schema: values.schema } : {}) });
  if (!settings) throw new UsageError(`No state database: give --state-url, a file with a \`state\` block, or set ${STATE_URL_ENV}.`);
  const backend = openPgStateBackend(settings);
  try {
    const applied = await backend.migrate();
    io.stdout.write(applied.length ? `${settings.description}: applied ${applied.join(', ')}.\n` : `${settings.description}: already up to date.\n`);
    return EXIT.ok;
  } catch (err) {
    io.stderr.write(`brazesync state migrate: ${explainStateError(err, settings).message}\n`);
    return EXIT.error;
  } finally {
    await backend.close();
  }
}

async function copy(direction: 'import' | 'export', files: string[], values: Values, io: CliIo): Promise<number> {
  if (files.length === 0) throw new UsageError('Give the definition files whose syncs to move.');
  const where = stateArgs(values);
  let failed = 0;
  for (const file of files) {
    const valid = await loadValidFile(file, where, io);
    if (typeof valid === 'number') return valid;
    const shared = valid.state;
    if (!shared || shared.kind !== 'postgres') throw new UsageError(`${file}: no state database to ${direction === 'import' ? 'import into' : 'export from'}: give --state-url, a \`state\` block, or set ${STATE_URL_ENV}.`);
    try {
      for (const syncName of Object.keys(valid.file.syncs)) {
        const ref = { ...valid, syncName };
        const [from, to] = direction === 'import' ? [fileStateBackend, shared] : [shared, fileStateBackend];
        const what = `${syncName} in ${to === shared ? shared.description : 'the state files'}`;
        try {
          const result = await copySyncState(from.storeFor(ref), to.storeFor(ref), { replace: values.replace === true, what });
          io.stdout.write(result.copied ? `${syncName}: copied (watermark ${result.watermark ?? 'none'}, ${result.runs} run(s), ${result.rowErrors} row error(s)).\n` : `${syncName}: no state to copy.\n`);
        } catch (err) {
          failed++;
          io.stderr.write(`brazesync state ${direction}: ${syncName}: ${(err as Error).message}\n`);
        }
      }
    } finally {
      await shared.close();
    }
  }
  return failed ? EXIT.error : EXIT.ok;
}
