import * as path from 'node:path';
import { formatProblem, loadDefinitionFile, type FileProblem } from '../../../core/src/lang/load-definition';
import { EXIT, UsageError, parseCliArgs, type Command } from '../command';
import { findDefinitionFiles } from '../find-definition-files';

const USAGE = 'brazesync validate [FILES|DIRS…] [--format text|json] [--state-dir DIR]';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check definition files exactly as the editor does (exit 0: no error, 1: errors, 2: bad usage or unreadable file).',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseCliArgs({ args, allowPositionals: true, options: { format: { type: 'string', default: 'text' }, 'state-dir': { type: 'string' } } });
    const format = parsed.values.format;
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'.`);
    const { files, unreadable } = await findDefinitionFiles(parsed.positionals, io.cwd);
    const problems: FileProblem[] = [];
    for (const file of files) {
      const shown = path.relative(io.cwd, file) || file;
      try {
        const loaded = await loadDefinitionFile(file, { ...(parsed.values['state-dir'] ? { stateDir: path.resolve(io.cwd, parsed.values['state-dir']) } : {}), env: io.env });
        problems.push(...loaded.problems.map((p) => ({ ...p, file: shown })));
      } catch (err) {
        unreadable.push({ path: shown, reason: (err as Error).message });
      }
    }
    if (format === 'json') io.stdout.write(JSON.stringify(problems, null, 2) + '\n');
    else for (const p of problems) io.stdout.write(formatProblem(p) + '\n');
    for (const u of unreadable) io.stderr.write(`brazesync validate: cannot read ${u.path}: ${u.reason}\n`);
    if (files.length === 0 && unreadable.length === 0) {
      io.stderr.write(`brazesync validate: no *.brazesync.yaml files found in ${parsed.positionals.join(', ') || 'the current folder'}.\n`);
      return EXIT.usage;
    }
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.filter((p) => p.severity === 'warning').length;
    if (format === 'text') io.stderr.write(`${files.length} file(s) checked: ${errors} error(s), ${warnings} warning(s).\n`);
    if (unreadable.length) return EXIT.usage;
    return errors > 0 ? EXIT.error : EXIT.ok;
  },
};
