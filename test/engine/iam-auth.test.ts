/**
 * `auth: iam` against an embedded PostgreSQL and a local fake of the AWS APIs (the SDK pointed at
 * it with AWS_ENDPOINT_URL_REDSHIFT[_SERVERLESS], fake keys in the environment): the temporary
 * user and password AWS issues log in, credentials are reused until they near their expiry and
 * then fetched again (the database only accepts the newest password), Serverless works the same
 * way, and AWS failures are clear messages without secrets; through the built CLI too.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import { diagnoseFailure } from '../../core/src/adapters/connection-diagnosis';
import { connectPg, resolvePgSettings } from '../../core/src/adapters/pg-connection';
import type { RedshiftConnection } from '../../core/src/model/sync-file';
import { assertCliBuilt, definitionText, startCli } from '../support/cli';
import { startFakeAws, type CredentialRequest, type FakeAws } from '../support/fake-aws';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

const API_KEY = 'iam-test-key-1a2b3c4d';
const SECRET_KEY = 'fake-secret-key-do-not-print-7q8r9s';
const DENIED_KEY = 'AKIDDENIEDFAKE000001';
const CLUSTER_USER = 'IAM:braze_user';
const SERVERLESS_USER = 'IAM:brazesync-ci';

let db: TestPostgres;
let aws: FakeAws;
let braze: BrazeServer;
let dir: string;
/** How long the fake's credentials live; the tests shorten it to force a refresh. */
let lifetimeMs = 3_600_000;
const issuedPasswords: string[] = [];

/** The AWS environment of these tests: fake keys, the fake's endpoints, no profile or instance metadata. */
function awsEnv(accessKeyId = 'AKIDFAKEFAKEFAKE0001'): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_ENDPOINT_URL_REDSHIFT: aws.url,
    AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS: aws.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
  };
}

const AWS_VARS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_ENDPOINT_URL_REDSHIFT', 'AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS', 'AWS_EC2_METADATA_DISABLED', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'];
const savedEnv = Object.fromEntries(AWS_VARS.map((k) => [k, process.env[k]]));

function setAwsEnv(env: Record<string, string>): void {
  for (const k of AWS_VARS) delete process.env[k];
  Object.assign(process.env, env);
}

/** Makes the role accept a new password, as Redshift accepts the one it just issued. */
async function issue(request: CredentialRequest) {
  const user = request.api === 'GetClusterCredentials' ? `IAM:${request.dbUser}` : SERVERLESS_USER;
  const password = `Tmp${randomBytes(9).toString('hex')}`;
  await db.query(`ALTER ROLE "${user}" PASSWORD '${password}'`);
  issuedPasswords.push(password);
  return { user, password, expiration: new Date(Date.now() + lifetimeMs) };
}

