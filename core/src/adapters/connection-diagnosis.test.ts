/**
 * The order of the diagnosis on errors shaped as pg and Node raise them: TLS refusals that carry
 * SQLSTATE 28000 are TLS, not a wrong password; real authentication failures say so, with the fix
 * for the connection's `auth`; IAM and CA-file problems keep their own fix.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnoseFailure, type DiagnosisContext } from './connection-diagnosis';
import { iamFailure } from './iam-errors';
import { CaFileError } from './pg-tls';

const settings = { host: 'example.abc123.us-east-1.redshift.amazonaws.com', port: 5439, database: 'dev', user: 'braze_user', ssl: 'disable' as const };
const ctx: DiagnosisContext = { settings };

/** An error as pg raises one from the server's ErrorResponse. */
function serverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'FATAL' });
}

test('a cluster that requires TLS (28000, "SSL off" on Redshift, "no encryption" on PostgreSQL) is a TLS problem', () => {
  for (const message of [
    'no pg_hba.conf entry for host "::ffff:10.0.0.1", user "braze_user", database "dev", SSL off',
    'no pg_hba.conf entry for host "127.0.0.1", user "braze_user", database "dev", no encryption',
    'pg_hba.conf rejects connection for host "127.0.0.1", user "braze_user", database "dev", no encryption',
  ]) {
    const d = diagnoseFailure(serverError('28000', message), ctx);
    assert.equal(d.kind, 'tls', message);
    assert.match(d.fix, /ssl: require/);
  }
  // From the stored text alone (emails, `brazesync sync` output), the same answer.
  assert.equal(diagnoseFailure(new Error('no pg_hba.conf entry for host "h", user "u", database "d", SSL off')).kind, 'tls');
});

test('a wrong password (28P01, or 28000 on Redshift) is an authentication problem with the password fix', () => {
  for (const err of [serverError('28P01', 'password authentication failed for user "braze_user"'), serverError('28000', 'password authentication failed for user "braze_user"')]) {
    const d = diagnoseFailure(err, ctx);
    assert.equal(d.kind, 'auth');
    assert.equal(d.message, 'Authentication failed for user braze_user.');
    assert.match(d.fix, /ALTER USER braze_user PASSWORD/);
  }
});

test('a host rule refusing a TLS connection is not mistaken for a TLS failure because it says "SSL"', () => {
  const d = diagnoseFailure(serverError('28000', 'no pg_hba.conf entry for host "10.0.0.1", user "braze_user", database "dev", SSL encryption'), ctx);
  assert.equal(d.kind, 'auth');
});

test('an untrusted certificate chain points at ca_file first', () => {
  const err = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
  const d = diagnoseFailure(err, { settings: { ...settings, ssl: 'verify-full' } });
  assert.equal(d.kind, 'tls');
  assert.match(d.fix, /Set `ca_file:`/);
  assert.match(d.fix, /NODE_EXTRA_CA_CERTS/);
});

test('with auth: iam a refused temporary password gets the IAM fix', () => {
  const d = diagnoseFailure(serverError('28000', 'password authentication failed for user "IAM:braze_user"'), { settings: { ...settings, auth: 'iam' } });
  assert.equal(d.kind, 'auth');
  assert.match(d.message, /temporary IAM credentials/);
  assert.match(d.fix, /CREATE USER "braze_user" PASSWORD DISABLE/);
});

test('AWS failures keep their own message and fix, also from the stored text', () => {
  const target = { kind: 'cluster' as const, clusterIdentifier: 'example', region: 'us-east-1' };
  const denied = iamFailure(Object.assign(new Error('User: arn:aws:iam::123456789012:user/ci is not authorized to perform: redshift:GetClusterCredentials'), { name: 'AccessDenied' }), target, 'braze_user', 'dev');
  const d = diagnoseFailure(denied, ctx);
  assert.equal(d.kind, 'auth');
  assert.match(d.message, /^Could not get a temporary Redshift password from AWS for cluster example \(us-east-1\): AWS denied redshift:GetClusterCredentials/);
  assert.match(d.fix, /dbuser:example\/braze_user/);
  assert.equal(diagnoseFailure(new Error(denied.message)).kind, 'auth');
});

test('no AWS credentials, rejected credentials, unknown cluster: each says what to do, and never prints a key id', () => {
  const target = { kind: 'serverless' as const, workgroup: 'wg', region: 'eu-west-1' };
  const none = iamFailure(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), target, 'u', 'dev');
  assert.match(none.message, /no AWS credentials were found/);
  assert.match(none.fix, /AWS_PROFILE/);
  const rejected = iamFailure(Object.assign(new Error('The security token included in the request is invalid: AKIAABCDEFGHIJKLMNOP'), { name: 'UnrecognizedClientException' }), target, 'u', 'dev');
  assert.match(rejected.message, /AWS rejected the AWS credentials/);
  const odd = iamFailure(Object.assign(new Error('strange AKIAABCDEFGHIJKLMNOP'), { name: 'Weird' }), target, 'u', 'dev');
  assert.doesNotMatch(odd.message, /AKIA/);
  const missing = iamFailure(Object.assign(new Error('Workgroup wg not found'), { name: 'ResourceNotFoundException' }), target, 'u', 'dev');
  assert.match(missing.message, /no such workgroup/);
  assert.match(missing.fix, /`workgroup` and `region`/);
});

test('an unreadable ca_file is a TLS configuration problem naming the field and the path', () => {
  const d = diagnoseFailure(new CaFileError('connections.warehouse.ca_file', '/nowhere/ca.pem', 'ENOENT'), ctx);
  assert.equal(d.kind, 'tls');
  assert.match(d.message, /connections\.warehouse\.ca_file: cannot use \/nowhere\/ca\.pem as a CA bundle \(ENOENT\)/);
});
