/**
 * Realistic `.brazesync.yaml` files of any size for the LSP benchmark and the large-file LSP tests:
 * three connections and N syncs in the style of the README example, with a few planted problems of
 * different kinds in every block of 100 syncs. Some kinds only a semantic validator can find
 * (schedule bounds, unknown connections, emails, duplicate tables, secrets, time zones); others
 * are plain schema errors that any JSON Schema validator reports.
 */

const DATA_TYPES = ['custom_attributes', 'custom_events', 'purchases', 'custom_attributes', 'user_deletes'] as const;
const SCHEDULES = ['every 15 minutes', 'every 2 hours', 'daily at 09:00', 'weekly on monday at 06:30', 'monthly on day 1 at 03:00', 'every 1 days', 'manual'];
const CONNECTIONS = ['warehouse', 'analytics', 'events'];

/** Problems planted in each block of 100 syncs (and in a 10-sync file), spread evenly over it. */
const PLANTED = ['bad-enum', 'unknown-key', 'too-large', 'too-frequent', 'unknown-connection', 'bad-email', 'duplicate-table'] as const;
type Planted = (typeof PLANTED)[number];

export interface GeneratedFile {
  text: string;
  syncCount: number;
  /** A sync without planted problems in the middle of the file, for edits and completions. */
  middleSync: string;
}

export function syncName(i: number): string {
  return `sync_${String(i).padStart(4, '0')}`;
}

function plantedAt(syncCount: number): Map<number, Planted> {
  const blocks = Math.max(1, Math.floor(syncCount / 100));
  const size = syncCount / blocks;
  const planted = new Map<number, Planted>();
  for (let b = 0; b < blocks; b++) {
    PLANTED.forEach((kind, k) => planted.set(Math.floor(b * size + ((k + 0.5) * size) / PLANTED.length), kind));
  }
  return planted;
}

function syncText(i: number, planted: Planted | undefined): string {
  const name = syncName(i);
  const dataType = planted === 'bad-enum' ? 'custom_attribute' : DATA_TYPES[i % DATA_TYPES.length];
  // A duplicate table must also be read through the same connection (host) to be the same table.
  const connection = planted === 'unknown-connection' ? 'warehose' : CONNECTIONS[(planted === 'duplicate-table' ? i - 1 : i) % CONNECTIONS.length];
  const table = planted === 'duplicate-table' ? `INGESTION.${syncName(i - 1).toUpperCase()}_SYNC` : `INGESTION.${name.toUpperCase()}_SYNC`;
  const schedule = planted === 'too-frequent' ? 'every 5 minutes' : SCHEDULES[i % SCHEDULES.length];
  const scheduleKey = planted === 'unknown-key' ? 'schedul' : 'schedule';
  const contacts = planted === 'bad-email' ? '[data-eng@example.com, oncall@@example]' : i % 2 ? '[data-eng@example.com]' : '\n      - data-eng@example.com\n      - crm-team@example.com';
  const lines = [
    `  ${name}:`,
    `    connection: ${connection}`,
    `    table: ${table}`,
    `    data_type: ${dataType}`,
    `    ${scheduleKey}: ${schedule}`,
    `    contacts: ${contacts}`,
    `    status: ${i % 3 ? 'active' : 'draft'}`,
  ];
  if (i % 4 === 0) lines.push('    lookback: 30 minutes');
  if (planted === 'too-large') lines.push('    batch_size: 100');
  else if (i % 5 === 0) lines.push('    batch_size: 50');
  return lines.join('\n') + '\n';
}

export function generateSyncFile(syncCount: number): GeneratedFile {
  const planted = plantedAt(syncCount);
  let middle = Math.floor(syncCount / 2);
  while (planted.has(middle)) middle++;
  const header = [
    `# ${syncCount} syncs, generated for the language server benchmark.`,
    'version: 1',
    'braze:',
    '  instance: US-03',
    '  api_key: ${env:BRAZE_API_KEY}',
    '  timezone: America/New_Yrok',
    'connections:',
    ...CONNECTIONS.flatMap((c, k) => [
      `  ${c}:`,
      '    type: redshift',
      `    host: ${c}.abc123.us-east-1.redshift.amazonaws.com`,
      '    port: 5439',
      '    database: BRAZE_CLOUD_PRODUCTION',
      '    user: braze_user',
      // One connection keeps its password in the file: a plaintext-secret warning.
      `    password: ${k === 1 ? 'hunter2-plaintext' : '${env:REDSHIFT_PASSWORD}'}`,
      '    ssl: require',
    ]),
    'syncs:',
  ].join('\n');
  const syncs = Array.from({ length: syncCount }, (_, i) => syncText(i, planted.get(i))).join('');
  return { text: `${header}\n${syncs}`, syncCount, middleSync: syncName(middle) };
}
