/**
 * Where the values of `${env:NAME}` references come from in the editor: the extension host's
 * environment first (the same variables the CLI reads), else a value the user typed once and that
 * is kept in VS Code SecretStorage for this workspace. Values never go to settings, files or logs.
 * Free of `vscode` so it is unit-tested as plain code; `workspace-secrets.ts` plugs in the editor.
 */
import type { SyncFile } from '../../../core/src/model/sync-file';
import { hasEnvRef, resolveSecretRefs } from '../../../core/src/secrets/secret-refs';

/** One `${env:NAME}` a command needs, with the field that refers to it (for the prompt and errors). */
export interface SecretRequest {
  variable: string;
  field: string;
}

export interface SecretStore {
  get(variable: string): Promise<string | undefined>;
  store(variable: string, value: string): Promise<void>;
}

/** Asks the user for a value; `undefined` when they cancel. */
export type AskSecret = (request: SecretRequest) => Promise<string | undefined>;

export class SecretCancelledError extends Error {
  constructor(readonly request: SecretRequest) {
    super(
      `${request.field} refers to \${env:${request.variable}}, which has no value. Set the environment variable ${request.variable} before starting VS Code, or enter the value when asked.`,
    );
    this.name = 'SecretCancelledError';
  }
}

/**
 * The `${env:…}` references an operation on a sync needs, in file order: its connection's for
 * `connection` (Test Connection, Preview), plus the `braze` block's for `sync` (Sync Now).
 */
export function secretRequestsForSync(file: SyncFile, syncName: string, scope: 'connection' | 'sync'): SecretRequest[] {
  const connectionName = file.syncs[syncName]?.connection;
  const connection = connectionName ? file.connections[connectionName] : undefined;
  const requests: SecretRequest[] = [];
  if (scope === 'sync') collect(file.braze, 'braze', requests);
  if (connection) collect(connection, `connections.${connectionName}`, requests);
  return requests;
}

function collect(value: unknown, field: string, out: SecretRequest[]): void {
  if (typeof value === 'string') {
    if (!hasEnvRef(value)) return;
    // resolveSecretRefs owns the reference syntax; a recording lookup lists the names it finds.
    resolveSecretRefs(value, field, (variable) => {
      if (!out.some((r) => r.variable === variable)) out.push({ variable, field });
      return variable;
    });
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) collect(child, `${field}.${key}`, out);
  }
}

export class SecretResolver {
  /** One prompt per variable even when two commands need it at the same time. */
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly store: SecretStore,
    private readonly ask: AskSecret,
  ) {}

  /** The value for one reference; asks at most once and keeps what the user typed. */
  value(request: SecretRequest): Promise<string> {
    const fromEnv = this.env[request.variable];
    if (fromEnv) return Promise.resolve(fromEnv);
    let pending = this.inFlight.get(request.variable);
    if (!pending) {
      pending = this.fromStoreOrAsk(request).finally(() => this.inFlight.delete(request.variable));
      this.inFlight.set(request.variable, pending);
    }
    return pending;
  }

  /**
   * The environment to hand to the core (which resolves `${env:…}` itself): the extension host's
   * environment plus every value `requests` needs. Throws SecretCancelledError when the user cancels.
   */
  async environmentFor(requests: readonly SecretRequest[]): Promise<Record<string, string | undefined>> {
    const env: Record<string, string | undefined> = { ...this.env };
    for (const r of requests) env[r.variable] = await this.value(r);
    return env;
  }

  private async fromStoreOrAsk(request: SecretRequest): Promise<string> {
    const stored = await this.store.get(request.variable);
    if (stored) return stored;
    const typed = await this.ask(request);
    if (!typed) throw new SecretCancelledError(request);
    await this.store.store(request.variable, typed);
    return typed;
  }
}
