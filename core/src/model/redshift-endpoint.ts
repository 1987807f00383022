/**
 * Which Redshift an `auth: iam` connection asks AWS for temporary credentials: a provisioned
 * cluster (GetClusterCredentials) or a Serverless workgroup (GetCredentials), and in which region.
 * Written out in the file, or read from the endpoint host name the Redshift console shows. The
 * editor's rules and the connection use this one function, so they never disagree.
 */

export type IamTarget = { kind: 'cluster'; clusterIdentifier: string; region: string } | { kind: 'serverless'; workgroup: string; region: string };

const REGION = '([a-z]{2}(?:-[a-z]+)+-\\d+)';
// <cluster>.<unique id>.<region>.redshift.amazonaws.com (.cn in China)
const CLUSTER_HOST = new RegExp(`^([a-z][a-z0-9-]*)\\.[a-z0-9]+\\.${REGION}\\.redshift\\.amazonaws\\.com(?:\\.cn)?$`, 'i');
// <workgroup>.<account id>.<region>.redshift-serverless.amazonaws.com
const SERVERLESS_HOST = new RegExp(`^([a-z0-9-]+)\\.\\d+\\.${REGION}\\.redshift-serverless\\.amazonaws\\.com(?:\\.cn)?$`, 'i');

/** The cluster or workgroup and region an AWS endpoint host names; undefined for any other host. */
export function parseRedshiftHost(host: string): IamTarget | undefined {
  const cluster = CLUSTER_HOST.exec(host.trim());
  if (cluster) return { kind: 'cluster', clusterIdentifier: (cluster[1] ?? '').toLowerCase(), region: (cluster[2] ?? '').toLowerCase() };
  const serverless = SERVERLESS_HOST.exec(host.trim());
  if (serverless) return { kind: 'serverless', workgroup: (serverless[1] ?? '').toLowerCase(), region: (serverless[2] ?? '').toLowerCase() };
  return undefined;
}

export interface IamFields {
  host: string;
  cluster_identifier?: string | undefined;
  workgroup?: string | undefined;
  region?: string | undefined;
}

/** Which field the problem is about, so the editor can underline it. */
export type IamTargetResult = { ok: true; target: IamTarget } | { ok: false; field: 'workgroup' | 'host' | 'region'; message: string };

export function iamTarget(f: IamFields): IamTargetResult {
  if (f.cluster_identifier && f.workgroup) {
    return { ok: false, field: 'workgroup', message: 'Give `cluster_identifier` (a provisioned cluster) or `workgroup` (Redshift Serverless), not both.' };
  }
  const fromHost = parseRedshiftHost(f.host);
  const region = f.region ?? fromHost?.region;
  const kind = f.workgroup ? 'serverless' : f.cluster_identifier ? 'cluster' : fromHost?.kind;
  if (!kind) {
    return {
      ok: false,
      field: 'host',
      message: `With \`auth: iam\`, brazesync asks AWS for a temporary password, so it must know the cluster: \`${f.host}\` is not a Redshift endpoint (<cluster>.<id>.<region>.redshift.amazonaws.com or <workgroup>.<account>.<region>.redshift-serverless.amazonaws.com). Add \`cluster_identifier:\` (provisioned) or \`workgroup:\` (Serverless), and \`region:\`.`,
    };
  }
  if (!region) {
    return { ok: false, field: 'region', message: `With \`auth: iam\` and host \`${f.host}\`, the AWS region cannot be read from the host: add \`region:\` (e.g. us-east-1).` };
  }
  if (kind === 'serverless') {
    const workgroup = f.workgroup ?? (fromHost?.kind === 'serverless' ? fromHost.workgroup : '');
    return { ok: true, target: { kind, workgroup, region } };
  }
  const clusterIdentifier = f.cluster_identifier ?? (fromHost?.kind === 'cluster' ? fromHost.clusterIdentifier : '');
  return { ok: true, target: { kind, clusterIdentifier, region } };
}
