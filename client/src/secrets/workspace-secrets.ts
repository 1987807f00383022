/** SecretStorage scoped to the open workspace, and the password prompt that fills it. */
import * as vscode from 'vscode';
import { SecretResolver, type SecretRequest, type SecretStore } from './secret-resolver';

const INDEX_KEY = 'brazeSync.storedSecretNames';

/**
 * SecretStorage is per extension, not per workspace; keys carry the workspace identity so two
 * projects with a `${env:REDSHIFT_PASSWORD}` each keep their own value. The names (never the
 * values) are indexed in workspace state so "Clear Stored Secrets" can find them.
 */
export class WorkspaceSecretStore implements SecretStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly workspaceState: vscode.Memento,
  ) {}

  private key(variable: string): string {
    const ws = vscode.workspace.workspaceFile ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    return `brazeSync.env:${ws?.toString() ?? 'no-workspace'}:${variable}`;
  }

  get(variable: string): Promise<string | undefined> {
    return Promise.resolve(this.secrets.get(this.key(variable)));
  }

  async store(variable: string, value: string): Promise<void> {
    await this.secrets.store(this.key(variable), value);
    const names = this.names();
    if (!names.includes(variable)) await this.workspaceState.update(INDEX_KEY, [...names, variable]);
  }

  names(): string[] {
    return this.workspaceState.get<string[]>(INDEX_KEY, []);
  }

  /** Deletes every stored value of this workspace; returns the variable names that were cleared. */
  async clear(): Promise<string[]> {
    const names = this.names();
    for (const n of names) await this.secrets.delete(this.key(n));
    await this.workspaceState.update(INDEX_KEY, []);
    return names;
  }
}

export async function askForSecret(request: SecretRequest): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: `Braze Sync: value for \${env:${request.variable}}`,
    prompt: `${request.field} refers to \${env:${request.variable}}, which is not set in VS Code's environment. The value is kept in VS Code's secret storage for this workspace only.`,
    placeHolder: request.variable,
    password: true,
    ignoreFocusOut: true,
  });
}

export function createSecretResolver(store: WorkspaceSecretStore): SecretResolver {
  return new SecretResolver(process.env, store, askForSecret);
}
