/** Errors that stop a sync before it starts, as opposed to a run that ends in `error`. */

/** The definition and the recorded state disagree, or the sync name is unknown: exit 2. */
export class SyncConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncConfigError';
  }
}

/** Removes secret values from text that may end up in history, logs or output. */
export type Redactor = (text: string) => string;

export function redactorFor(secrets: readonly string[]): Redactor {
  const values = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  if (values.length === 0) return (t) => t;
  return (text) => values.reduce((t, v) => t.split(v).join('***'), text);
}

export function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(errorMessage).join('; ');
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
