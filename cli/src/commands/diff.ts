import { diffStatus, resetDiff } from '../../../core/src/app/diff-status';
import { syncSetup } from '../../../core/src/app/open-sync';
import { isDiffable } from '../../../core/src/model/sync-file';
import { EXIT, UsageError, type Command } from '../command';
import { formatCount, loadTarget, parseSyncArgs } from '../sync-args';

const USAGE = 'brazesync diff [reset] FILE --sync NAME [--json] [--state-dir DIR]';

export const diffCommand: Command = {
  name: 'diff',
  summary: 'What a send: changed sync remembers of the values Braze accepted (hashes), or forget them (reset: the next run sends every attribute).',
  usage: USAGE,
  async run(args, io) {
    const reset = args[0] === 'reset';
    const parsed = parseSyncArgs(reset ? args.slice(1) : args);
    const target = await loadTarget(parsed, io);
    if (typeof target === 'number') return target;
    const { store, diff, definition } = syncSetup(target);
    if (!diff.diffStore || !isDiffable(definition.data_type)) throw new UsageError(`Sync ${target.syncName} is ${definition.data_type}: only custom_attributes and catalog_items syncs keep hashes (send: changed).`);
    if (reset) {
      const existed = await resetDiff(diff.diffStore, store, 'diff reset');
      if (parsed.json) io.stdout.write(JSON.stringify({ sync: target.syncName, reset: true, existed }) + '\n');
      else io.stdout.write(existed ? `${target.syncName}: hashes forgotten; the next run sends every attribute.\n` : `${target.syncName}: no hashes recorded; nothing to forget.\n`);
      return EXIT.ok;
    }
    const status = await diffStatus(diff.diffStore, store);
    if (parsed.json) io.stdout.write(JSON.stringify({ sync: target.syncName, send: definition.send ?? 'all', ...status }) + '\n');
    else if (!status.exists) io.stdout.write(`${target.syncName}: no hashes recorded (send: ${definition.send ?? 'all'}).\n`);
    else io.stdout.write(`${target.syncName}: hashes at ${status.location}${status.size_bytes !== undefined ? `, ${formatCount(Math.ceil(status.size_bytes / 1024))} KiB on disk` : ''}, checkpoint ${status.checkpoint ?? 0}.\n`);
    return EXIT.ok;
  },
};
