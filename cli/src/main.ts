import { limitHeapGrowth } from '../../core/src/util/heap-growth';
import { keepWasmOnBaseline } from '../../core/src/util/wasm-tiering';
import { EXIT, UsageError, type CliIo, type Command } from './command';
import { validateCommand } from './commands/validate';
import { testConnectionCommand } from './commands/test-connection';
import { previewCommand } from './commands/preview';
import { syncCommand } from './commands/sync';
import { historyCommand } from './commands/history';
import { watermarkCommand } from './commands/watermark';
import { diffCommand } from './commands/diff';
import { demoCommand } from './commands/demo';
import { schedulerCommand } from './commands/scheduler';
import { scheduleCommand } from './commands/schedule';
import { brazeServerCommand } from './commands/braze-server';
import { stateCommand } from './commands/state';
import { fleetCommand } from './commands/fleet';

const commands: Command[] = [validateCommand, testConnectionCommand, previewCommand, syncCommand, historyCommand, watermarkCommand, diffCommand, demoCommand, brazeServerCommand, schedulerCommand, scheduleCommand, stateCommand, fleetCommand];

const commandNamed = (name: string | undefined): Command | undefined => commands.find((c) => c.name === name);

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'brazesync: Braze Cloud Data Ingestion syncs from Redshift, as code.',
    '',
    'Usage: brazesync <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `brazesync <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help() + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = commandNamed(name);
  if (!command) {
    io.stderr.write(`brazesync: unknown command '${name}'.\n\n${help()}\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`brazesync ${name}: ${err.message}\nUsage: ${command.usage}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`brazesync ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.error;
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (!commandNamed(argv[0])?.largeHeap) limitHeapGrowth();
  keepWasmOnBaseline();
  // `brazesync history … | head` closes the pipe early. Output that can't be written is dropped,
  // but the command carries on: a sync still delivers and commits what it read.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  main(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
