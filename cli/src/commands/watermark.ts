import { syncSetup } from '../../../core/src/app/open-sync';
import { watermarkIso } from '../../../core/src/state/sync-state';
import { parseTimestampMicros, formatTimestampMicros } from '../../../core/src/model/timestamps';
import { editWatermark } from '../../../core/src/state/edit-watermark';
import { EXIT, UsageError, type Command } from '../command';
import { loadTarget, parseSyncArgs } from '../sync-args';

const USAGE = 'brazesync watermark FILE --sync NAME [--set TIMESTAMP | --reset] [--json] [--state-dir DIR] [--state-url URL]';

export const watermarkCommand: Command = {
  name: 'watermark',
  summary: "Show a sync's watermark, move it (--set, rows from that time on are sent again) or clear it (--reset, a full resync).",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseSyncArgs(args, { set: { type: 'string' }, reset: { type: 'boolean', default: false } });
    const set = parsed.values.set;
    const reset = parsed.values.reset === true;
    if (typeof set === 'string' && reset) throw new UsageError('Use either --set or --reset, not both.');
    let micros: number | undefined;
    if (typeof set === 'string') {
      try {
        micros = parseTimestampMicros(set);
      } catch (err) {
        throw new UsageError(`--set: ${(err as Error).message} (UTC unless it has an offset, e.g. 2026-01-31T00:00:00Z).`);
      }
      if (!Number.isFinite(micros)) throw new UsageError('--set needs a finite timestamp.');
    }
    const target = await loadTarget(parsed, io);
    if (typeof target === 'number') return target;
    const { store } = syncSetup(target);
    const show = (w: string | null, changed: boolean) => {
      if (parsed.json) io.stdout.write(JSON.stringify({ sync: target.syncName, watermark: w }) + '\n');
      else io.stdout.write(`${target.syncName}: watermark ${w ?? '(none: the next run reads every row)'}${changed ? ' (changed)' : ''}\n`);
    };
    if (micros === undefined && !reset) {
      const state = await store.readState();
      show(watermarkIso(state), false);
      return EXIT.ok;
    }
    const state = await editWatermark(store, target.syncName, micros === undefined ? null : formatTimestampMicros(micros), 'watermark');
    show(watermarkIso(state), true);
    return EXIT.ok;
  },
};
