/**
 * The read baseline of `npm run bench:sync`: `psql \copy (SELECT …) TO '/dev/null'`, what a user
 * would run to pull the same rows out of the warehouse by hand, over the same link as the engine.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestPostgres } from '../test/support/postgres';
import { backends, backendsGone, postgresCpu, reapedChildrenCpu } from './proc-stats';

/** Far beyond any healthy `\copy` here (seconds per million rows). */
const COPY_TIMEOUT_MS = 600_000;

export interface CopyMeasure {
  seconds: number;
  cpu: { postgres: number; psql: number };
}

/** psql from PSQL or the usual places; the error says what to do, since the baseline needs it. */
export function psqlPath(): string {
  for (const p of [process.env.PSQL, '/usr/bin/psql', '/usr/local/bin/psql']) if (p && existsSync(p)) return p;
  throw new Error('psql not found, and every ratio is measured against `psql \\copy`: install the PostgreSQL client (apt-get install postgresql-client) or set PSQL=/path/to/psql.');
}

/** Runs `\copy (select) TO '/dev/null'` against `port` (PostgreSQL itself or a proxy in front of it). */
export async function copyBaseline(db: TestPostgres, port: number, select: string): Promise<CopyMeasure> {
  const idle = backends(db);
  const pg0 = postgresCpu(db);
  const child0 = reapedChildrenCpu();
  const started = process.hrtime.bigint();
  // Asynchronous: the delay proxy runs on this process's event loop, which spawnSync would stop.
  const child = spawn(psqlPath(), ['-h', db.host, '-p', String(port), '-U', db.user, '-d', db.database, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (${select}) to '/dev/null'`], {
    // sslmode=disable: the engine's definition says `ssl: disable`; psql's default would spend a round trip asking.
    env: { ...process.env, PGPASSWORD: db.password, PGSSLMODE: 'disable' },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: COPY_TIMEOUT_MS, // the bench stops by itself even if a link hangs
    killSignal: 'SIGKILL',
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`psql failed (${code ?? signal}): ${stderr}`);
  await backendsGone(db, idle);
  return { seconds, cpu: { postgres: postgresCpu(db) - pg0, psql: reapedChildrenCpu() - child0 } };
}
