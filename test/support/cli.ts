/**
 * Runs the built CLI (`dist/cli.js`; `npm run build` first) as a child process with exactly the
 * environment given (plus PATH), so nothing from the test runner's environment leaks in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const CLI = path.resolve(__dirname, '../../dist/cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function assertCliBuilt(): void {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` before these tests');
}

export function startCli(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

export interface DefinitionSpec {
  brazeUrl: string;
  host: string;
  port: number;
  database: string;
  user: string;
  table: string;
  ssl?: string;
  dataType?: string;
  /** With `dataType: catalog_items`. */
  catalog?: string;
  batchSize?: number;
  /** `send` of the sync (`changed`). */
  send?: string;
  /** More connection fields (`ca_file`, `auth`…); with `auth: iam` the file has no password. */
  connection?: Record<string, string>;
}

/**
 * A one-sync definition file (sync `users`, connection `warehouse`); the API key and the
 * password (unless `auth: iam`) come from TEST_BRAZE_KEY and TEST_PG_PASSWORD.
 */
export function definitionText(spec: DefinitionSpec): string {
  return `version: 1
braze:
  endpoint: ${spec.brazeUrl}
  api_key: \${env:TEST_BRAZE_KEY}
connections:
  warehouse:
    type: redshift
    host: ${spec.host}
    port: ${spec.port}
    database: ${spec.database}
    user: ${spec.user}
${spec.connection?.auth === 'iam' ? '' : '    password: ${env:TEST_PG_PASSWORD}\n'}    ssl: ${spec.ssl ?? 'disable'}
${Object.entries(spec.connection ?? {}).map(([k, v]) => `    ${k}: ${v}\n`).join('')}syncs:
  users:
    connection: warehouse
    table: ${spec.table}
    data_type: ${spec.dataType ?? 'custom_attributes'}
${spec.catalog ? `    catalog: ${spec.catalog}\n` : ''}    schedule: manual
${spec.batchSize ? `    batch_size: ${spec.batchSize}\n` : ''}${spec.send ? `    send: ${spec.send}\n` : ''}`;
}
