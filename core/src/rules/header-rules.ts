/** Rules on the `braze` and `connections` blocks (cached with the header segment, local offsets). */
import { isLoopbackHost } from '../model/loopback';
import { hasEnvRef } from '../secrets/secret-refs';
import { isValidTimeZone, suggestTimeZone } from '../schedule/time-zones';
import type { Problem, ProblemFix } from './problem';
import { checkConnectionLogin } from './connection-rules';
import type { Field, HeaderView } from './rule-context';
import { stringField } from './views';

export function checkTimeZone(header: HeaderView): Problem[] {
  const field = header.braze?.get('timezone');
  if (!field || typeof field.js !== 'string' || isValidTimeZone(field.js)) return [];
  const guess = suggestTimeZone(field.js);
  const fixes: ProblemFix[] = guess ? [{ title: `Change to ${guess}`, edits: [{ ...field.value, newText: guess }], preferred: true }] : [];
  return [
    {
      code: 'unknown-timezone',
      severity: 'error',
      message: `\`${field.js}\` is not an IANA time zone.${guess ? ` Did you mean \`${guess}\`?` : ' Use a name like `UTC`, `America/New_York` or `Europe/Paris`.'}`,
      ...field.value,
      ...(fixes.length ? { fixes } : {}),
    },
  ];
}

export function checkBrazeTarget(header: HeaderView): Problem[] {
  const braze = header.braze;
  if (!braze) return [];
  const instance = braze.get('instance');
  const endpoint = braze.get('endpoint');
  if (instance && endpoint) {
    return [{ code: 'braze-target', severity: 'error', message: 'Give either `braze.instance` or `braze.endpoint`, not both: remove one.', ...endpoint.key }];
  }
  if (!instance && !endpoint) {
    const at = header.brazeKey ?? { start: 0, end: 0 };
    return [{ code: 'braze-target', severity: 'error', message: 'Say which Braze instance to use: add `instance: US-03` (your dashboard URL shows it) or an explicit `endpoint:`.', ...at }];
  }
  const url = stringField(braze, 'endpoint');
  if (!url || !endpoint) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ code: 'invalid-format', severity: 'error', message: `\`${url}\` is not a URL. Write it like https://rest.iad-03.braze.com.`, ...endpoint.value }];
  }
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    return [
      {
        code: 'insecure-endpoint',
        severity: 'error',
        message: `Plain http would send the API key unencrypted to ${parsed.hostname}; use https (plain http is allowed only for loopback hosts such as 127.0.0.1).`,
        ...endpoint.value,
        fixes: [{ title: 'Use https', edits: [{ start: endpoint.value.start, end: endpoint.value.end, newText: url.replace(/^http:/, 'https:') }], preferred: true }],
      },
    ];
  }
  return [];
}

function secretProblem(field: Field | undefined, what: string, suggestedVar: string): Problem[] {
  if (!field || typeof field.js !== 'string' || field.js.trim() === '' || hasEnvRef(field.js)) return [];
  return [
    {
      code: 'plaintext-secret',
      severity: 'warning',
      message: `${what} is written in the file. Anyone who can read the file or its history can use it: give it as \`\${env:${suggestedVar}}\` and set ${suggestedVar} in the environment (VS Code asks once and keeps it in its secret storage).`,
      ...field.value,
      fixes: [{ title: `Replace with \${env:${suggestedVar}}`, edits: [{ ...field.value, newText: `\${env:${suggestedVar}}` }], preferred: true }],
    },
  ];
}

export function envVarNameFor(connection: string): string {
  return `${connection.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_PASSWORD`;
}

export function checkPlaintextSecrets(header: HeaderView): Problem[] {
  const problems = secretProblem(header.braze?.get('api_key'), 'The Braze API key', 'BRAZE_API_KEY');
  for (const [name, conn] of header.connections ?? []) {
    problems.push(...secretProblem(conn.fields.get('password'), `The password of connection \`${name}\``, envVarNameFor(name)));
  }
  problems.push(...secretProblem(header.smtp?.get('password'), 'The SMTP password', 'SMTP_PASSWORD'));
  problems.push(...secretProblem(header.state?.get('url'), 'The state database URL (with its password)', 'BRAZESYNC_STATE_URL'));
  return problems;
}

/** An SMTP login needs both halves; one alone fails at the first email, long after the edit. */
export function checkSmtpLogin(header: HeaderView): Problem[] {
  const user = header.smtp?.get('user');
  const password = header.smtp?.get('password');
  if (!user === !password) return [];
  const present = (user ?? password) as Field;
  const missing = user ? 'password' : 'user';
  return [
    {
      code: 'incomplete-smtp-login',
      severity: 'error',
      message: `\`notifications.smtp\` has a \`${user ? 'user' : 'password'}\` but no \`${missing}\`: give both to log in, or neither for a relay that accepts mail without login.`,
      ...present.key,
    },
  ];
}

/** A literal state URL must at least be a PostgreSQL one; a `${env:…}` reference is checked when it is resolved. */
export function checkStateUrl(header: HeaderView): Problem[] {
  const field = header.state?.get('url');
  if (!field || typeof field.js !== 'string' || hasEnvRef(field.js) || /^postgres(ql)?:\/\//i.test(field.js.trim())) return [];
  return [{ code: 'invalid-format', severity: 'error', message: 'The state URL must look like postgres://user:password@host:5432/database (better: `${env:BRAZESYNC_STATE_URL}`).', ...field.value }];
}

export const headerRules: readonly ((header: HeaderView) => Problem[])[] = [checkTimeZone, checkBrazeTarget, checkPlaintextSecrets, checkSmtpLogin, checkConnectionLogin, checkStateUrl];
