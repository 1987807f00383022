/**
 * `auth: iam`: temporary database credentials from AWS, with the AWS credentials of the
 * environment (the SDK's default chain: env vars, profiles, SSO, instance/task roles).
 * Provisioned clusters use GetClusterCredentials for the connection's `user`; Serverless uses
 * GetCredentials, whose user AWS derives from the IAM identity. Credentials are cached and fetched
 * again when they come within a margin of their expiry (they last 900–3,600 s), so every new
 * connection of a long run logs in with a valid password.
 *
 * The SDK honours AWS_ENDPOINT_URL_REDSHIFT / AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS (VPC endpoints,
 * and the local fake the tests use). It is loaded on first use: password connections never pay
 * for it.
 */
import type { IamTarget } from '../model/redshift-endpoint';
import { iamFailure } from './iam-errors';

export interface TemporaryLogin {
  /** The database user AWS issued the password for, e.g. `IAM:braze_user`. */
  user: string;
  password: string;
}

export interface TemporaryCredentials {
  /** Valid credentials, fetched from AWS when none are cached or the cached ones expire soon. */
  get(): Promise<TemporaryLogin>;
}

export interface IamCredentialsOptions {
  target: IamTarget;
  /** The connection's `user` (provisioned clusters: the database user to log in as). */
  dbUser: string;
  database: string;
}

/** The longest AWS allows, so a run needs as few fetches as possible. */
const DURATION_SECONDS = 3600;
/** Credentials this close to their expiry are fetched again. */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface Issued {
  login: TemporaryLogin;
  expiration: Date | undefined;
}

/** Without an expiry in the answer, the shortest lifetime AWS issues. */
const SHORTEST_LIFETIME_MS = 900_000;

export function createIamCredentials(options: IamCredentialsOptions): TemporaryCredentials {
  let cached: { login: TemporaryLogin; expiresAt: number } | undefined;
  // Connections opened together share one request.
  let pending: Promise<TemporaryLogin> | undefined;
  return {
    get() {
      if (cached && cached.expiresAt - REFRESH_MARGIN_MS > Date.now()) return Promise.resolve(cached.login);
      pending ??= issue(options)
        .then(({ login, expiration }) => {
          cached = { login, expiresAt: expiration?.getTime() ?? Date.now() + SHORTEST_LIFETIME_MS };
          return login;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
  };
}

async function issue(options: IamCredentialsOptions): Promise<Issued> {
  try {
    return options.target.kind === 'cluster' ? await clusterCredentials(options, options.target) : await serverlessCredentials(options, options.target);
  } catch (err) {
    throw iamFailure(err, options.target, options.dbUser, options.database);
  }
}

function issued(user: string | undefined, password: string | undefined, expiration: Date | undefined): Issued {
  if (!user || !password) throw new Error('AWS answered without a database user or password');
  return { login: { user, password }, expiration };
}

async function clusterCredentials(options: IamCredentialsOptions, target: Extract<IamTarget, { kind: 'cluster' }>): Promise<Issued> {
  const { RedshiftClient, GetClusterCredentialsCommand } = await import('@aws-sdk/client-redshift');
  const client = new RedshiftClient({ region: target.region });
  try {
    const r = await client.send(
      new GetClusterCredentialsCommand({ ClusterIdentifier: target.clusterIdentifier, DbUser: options.dbUser, DbName: options.database, DurationSeconds: DURATION_SECONDS, AutoCreate: false }),
    );
    return issued(r.DbUser, r.DbPassword, r.Expiration);
  } finally {
    client.destroy();
  }
}

async function serverlessCredentials(options: IamCredentialsOptions, target: Extract<IamTarget, { kind: 'serverless' }>): Promise<Issued> {
  const { RedshiftServerlessClient, GetCredentialsCommand } = await import('@aws-sdk/client-redshift-serverless');
  const client = new RedshiftServerlessClient({ region: target.region });
  try {
    const r = await client.send(new GetCredentialsCommand({ workgroupName: target.workgroup, dbName: options.database, durationSeconds: DURATION_SECONDS }));
    return issued(r.dbUser, r.dbPassword, r.expiration);
  } finally {
    client.destroy();
  }
}
