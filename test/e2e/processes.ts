/** Child processes and ports for the end-to-end run: every process started here is stopped by id. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import * as net from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface Started {
  proc: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a process in its own process group with output to `logFile`, so `stop()` ends the
 * process and everything it spawned (code-server's extension host, the language server).
 */
export function startLogged(command: string, args: string[], logFile: string, options: SpawnOptions = {}): Started {
  const out = createWriteStream(logFile);
  const proc = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.pipe(out);
  proc.stderr?.pipe(out);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
      signalGroup(proc.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(proc.pid!, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      signalGroup(proc.pid, 'SIGKILL'); // stragglers of the group (e.g. an orphaned language server)
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion without blocking this process (the local Braze server of the run
 * lives here and must keep answering).
 */
export async function exec(command: string, args: string[], options: SpawnOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    proc.stdout?.on('data', (d: Buffer) => (out.stdout += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (out.stderr += d.toString()));
    proc.once('error', reject);
    proc.once('close', (code) => resolve({ code, ...out }));
  });
}

/** Runs a command that must succeed; rejects with its output otherwise. */
export async function run(command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  const r = await exec(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
