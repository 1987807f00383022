/**
 * What went wrong asking AWS for temporary Redshift credentials, and what to do about it: no AWS
 * credentials in the environment, credentials AWS rejects, a policy that denies the call, a
 * cluster or workgroup AWS does not know, the API out of reach. Messages name the cluster and the
 * IAM action, never a key or password.
 */
import type { IamTarget } from '../model/redshift-endpoint';

export class IamCredentialsError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'IamCredentialsError';
  }
}

/** How every IamCredentialsError message starts, so a diagnosis from stored text recognises it. */
export const IAM_FAILURE_PREFIX = 'Could not get a temporary Redshift password from AWS';

// An access key id is not the secret half, but it identifies an account's key: never print one.
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g;

function awsField(err: unknown, key: string): string {
  const v = typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : '';
}

function describeTarget(t: IamTarget): { what: string; action: string; fields: string } {
  return t.kind === 'cluster'
    ? { what: `cluster ${t.clusterIdentifier} (${t.region})`, action: 'redshift:GetClusterCredentials', fields: '`cluster_identifier` and `region`' }
    : { what: `Serverless workgroup ${t.workgroup} (${t.region})`, action: 'redshift-serverless:GetCredentials', fields: '`workgroup` and `region`' };
}

function policyExample(t: IamTarget, dbUser: string, database: string): string {
  if (t.kind === 'serverless') return `"Action": "redshift-serverless:GetCredentials", "Resource": "arn:aws:redshift-serverless:${t.region}:<account>:workgroup/<workgroup id>"`;
  const arn = `arn:aws:redshift:${t.region}:<account>`;
  return `"Action": "redshift:GetClusterCredentials", "Resource": ["${arn}:dbuser:${t.clusterIdentifier}/${dbUser}", "${arn}:dbname:${t.clusterIdentifier}/${database}"]`;
}

const NO_CREDENTIALS = /CredentialsProviderError|Could not load credentials/i;
const BAD_CREDENTIALS = /^(InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|ExpiredToken|ExpiredTokenException|InvalidSignatureException|IncompleteSignature)$/;
const DENIED = /^(AccessDenied|AccessDeniedException|AccessDeniedFault|UnauthorizedOperation)$/;
const NOT_FOUND = /^(ClusterNotFound|ClusterNotFoundFault|ResourceNotFoundException)$/;
const UNREACHABLE = /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|TimeoutError)$/;

export function iamFailure(err: unknown, target: IamTarget, dbUser: string, database: string): IamCredentialsError {
  const name = awsField(err, 'name') || awsField(err, 'Code');
  const code = awsField(err, 'code') || name;
  const detail = (err instanceof Error ? err.message : String(err)).replace(ACCESS_KEY_ID, '***');
  const { what, action, fields } = describeTarget(target);
  const fail = (why: string, fix: string) => new IamCredentialsError(`${IAM_FAILURE_PREFIX} for ${what}: ${why}`, fix);

  if (NO_CREDENTIALS.test(name) || NO_CREDENTIALS.test(detail)) {
    return fail(
      'no AWS credentials were found.',
      'Give brazesync AWS credentials the standard way: AWS_PROFILE (a profile in ~/.aws/config, e.g. after `aws sso login`), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary keys), or run it where an IAM role is attached (EC2 instance profile, ECS task role, EKS service account).',
    );
  }
  if (BAD_CREDENTIALS.test(name)) {
    return fail(`AWS rejected the AWS credentials of this environment (${name}).`, 'Renew them (`aws sso login`, a new session token) or correct AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_PROFILE in the environment that runs brazesync.');
  }
  if (DENIED.test(name)) {
    return fail(`AWS denied ${action} (${detail}).`, `Allow ${action} to the IAM identity brazesync runs as, e.g. a policy statement with ${policyExample(target, dbUser, database)}.`);
  }
  if (NOT_FOUND.test(name)) {
    return fail(`AWS has no such ${target.kind === 'cluster' ? 'cluster' : 'workgroup'} in that region (${detail}).`, `Check ${fields} (or the host they are read from) against the Redshift console, and that the AWS credentials belong to the cluster's account.`);
  }
  if (UNREACHABLE.test(code)) {
    return fail(`the Redshift API could not be reached (${code}).`, `Allow HTTPS from this machine to the Redshift API of ${target.region} (or its VPC endpoint, set with AWS_ENDPOINT_URL_REDSHIFT${target.kind === 'serverless' ? '_SERVERLESS' : ''}).`);
  }
  return fail(`${name ? `${name}: ` : ''}${detail}`, `Check ${fields}, the AWS credentials of this environment and that they may call ${action}.`);
}
