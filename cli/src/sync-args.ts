/**
 * What the sync-level commands share: `FILE --sync NAME [--json] [--state-dir DIR] [--state-url URL]` parsing, and
 * loading the file through the validator (a file with errors is refused with exit 2).
 */
import * as path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { formatProblem, loadDefinitionFile } from '../../core/src/lang/load-definition';
import { syncSetup, type SyncSetup, type SyncTarget } from '../../core/src/app/open-sync';
import { openStateBackend } from '../../core/src/app/open-state';
import { EXIT, UsageError, parseCliArgs, type CliIo } from './command';

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON: Options = {
  sync: { type: 'string' },
  json: { type: 'boolean', default: false },
  'state-dir': { type: 'string' },
  'state-url': { type: 'string' },
};

/** Where state lives, as the command line says: `--state-dir DIR`, `--state-url URL`. */
export interface StateArgs {
  stateDir?: string;
  stateUrl?: string;
}

export interface SyncArgs extends StateArgs {
  file: string;
  sync: string;
  json: boolean;
  values: Record<string, string | boolean | undefined>;
}

export function parseSyncArgs(args: string[], extra: Options = {}): SyncArgs {
  const parsed = parseCliArgs({ args, allowPositionals: true, strict: true, options: { ...COMMON, ...extra } });
  const file = onlyFile(parsed.positionals);
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const sync = values.sync;
  if (typeof sync !== 'string' || sync === '') throw new UsageError('Name the sync with --sync NAME.');
  return { file, sync, json: values.json === true, ...stateArgs(values), values };
}

export function stateArgs(values: Record<string, unknown>): StateArgs {
  const stateDir = values['state-dir'];
  const stateUrl = values['state-url'];
  return { ...(typeof stateDir === 'string' ? { stateDir } : {}), ...(typeof stateUrl === 'string' ? { stateUrl } : {}) };
}

/** The one definition file a command takes. */
export function onlyFile(positionals: readonly string[]): string {
  const [file, ...rest] = positionals;
  if (!file) throw new UsageError('Give the definition file, e.g. `warehouse.brazesync.yaml`.');
  if (rest.length > 0) throw new UsageError(`Unexpected argument '${rest[0]}'.`);
  return file;
}

export function positiveInt(value: string | boolean | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number ≥ 1, not '${String(value)}'.`);
  return n;
}

/** A definition file that passed validation. */
export type ValidFile = Omit<SyncTarget, 'syncName'>;

/**
 * The validated file, or an exit code after printing why it can't be used: unreadable, or with
 * validation errors (listed, exit 2).
 */
export async function loadValidFile(file: string, where: StateArgs, io: CliIo): Promise<ValidFile | number> {
  const filePath = path.resolve(io.cwd, file);
  const { stateDir } = where;
  let loaded;
  try {
    loaded = await loadDefinitionFile(filePath, { ...(stateDir ? { stateDir: path.resolve(io.cwd, stateDir) } : {}), env: io.env });
  } catch (err) {
    io.stderr.write(`brazesync: cannot read ${file}: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  if (loaded.hasErrors || !loaded.file) {
    const shown = path.relative(io.cwd, filePath) || filePath;
    for (const p of loaded.problems.filter((x) => x.severity === 'error')) io.stderr.write(formatProblem({ ...p, file: shown }) + '\n');
    io.stderr.write(`brazesync: ${shown} has validation errors; fix them (see \`brazesync validate ${shown}\`) first.\n`);
    return EXIT.usage;
  }
  let state;
  try {
    state = openStateBackend(loaded.file, filePath, { ...(where.stateUrl !== undefined ? { stateUrl: where.stateUrl } : {}), env: envLookup(io) });
  } catch (err) {
    io.stderr.write(`brazesync: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  return { file: loaded.file, filePath, stateRoot: loaded.stateRoot, state };
}

/** The validated file and the sync named by --sync, or an exit code after printing why not. */
export async function loadTarget(args: SyncArgs, io: CliIo): Promise<SyncTarget | number> {
  const valid = await loadValidFile(args.file, args, io);
  if (typeof valid === 'number') return valid;
  if (!valid.file.syncs[args.sync]) {
    io.stderr.write(`brazesync: No sync named "${args.sync}" in ${args.file}; it defines: ${Object.keys(valid.file.syncs).join(', ') || '(none)'}.\n`);
    return EXIT.usage;
  }
  return { ...valid, syncName: args.sync };
}

/**
 * For the commands that look at a sync's first rows (`preview`, `test-connection`): their
 * arguments with `--limit N` (default 10), the validated target and its setup.
 */
export async function loadLimitedTarget(args: string[], io: CliIo): Promise<{ parsed: SyncArgs; limit: number; target: SyncTarget; setup: SyncSetup } | number> {
  const parsed = parseSyncArgs(args, { limit: { type: 'string' } });
  const limit = positiveInt(parsed.values.limit, '--limit', 10);
  const target = await loadTarget(parsed, io);
  if (typeof target === 'number') return target;
  return { parsed, limit, target, setup: syncSetup(target) };
}

/** Environment lookup for `${env:NAME}`. */
export function envLookup(io: CliIo): (name: string) => string | undefined {
  return (name) => io.env[name];
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
