/**
 * A local stand-in for the two AWS calls `auth: iam` makes, reached through the SDK's standard
 * AWS_ENDPOINT_URL_REDSHIFT / AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS so no test touches AWS:
 * Redshift's GetClusterCredentials (query protocol, XML answers) and Redshift Serverless's
 * GetCredentials (JSON 1.1). It issues what the test's `issue` returns, answers unknown clusters and
 * workgroups and denied access keys as AWS does, and records each request (never the signature).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CredentialRequest {
  api: 'GetClusterCredentials' | 'GetCredentials';
  /** Cluster identifier or workgroup name. */
  name: string;
  /** The requested database user (GetClusterCredentials only). */
  dbUser?: string;
  database: string;
  durationSeconds: number;
  /** The region and access key id of the request's signature. */
  region: string;
  accessKeyId: string;
}

export interface Issued {
  user: string;
  password: string;
  expiration: Date;
}

export interface FakeAwsOptions {
  clusters: string[];
  workgroups: string[];
  /** Requests signed with these access keys are denied. */
  deniedAccessKeys?: string[];
  /** The credentials to answer with; the test makes the database accept them first. */
  issue(request: CredentialRequest): Promise<Issued>;
}

export interface FakeAws {
  url: string;
  requests: CredentialRequest[];
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** `Credential=AKID/20260101/us-east-1/redshift/aws4_request` from the SigV4 Authorization header. */
function signer(req: IncomingMessage): { accessKeyId: string; region: string } {
  const m = /Credential=([^/]+)\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? '');
  return { accessKeyId: m?.[1] ?? '', region: m?.[2] ?? '' };
}

const XMLNS = 'http://redshift.amazonaws.com/doc/2012-12-01/';

function queryAnswer(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'content-type': 'text/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
}

function queryError(res: ServerResponse, status: number, code: string, message: string): void {
  queryAnswer(res, status, `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fake-1</RequestId></ErrorResponse>`);
}

function jsonAnswer(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(value));
}

export async function startFakeAws(options: FakeAwsOptions): Promise<FakeAws> {
  const requests: CredentialRequest[] = [];
  const denied = new Set(options.deniedAccessKeys ?? []);

  async function clusterCredentials(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await body(req));
    if (form.get('Action') !== 'GetClusterCredentials') return queryError(res, 400, 'InvalidAction', `Unsupported action ${form.get('Action')}`);
    const request: CredentialRequest = {
      api: 'GetClusterCredentials',
      name: form.get('ClusterIdentifier') ?? '',
      dbUser: form.get('DbUser') ?? '',
      database: form.get('DbName') ?? '',
      durationSeconds: Number(form.get('DurationSeconds')),
      ...signer(req),
    };
    requests.push(request);
    if (denied.has(request.accessKeyId)) return queryError(res, 403, 'AccessDenied', `User: arn:aws:iam::123456789012:user/ci is not authorized to perform: redshift:GetClusterCredentials`);
    if (!options.clusters.includes(request.name)) return queryError(res, 404, 'ClusterNotFound', `Cluster ${request.name} not found.`);
    const c = await options.issue(request);
    queryAnswer(
      res,
      200,
      `<GetClusterCredentialsResponse xmlns="${XMLNS}"><GetClusterCredentialsResult><DbUser>${c.user}</DbUser><DbPassword>${c.password}</DbPassword><Expiration>${c.expiration.toISOString()}</Expiration></GetClusterCredentialsResult><ResponseMetadata><RequestId>fake-2</RequestId></ResponseMetadata></GetClusterCredentialsResponse>`,
    );
  }

  async function serverlessCredentials(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const input = JSON.parse((await body(req)) || '{}') as { workgroupName?: string; dbName?: string; durationSeconds?: number };
    const request: CredentialRequest = { api: 'GetCredentials', name: input.workgroupName ?? '', database: input.dbName ?? '', durationSeconds: input.durationSeconds ?? 0, ...signer(req) };
    requests.push(request);
    if (denied.has(request.accessKeyId)) return jsonAnswer(res, 400, { __type: 'AccessDeniedException', message: 'User is not authorized to perform: redshift-serverless:GetCredentials' });
    if (!options.workgroups.includes(request.name)) return jsonAnswer(res, 400, { __type: 'ResourceNotFoundException', message: `Workgroup ${request.name} not found.` });
    const c = await options.issue(request);
    jsonAnswer(res, 200, { dbUser: c.user, dbPassword: c.password, expiration: c.expiration.getTime() / 1000, nextRefreshTime: c.expiration.getTime() / 1000 });
  }

  const server = createServer((req, res) => {
    const target = req.headers['x-amz-target'];
    const handled = target === 'RedshiftServerless.GetCredentials' ? serverlessCredentials(req, res) : target ? Promise.resolve(jsonAnswer(res, 400, { __type: 'UnknownOperationException' })) : clusterCredentials(req, res);
    handled.catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
