import { openSource } from '../../../core/src/app/open-sync';
import { testConnection, testedSource } from '../../../core/src/app/test-connection';
import { EXIT, type Command } from '../command';
import { envLookup, loadLimitedTarget } from '../sync-args';

const USAGE = 'brazesync test-connection FILE --sync NAME [--json] [--limit N] [--state-dir DIR] [--state-url URL]';
/** How a checklist line starts in text output: SKIP means not checked (the line says why). */
export const CHECK_MARK = { ok: 'ok  ', warning: 'WARN', failed: 'FAIL', skipped: 'SKIP' } as const;

export const testConnectionCommand: Command = {
  name: 'test-connection',
  summary: "Check a sync's connection, table, columns and grants, preview its first rows, and say how to fix what fails.",
  usage: USAGE,
  async run(args, io) {
    const loaded = await loadLimitedTarget(args, io);
    if (typeof loaded === 'number') return loaded;
    const { parsed, limit, target, setup } = loaded;
    let redact = (t: string) => t;
    const result = await testConnection({
      file: target.file,
      syncName: target.syncName,
      table: setup.table,
      store: setup.store,
      limit,
      openReader: () => {
        const source = openSource(target, setup, envLookup(io));
        redact = source.redact;
        return testedSource(source);
      },
    });
    const checks = result.checks.map((c) => ({ ...c, message: redact(c.message), ...(c.fix ? { fix: redact(c.fix) } : {}) }));
    if (parsed.json) {
      io.stdout.write(JSON.stringify({ sync: target.syncName, ok: result.ok, recorded: result.recorded, checks, preview: result.preview ?? null }, null, 2) + '\n');
    } else {
      for (const c of checks) {
        io.stdout.write(`${CHECK_MARK[c.status]} ${c.name.padEnd(10)} ${c.message}\n`);
        if (c.fix) io.stdout.write(`     fix: ${c.fix.replace(/\n/g, '\n          ')}\n`);
      }
      // Failing rows first, as everywhere else.
      for (const e of result.preview?.row_errors ?? []) io.stdout.write(`     invalid row ${e.updated_at} ${e.identifier}: ${e.reason}\n`);
      for (const obj of result.preview?.objects ?? []) io.stdout.write(`     row ${obj.updated_at} ${JSON.stringify(obj.object)}\n`);
      io.stdout.write(result.ok ? `Connection test passed${result.recorded ? ' and was recorded' : ' (not recorded: a sync job is running)'}.\n` : 'Connection test failed.\n');
    }
    return result.ok ? EXIT.ok : EXIT.error;
  },
};
