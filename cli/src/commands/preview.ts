import { diagnoseFailure } from '../../../core/src/adapters/connection-diagnosis';
import { openSource } from '../../../core/src/app/open-sync';
import { rowChecks } from '../../../core/src/app/row-checks';
import { previewSync, type SyncPreview } from '../../../core/src/sync/preview';
import { errorMessage } from '../../../core/src/sync/sync-errors';
import { EXIT, type Command } from '../command';
import { CHECK_MARK } from './test-connection';
import { envLookup, formatCount, loadLimitedTarget } from '../sync-args';

const USAGE = 'brazesync preview FILE --sync NAME [--json] [--limit N] [--state-dir DIR] [--state-url URL]';

/** How the text output names what a row becomes, where the JSON kind is terse. */
const KIND_LABELS: Partial<Record<SyncPreview['objects'][number]['kind'], string>> = { catalog_item: 'item', catalog_delete: 'delete item' };

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
      const diff = { store: setup.diff.diffStore, file: target.file };
      const preview = await previewSync({ definition: setup.definition, state: await setup.store.readState(), reader: source.reader, limit, diff });
      if (preview.audit_failed !== undefined) preview.audit_failed = source.redact(preview.audit_failed);
      if (parsed.json) {
        io.stdout.write(JSON.stringify({ sync: target.syncName, ...preview }, null, 2) + '\n');
        return EXIT.ok;
      }
      const o = io.stdout;
      const catalog = setup.definition.catalog === undefined ? '' : ` to catalog ${setup.definition.catalog}`;
      o.write(`${target.syncName} (${preview.data_type}): ${formatCount(preview.pending_rows)} row(s) would be sent${catalog} in about ${formatCount(preview.estimated_requests)} request(s).\n`);
      o.write(`  window: UPDATED_AT from ${preview.window.from ?? 'the beginning'} to ${preview.window.until} (watermark ${preview.watermark ?? 'none'})\n`);
      if (preview.rows_in_future > 0) o.write(`  warning: ${preview.rows_in_future} row(s) have UPDATED_AT in the future; they wait for their time.\n`);
      for (const c of rowChecks(preview)) o.write(`  ${CHECK_MARK[c.status]} ${source.redact(c.message)}\n`);
      if (preview.diff_notice) o.write(`  send: changed: ${preview.diff_notice}\n`);
      if (preview.row_errors.length > 0) {
        o.write(`  ${preview.row_errors.length} invalid row(s) among the first ${preview.scanned}:\n`);
        for (const e of preview.row_errors) o.write(`    ${e.updated_at} ${e.identifier}: ${e.reason}\n`);
      }
      o.write(`  first ${preview.objects.length} object(s):\n`);
      for (const obj of preview.objects) {
        o.write(`    ${obj.updated_at} ${KIND_LABELS[obj.kind] ?? obj.kind} ${obj.object === undefined ? `${obj.identifier}: nothing changed, nothing sent` : JSON.stringify(obj.object)}\n`);
        if (obj.unchanged_attributes?.length) o.write(`      unchanged, left out: ${obj.unchanged_attributes.join(', ')}\n`);
      }
      o.write('Nothing was sent; the watermark is unchanged.\n');
      return EXIT.ok;
    } catch (err) {
      const d = diagnoseFailure(err, { settings: source.settings, table: setup.table, withPayload: setup.definition.data_type !== 'user_deletes', dataType: setup.definition.data_type, ...(target.file.braze.instance ? { brazeInstance: target.file.braze.instance } : {}) });
      io.stderr.write(`brazesync preview: ${source.redact(d.message)}\n  fix: ${d.fix}\n`);
      return EXIT.error;
    } finally {
      await source.reader.close();
    }
  },
};
