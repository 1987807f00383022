/**
 * Rules on how a connection logs in and checks TLS: which fields `auth: iam` needs (the cluster or
 * workgroup and region, written or read from the host), and fields that a setting makes unused.
 * The schema already requires `password` unless `auth: iam`.
 */
import { iamTarget } from '../model/redshift-endpoint';
import type { Problem } from './problem';
import { hasEnvRef } from '../secrets/secret-refs';
import type { Field, HeaderView } from './rule-context';
import { stringField } from './views';

type Fields = ReadonlyMap<string, Field>;

const IAM_ONLY = ['cluster_identifier', 'workgroup', 'region'] as const;

function ignored(field: Field | undefined, message: string): Problem[] {
  return field ? [{ code: 'ignored-field', severity: 'warning', message, ...field.key }] : [];
}

/** With `auth: iam`: a password is never sent, and AWS must be told which cluster or workgroup. */
function iamProblems(name: string, fields: Fields): Problem[] {
  const problems = ignored(fields.get('password'), `Connection \`${name}\` uses \`auth: iam\`, so \`password\` is not used: brazesync asks AWS for a temporary password each time it connects. Remove it.`);
  const host = stringField(fields, 'host');
  // A host from the environment is known only when connecting; the connection reports it then.
  if (host === undefined || hasEnvRef(host)) return problems;
  const result = iamTarget({ host, cluster_identifier: stringField(fields, 'cluster_identifier'), workgroup: stringField(fields, 'workgroup'), region: stringField(fields, 'region') });
  if (result.ok) return problems;
  const at = fields.get(result.field) ?? fields.get('auth');
  if (at) problems.push({ code: 'iam-target', severity: 'error', message: result.message, ...(result.field === 'workgroup' ? at.key : at.value) });
  return problems;
}

function passwordAuthProblems(fields: Fields): Problem[] {
  return IAM_ONLY.flatMap((key) => ignored(fields.get(key), `\`${key}\` is used only with \`auth: iam\`: add \`auth: iam\` to log in with a temporary password from AWS, or remove it.`));
}

function caFileProblems(fields: Fields): Problem[] {
  if ((stringField(fields, 'ssl') ?? 'require') === 'verify-full') return [];
  return ignored(fields.get('ca_file'), '`ca_file` is used only with `ssl: verify-full`, which checks the server certificate against it; `require` encrypts without checking. Set `ssl: verify-full` or remove `ca_file`.');
}

export function checkConnectionLogin(header: HeaderView): Problem[] {
  const problems: Problem[] = [];
  for (const [name, { fields }] of header.connections ?? []) {
    problems.push(...(stringField(fields, 'auth') === 'iam' ? iamProblems(name, fields) : passwordAuthProblems(fields)), ...caFileProblems(fields));
  }
  return problems;
}
