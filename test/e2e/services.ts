/** The real services the extension talks to in the e2e run: PostgreSQL (for Redshift) and the local Braze server. */
export interface Services {
  /** Values for the `__NAME__` placeholders of the workspace fixture. */
  placeholders(): Record<string, string>;
  /** The extension host's environment: what `${env:…}` can resolve without asking. */
  extensionHostEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  describe(): string;
  stop(): Promise<void>;
}

export async function startServices(_runDir: string, _repo: string): Promise<Services> {
  return {
    placeholders: () => ({ BRAZE_URL: 'http://127.0.0.1:9', PG_PORT: '5432', PG_DATABASE: 'brazesync', PG_USER: 'postgres' }),
    extensionHostEnv: (base) => withoutSecrets(base),
    describe: () => 'none',
    stop: async () => undefined,
  };
}

/** The test decides which secrets the extension host sees; nothing leaks in from the caller's shell. */
function withoutSecrets(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env.BRAZE_API_KEY;
  delete env.REDSHIFT_PASSWORD;
  delete env.BRAZESYNC_STATE_DIR;
  return env;
}
