/**
 * `ssl: require` and `ssl: verify-full` against a PostgreSQL that requires TLS, as a Redshift
 * cluster with `require_ssl` does (a CA and a server certificate for "localhost" made here with
 * openssl), through the built CLI: require encrypts without checking, verify-full refuses an
 * untrusted chain or a wrong host name with the fix to apply, and succeeds once the CA is trusted
 * through `ca_file` or NODE_EXTRA_CA_CERTS. A plain connection refused with SQLSTATE 28000 is
 * reported as TLS, a wrong password as authentication.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import { connectPg, resolvePgSettings } from '../../core/src/adapters/pg-connection';
import { assertCliBuilt, definitionText, startCli } from '../support/cli';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

const API_KEY = 'tls-test-key-7a6b5c4d3e2f';
const READER_PASSWORD = 'tls-reader-pw-1f2e3d';

let db: TestPostgres;
let braze: BrazeServer;
let dir: string;
let caFile: string;

/** A CA, and a server certificate it signed for DNS name `localhost` only (no IP address). */
function makeCertificates(into: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: into, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-days', '2', '-subj', '/CN=brazesync test CA', '-keyout', 'ca.key', '-out', 'ca.crt', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ssl('req', ...ec, '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(path.join(into, 'server.ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'server.crt', '-extfile', 'server.ext');
}

/**
 * Turns TLS on in the running server (postgres-http-scheduling.md §1) and makes TCP logins require
 * it (hostssl only), then waits until it answers TLS.
 */
async function enableTls(certs: string): Promise<void> {
  const data = path.join(db.server.dir, 'data');
  const owner = statSync(data);
  for (const name of ['server.crt', 'server.key']) {
    const target = path.join(data, name);
    copyFileSync(path.join(certs, name), target);
    chownSync(target, owner.uid, owner.gid);
    chmodSync(target, 0o600);
  }
  const hba = path.join(data, 'pg_hba.conf');
  writeFileSync(hba, readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1'));
  await db.query('ALTER SYSTEM SET ssl = on');
  await db.query('SELECT pg_reload_conf()');
  // The postmaster applies the reload asynchronously: retry the handshake until it is accepted.
  for (let attempt = 0; ; attempt++) {
    const probe = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, ssl: { rejectUnauthorized: false } });
    try {
      await probe.connect();
      await probe.end();
      return;
    } catch (err) {
      if (attempt >= 200) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

before(async () => {
  assertCliBuilt();
  dir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-tls-'));
  makeCertificates(dir);
  caFile = path.join(dir, 'ca.crt');
  db = await startTestPostgres();
  braze = await startBrazeServer({ port: 0, apiKeys: [API_KEY], budget: { limit: 1_000_000, windowMs: 1000 } });
  await db.createExampleTable('ingestion', 'users');
  await db.createReader('braze_user', READER_PASSWORD, ['ingestion.users']);
  await db.query(`INSERT INTO ingestion.users (external_id, payload) SELECT 'tls-' || g, '{"n":' || g || '}' FROM generate_series(1, 20) g`);
  await enableTls(dir);
});
after(async () => {
  await braze?.close();
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let fileSeq = 0;
function definition(host: string, ssl: string, connection: Record<string, string> = {}): string {
  const file = path.join(dir, `tls${++fileSeq}.brazesync.yaml`);
  writeFileSync(file, definitionText({ brazeUrl: braze.url, host, port: db.port, database: db.database, user: 'braze_user', table: 'ingestion.users', ssl, connection }));
  return file;
}

interface Check {
  name: string;
  status: string;
  kind?: string;
  message: string;
  fix?: string;
}

async function testConnection(file: string, env: Record<string, string> = {}): Promise<{ code: number | null; ok: boolean; checks: Check[]; stderr: string }> {
  const r = await startCli(['test-connection', file, '--sync', 'users', '--json'], { TEST_BRAZE_KEY: API_KEY, TEST_PG_PASSWORD: READER_PASSWORD, BRAZESYNC_STATE_DIR: path.join(dir, 'state'), ...env }).done;
  const out = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
  return { code: r.code, ok: out.ok, checks: out.checks, stderr: r.stderr };
}

test('ssl: require connects over TLS without checking the certificate', async () => {
  const result = await testConnection(definition('127.0.0.1', 'require'));
  assert.equal(result.code, 0, JSON.stringify(result.checks));
  assert.ok(result.ok);
  assert.match(result.checks[0]?.message ?? '', /\(ssl: require\)/);
  // No warning about SNI with an IP address (pg sets the server name only for host names).
  assert.doesNotMatch(result.stderr, /DEP0123|ServerName/);

  // The session really is encrypted.
  const settings = resolvePgSettings('warehouse', { type: 'redshift', host: '127.0.0.1', port: db.port, database: db.database, user: 'braze_user', password: '${env:P}', ssl: 'require' }, () => READER_PASSWORD);
  const client = await connectPg(settings);
  try {
    const r = await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    assert.equal(r.rows[0]?.ssl, true);
  } finally {
    await client.end();
  }
});

test('ssl: verify-full refuses an untrusted certificate chain and says how to trust the CA', async () => {
  const result = await testConnection(definition('localhost', 'verify-full'));
  assert.equal(result.code, 1);
  assert.equal(result.ok, false);
  const connect = result.checks.find((c) => c.name === 'connect');
  assert.equal(connect?.status, 'failed');
  assert.equal(connect?.kind, 'tls');
  assert.match(connect?.message ?? '', /^TLS failed: .*certificate/i);
  assert.match(connect?.fix ?? '', /Set `ca_file:`/);
  assert.match(connect?.fix ?? '', /NODE_EXTRA_CA_CERTS=\/path\/to\/ca\.pem/);
  assert.match(connect?.fix ?? '', /ssl: require/);
});

test('ssl: verify-full succeeds once the CA is trusted through NODE_EXTRA_CA_CERTS, for test-connection and sync', async () => {
  const file = definition('localhost', 'verify-full');
  const env = { NODE_EXTRA_CA_CERTS: caFile };
  const result = await testConnection(file, env);
  assert.equal(result.code, 0, JSON.stringify(result.checks));
  assert.match(result.checks[0]?.message ?? '', /\(ssl: verify-full\)/);

  const sync = await startCli(['sync', file, '--sync', 'users', '--json'], { TEST_BRAZE_KEY: API_KEY, TEST_PG_PASSWORD: READER_PASSWORD, BRAZESYNC_STATE_DIR: path.join(dir, 'state'), ...env }).done;
  assert.equal(sync.code, 0, sync.stderr);
  assert.equal((JSON.parse(sync.stdout) as { rows_synced: number }).rows_synced, 20);
  assert.equal(braze.profiles({ external_id: 'tls-20' }).length, 1);
});

test('ssl: verify-full refuses a host name the certificate is not for, even with the CA trusted', async () => {
  const result = await testConnection(definition('127.0.0.1', 'verify-full'), { NODE_EXTRA_CA_CERTS: caFile });
  assert.equal(result.code, 1);
  const connect = result.checks.find((c) => c.name === 'connect');
  assert.equal(connect?.kind, 'tls');
  assert.match(connect?.message ?? '', /not for 127\.0\.0\.1/);
  assert.match(connect?.fix ?? '', /set `host` to the name on the certificate/);
});

test('ssl: verify-full succeeds with the CA in ca_file (a path relative to the file), without NODE_EXTRA_CA_CERTS', async () => {
  const file = definition('localhost', 'verify-full', { ca_file: 'ca.crt' });
  const result = await testConnection(file);
  assert.equal(result.code, 0, JSON.stringify(result.checks));
  assert.match(result.checks[0]?.message ?? '', /\(ssl: verify-full\)/);

  const sync = await startCli(['sync', file, '--sync', 'users', '--json'], { TEST_BRAZE_KEY: API_KEY, TEST_PG_PASSWORD: READER_PASSWORD, BRAZESYNC_STATE_DIR: path.join(dir, 'state-ca') }).done;
  assert.equal(sync.code, 0, sync.stderr);
});

test('a ca_file that cannot be read is a clear error naming the field and the path', async () => {
  const result = await testConnection(definition('localhost', 'verify-full', { ca_file: 'certs/missing.pem' }));
  assert.equal(result.code, 1);
  const connect = result.checks.find((c) => c.name === 'connect');
  assert.equal(connect?.kind, 'tls');
  assert.equal(connect?.message, `connections.warehouse.ca_file: cannot use ${path.join(dir, 'certs/missing.pem')} as a CA bundle (ENOENT). Point it at a PEM file of certificates such as the Redshift CA bundle from Amazon; a relative path is read from the folder of the .brazesync.yaml file.`);

  const sync = await startCli(['sync', definition('localhost', 'verify-full', { ca_file: 'certs/missing.pem' }), '--sync', 'users', '--json'], { TEST_BRAZE_KEY: API_KEY, TEST_PG_PASSWORD: READER_PASSWORD, BRAZESYNC_STATE_DIR: path.join(dir, 'state') }).done;
  assert.equal(sync.code, 2, sync.stdout);
  assert.match(sync.stderr, /connections\.warehouse\.ca_file: cannot use .*certs\/missing\.pem as a CA bundle \(ENOENT\)/);
});

test('a plain connection to a server that requires TLS (SQLSTATE 28000) is reported as TLS, not as a password problem', async () => {
  const result = await testConnection(definition('127.0.0.1', 'disable'));
  assert.equal(result.code, 1);
  const connect = result.checks.find((c) => c.name === 'connect');
  assert.equal(connect?.kind, 'tls', JSON.stringify(connect));
  assert.equal(connect?.message, 'The server requires TLS.');
  assert.match(connect?.fix ?? '', /ssl: require/);
});

test('a wrong password over TLS is reported as an authentication failure, without the password', async () => {
  const result = await testConnection(definition('127.0.0.1', 'require'), { TEST_PG_PASSWORD: 'wrong-pw-5e6f7a' });
  assert.equal(result.code, 1);
  const connect = result.checks.find((c) => c.name === 'connect');
  assert.equal(connect?.kind, 'auth');
  assert.equal(connect?.message, 'Authentication failed for user braze_user.');
  assert.match(connect?.fix ?? '', /ALTER USER braze_user PASSWORD/);
  assert.doesNotMatch(JSON.stringify(result.checks) + result.stderr, /wrong-pw-5e6f7a/);
});