before(async () => {
  assertCliBuilt();
  dir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-iam-'));
  db = await startTestPostgres();
  await db.createExampleTable('ingestion', 'users');
  await db.query(`INSERT INTO ingestion.users (external_id, payload) SELECT 'iam-' || g, '{"n":' || g || '}' FROM generate_series(1, 5) g`);
  for (const role of [CLUSTER_USER, SERVERLESS_USER]) {
    await db.query(`CREATE ROLE "${role}" LOGIN`);
    await db.query(`GRANT USAGE ON SCHEMA ingestion TO "${role}"`);
    await db.query(`GRANT SELECT ON ingestion.users TO "${role}"`);
  }
  aws = await startFakeAws({ clusters: ['example'], workgroups: ['analytics'], deniedAccessKeys: [DENIED_KEY], issue });
  braze = await startBrazeServer({ port: 0, apiKeys: [API_KEY], budget: { limit: 1_000_000, windowMs: 1000 } });
  setAwsEnv(awsEnv());
});
afterEach(() => {
  lifetimeMs = 3_600_000;
  setAwsEnv(awsEnv());
});
after(async () => {
  for (const [k, v] of Object.entries(savedEnv)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  await braze?.close();
  await aws?.close();
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function connection(extra: Partial<RedshiftConnection>): RedshiftConnection {
  return { type: 'redshift', host: db.host, port: db.port, database: db.database, user: 'braze_user', ssl: 'disable', auth: 'iam', ...extra };
}

async function sessionUser(conn: RedshiftConnection, settings = resolvePgSettings('warehouse', conn, () => undefined)): Promise<string> {
  const client = await connectPg(settings);
  try {
    return (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u ?? '';
  } finally {
    await client.end();
  }
}

test('a provisioned cluster: GetClusterCredentials for the connection user, signed for the region, logs in as IAM:user', async () => {
  const before = aws.requests.length;
  assert.equal(await sessionUser(connection({ cluster_identifier: 'example', region: 'eu-central-1' })), CLUSTER_USER);
  const [request] = aws.requests.slice(before);
  assert.deepEqual({ ...request }, { api: 'GetClusterCredentials', name: 'example', dbUser: 'braze_user', database: db.database, durationSeconds: 3600, region: 'eu-central-1', accessKeyId: 'AKIDFAKEFAKEFAKE0001' });
});

test('credentials are reused while valid, and fetched again once within 5 minutes of expiry', async () => {
  const settings = resolvePgSettings('warehouse', connection({ cluster_identifier: 'example', region: 'us-east-1' }), () => undefined);
  const before = aws.requests.length;
  await sessionUser(connection({}), settings);
  await sessionUser(connection({}), settings);
  assert.equal(aws.requests.length - before, 1, 'one request for two connections while the credentials last an hour');

  // Credentials that live one second beyond the 5-minute margin: a second later they are due,
  // the next connection fetches a new password, and the database accepts only the newest one.
  lifetimeMs = 5 * 60_000 + 1000;
  const fresh = resolvePgSettings('warehouse', connection({ cluster_identifier: 'example', region: 'us-east-1' }), () => undefined);
  const start = aws.requests.length;
  await sessionUser(connection({}), fresh);
  await sessionUser(connection({}), fresh);
  assert.equal(aws.requests.length - start, 1, 'still valid beyond the margin');
  await new Promise((resolve) => setTimeout(resolve, 1200));
  await sessionUser(connection({}), fresh);
  assert.equal(aws.requests.length - start, 2, 'fetched again within the margin');
  assert.notEqual(issuedPasswords.at(-1), issuedPasswords.at(-2));
});

test('Redshift Serverless: GetCredentials for the workgroup, logging in as the user AWS names', async () => {
  const before = aws.requests.length;
  assert.equal(await sessionUser(connection({ workgroup: 'analytics', region: 'eu-west-1' })), SERVERLESS_USER);
  const [request] = aws.requests.slice(before);
  assert.equal(request?.api, 'GetCredentials');
  assert.equal(request?.name, 'analytics');
  assert.equal(request?.region, 'eu-west-1');
});

async function failure(conn: RedshiftConnection): Promise<{ message: string; fix: string; kind: string }> {
  const err = await connectPg(resolvePgSettings('warehouse', conn, () => undefined)).then(
    () => assert.fail('connected'),
    (e: unknown) => e,
  );
  return diagnoseFailure(err, { settings: { host: conn.host, port: db.port, database: db.database, user: 'braze_user', ssl: 'disable', auth: 'iam' } });
}

function assertNoSecrets(text: string): void {
  assert.doesNotMatch(text, new RegExp(SECRET_KEY));
  for (const p of issuedPasswords) assert.ok(!text.includes(p), 'a temporary password leaked');
}

test('an unknown cluster, a denied policy and missing AWS credentials each say what to do, without secrets', async () => {
  const unknown = await failure(connection({ cluster_identifier: 'nope', region: 'us-east-1' }));
  assert.equal(unknown.kind, 'auth');
  assert.match(unknown.message, /^Could not get a temporary Redshift password from AWS for cluster nope \(us-east-1\): AWS has no such cluster/);
  assert.match(unknown.fix, /`cluster_identifier` and `region`/);

  setAwsEnv(awsEnv(DENIED_KEY));
  const denied = await failure(connection({ cluster_identifier: 'example', region: 'us-east-1' }));
  assert.match(denied.message, /AWS denied redshift:GetClusterCredentials/);
  assert.match(denied.fix, /arn:aws:redshift:us-east-1:<account>:dbuser:example\/braze_user/);
  assert.doesNotMatch(denied.message, new RegExp(DENIED_KEY));

  const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...noKeys } = awsEnv();
  setAwsEnv(noKeys);
  const none = await failure(connection({ workgroup: 'analytics', region: 'eu-west-1' }));
  assert.match(none.message, /Serverless workgroup analytics \(eu-west-1\): no AWS credentials were found/);
  assert.match(none.fix, /AWS_PROFILE/);
  for (const d of [unknown, denied, none]) assertNoSecrets(`${d.message} ${d.fix}`);
});

test('through the CLI: test-connection and sync with auth: iam, and an AWS failure with its fix', async () => {
  const file = path.join(dir, 'iam.brazesync.yaml');
  writeFileSync(file, definitionText({ brazeUrl: braze.url, host: db.host, port: db.port, database: db.database, user: 'braze_user', table: 'ingestion.users', connection: { auth: 'iam', cluster_identifier: 'example', region: 'us-east-1' } }));
  const env = { TEST_BRAZE_KEY: API_KEY, BRAZESYNC_STATE_DIR: path.join(dir, 'state'), ...awsEnv() };
  const tested = await startCli(['test-connection', file, '--sync', 'users', '--json'], env).done;
  assert.equal(tested.code, 0, tested.stdout + tested.stderr);
  const sync = await startCli(['sync', file, '--sync', 'users', '--json'], env).done;
  assert.equal(sync.code, 0, sync.stderr);
  assert.equal((JSON.parse(sync.stdout) as { rows_synced: number }).rows_synced, 5);

  const denied = await startCli(['test-connection', file, '--sync', 'users', '--json'], { ...env, AWS_ACCESS_KEY_ID: DENIED_KEY }).done;
  assert.equal(denied.code, 1);
  const connect = (JSON.parse(denied.stdout) as { checks: { name: string; kind: string; message: string; fix: string }[] }).checks.find((c) => c.name === 'connect');
  assert.equal(connect?.kind, 'auth');
  assert.match(connect?.message ?? '', /AWS denied redshift:GetClusterCredentials/);
  assert.match(connect?.fix ?? '', /Allow redshift:GetClusterCredentials/);
  assertNoSecrets(denied.stdout + denied.stderr + tested.stdout + sync.stdout + sync.stderr);
});
