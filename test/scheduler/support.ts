/**
 * What the scheduler's integration tests share: a definition file pointing at the test PostgreSQL
 * and the local Braze server, and a real Test Connection to make an active sync runnable.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadDefinitionFile } from '../../core/src/lang/load-definition';
import { openSource, syncSetup } from '../../core/src/app/open-sync';
import { testConnection } from '../../core/src/app/test-connection';
import type { TestPostgres } from '../support/postgres';

export const SECRETS = {
  BRAZE_API_KEY: 'braze-key-3c9a1f77e2',
  PG_PASSWORD: '', // the test server's, filled in by `secretsFor`
  SMTP_PASSWORD: 'smtp-pass-58b0de',
};

export function secretsFor(db: TestPostgres): Record<string, string> {
  return { ...SECRETS, PG_PASSWORD: db.password };
}

export interface SyncLine {
  table: string;
  schedule: string;
  status?: 'draft' | 'active';
  connection?: string;
  contacts?: string[];
  batchSize?: number;
}

export interface FileSpec {
  brazeUrl: string;
  db: TestPostgres;
  syncs: Record<string, SyncLine>;
  /** Extra connections (name → password variable), on the same server. */
  connections?: Record<string, string>;
  notifications?: string;
  timeZone?: string;
}

export function definitionYaml(spec: FileSpec): string {
  const conn = (name: string, passwordVar: string) => [
    `  ${name}:`,
    '    type: redshift',
    `    host: ${spec.db.host}`,
    `    port: ${spec.db.port}`,
    `    database: ${spec.db.database}`,
    `    user: ${spec.db.user}`,
    `    password: \${env:${passwordVar}}`,
    '    ssl: disable',
  ];
  const lines = [
    'version: 1',
    'braze:',
    `  endpoint: ${spec.brazeUrl}`,
    '  api_key: ${env:BRAZE_API_KEY}',
    `  timezone: ${spec.timeZone ?? 'UTC'}`,
    'connections:',
    ...conn('warehouse', 'PG_PASSWORD'),
    ...Object.entries(spec.connections ?? {}).flatMap(([name, variable]) => conn(name, variable)),
    'syncs:',
  ];
  for (const [name, s] of Object.entries(spec.syncs)) {
    lines.push(
      `  ${name}:`,
      `    connection: ${s.connection ?? 'warehouse'}`,
      `    table: ${s.table}`,
      '    data_type: custom_attributes',
      `    schedule: ${s.schedule}`,
      `    status: ${s.status ?? 'active'}`,
      `    contacts: [${(s.contacts ?? ['data-eng@example.com']).join(', ')}]`,
      ...(s.batchSize ? [`    batch_size: ${s.batchSize}`] : []),
    );
  }
  return lines.join('\n') + '\n' + (spec.notifications ?? '');
}

export function writeDefinition(spec: FileSpec): { dir: string; filePath: string; stateDir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'brazesync-sched-it-'));
  const filePath = path.join(dir, 'warehouse.brazesync.yaml');
  writeFileSync(filePath, definitionYaml(spec));
  return { dir, filePath, stateDir: path.join(dir, 'state') };
}

/** Runs the real Test Connection for each sync, which records the passing test in state. */
export async function recordConnectionTests(filePath: string, stateDir: string, env: Record<string, string>, syncs: string[]): Promise<void> {
  const loaded = await loadDefinitionFile(filePath, { stateDir, env });
  if (!loaded.file) throw new Error(`test fixture does not validate: ${loaded.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('; ')}`);
  for (const syncName of syncs) {
    const target = { file: loaded.file, filePath, syncName, stateRoot: loaded.stateRoot };
    const setup = syncSetup(target);
    const result = await testConnection({
      file: loaded.file,
      syncName,
      table: setup.table,
      store: setup.store,
      openReader: () => {
        const source = openSource(target, setup, (n) => env[n]);
        return { reader: source.reader, settings: source.settings };
      },
    });
    if (!result.ok || !result.recorded) throw new Error(`Test Connection of ${syncName} failed: ${JSON.stringify(result.checks)}`);
  }
}
