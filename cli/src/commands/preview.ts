import { diagnoseFailure } from '../../../core/src/adapters/connection-diagnosis';
import { openSource } from '../../../core/src/app/open-sync';
import { previewSync } from '../../../core/src/sync/preview';
import { errorMessage } from '../../../core/src/sync/sync-errors';
import { EXIT, type Command } from '../command';
import { envLookup, formatCount, loadLimitedTarget } from '../sync-args';

const USAGE = 'brazesync preview FILE --sync NAME [--json] [--limit N] [--state-dir DIR] [--state-url URL]';

export const previewCommand: Command = {
  name: 'preview',
  summary: 'Dry run: what the next sync would send (count, first objects, row errors); sends nothing, changes nothing.',
  usage: USAGE,
  async run(args, io) {
    const loaded = await loadLimitedTarget(args, io);
    if (typeof loaded === 'number') return loaded;
    const { parsed, limit, target, setup } = loaded;
    let source;
    try {
      source = openSource(target, setup, envLookup(io));
    } catch (err) {
      io.stderr.write(`brazesync preview: ${errorMessage(err)}\n`);
      return EXIT.usage;
    }
    try {
      const preview = await previewSync({ definition: setup.definition, state: await setup.store.readState(), reader: source.reader, limit });
      if (parsed.json) {
        io.stdout.write(JSON.stringify({ sync: target.syncName, ...preview }, null, 2) + '\n');
        return EXIT.ok;
      }
      const o = io.stdout;
      o.write(`${target.syncName} (${preview.data_type}): ${formatCount(preview.pending_rows)} row(s) would be sent in about ${formatCount(preview.estimated_requests)} request(s).\n`);
      o.write(`  window: UPDATED_AT from ${preview.window.from ?? 'the beginning'} to ${preview.window.until} (watermark ${preview.watermark ?? 'none'})\n`);
      if (preview.rows_in_future > 0) o.write(`  warning: ${preview.rows_in_future} row(s) have UPDATED_AT in the future; they wait for their time.\n`);
      o.write(`  first ${preview.objects.length} object(s):\n`);
      for (const obj of preview.objects) o.write(`    ${obj.updated_at} ${obj.kind} ${JSON.stringify(obj.object)}\n`);
      if (preview.row_errors.length > 0) {
        o.write(`  ${preview.row_errors.length} invalid row(s) among the first ${preview.scanned}:\n`);
        for (const e of preview.row_errors) o.write(`    ${e.updated_at} ${e.identifier}: ${e.reason}\n`);
      }
      o.write('Nothing was sent; the watermark is unchanged.\n');
      return EXIT.ok;
    } catch (err) {
      const d = diagnoseFailure(err, { settings: source.settings, table: setup.table, withPayload: setup.definition.data_type !== 'user_deletes', ...(target.file.braze.instance ? { brazeInstance: target.file.braze.instance } : {}) });
      io.stderr.write(`brazesync preview: ${source.redact(d.message)}\n  fix: ${d.fix}\n`);
      return EXIT.error;
    } finally {
      await source.reader.close();
    }
  },
};
