/**
 * `${env:NAME}` references: the only way secrets enter a definition file. Resolution happens at
 * the edges (CLI, extension), never in the language server.
 */
const ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
const ANY_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The variable name when `value` is exactly one `${env:NAME}` reference. */
export function envRefName(value: string): string | undefined {
  return ENV_REF.exec(value.trim())?.[1];
}

/** True when the value holds a `${env:…}` reference anywhere (so it is not a literal secret). */
export function hasEnvRef(value: string): boolean {
  ANY_REF.lastIndex = 0;
  return ANY_REF.test(value);
}

export class MissingSecretError extends Error {
  constructor(readonly variable: string, readonly field: string) {
    super(`${field} refers to \${env:${variable}}, but the environment variable ${variable} is not set. Set it (export ${variable}=…) and run again.`);
    this.name = 'MissingSecretError';
  }
}

/**
 * Replaces every `${env:NAME}` in `value` from `lookup`; throws MissingSecretError naming the
 * variable and the field when one is missing. The error never contains a secret value.
 */
export function resolveSecretRefs(value: string, field: string, lookup: (name: string) => string | undefined): string {
  return value.replace(ANY_REF, (_m, name: string) => {
    const v = lookup(name);
    if (v === undefined || v === '') throw new MissingSecretError(name, field);
    return v;
  });
}
