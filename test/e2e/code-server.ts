/** code-server (VS Code 1.100 in a browser) with an isolated profile and the packaged extension. */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { waitUntil } from '../support/wait-until';
import { freePort, run, startLogged, type Started } from './processes';

export interface CodeServer {
  url: string;
  userDataDir: string;
  stop(): Promise<void>;
}

const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'window.restoreWindows': 'none',
  // Edits stay unsaved until a check saves them (the immutability check reverts its edit).
  'files.autoSave': 'off',
  'editor.hover.delay': 200,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
};

/**
 * Installs `vsix` into a fresh extensions dir under `runDir` and starts code-server on a free
 * loopback port. `env` is the extension host's environment (the `${env:…}` secrets it can see).
 */
export async function startCodeServer(opts: {
  bin: string;
  vsix: string;
  runDir: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
}): Promise<CodeServer> {
  const home = path.join(opts.runDir, 'home');
  const userDataDir = path.join(opts.runDir, 'user-data');
  const extensionsDir = path.join(opts.runDir, 'extensions');
  for (const d of [home, path.join(userDataDir, 'User'), extensionsDir]) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const port = await freePort();
  const config = path.join(opts.runDir, 'code-server.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  // code-server and Chromium write into $HOME and XDG dirs; keep them inside the run dir.
  const env = {
    ...opts.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
  };
  const common = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  await run(opts.bin, [...common, '--install-extension', opts.vsix], { env });
  const server: Started = startLogged(
    opts.bin,
    [
      ...common,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--disable-proxy',
      opts.workspace,
    ],
    opts.logFile,
    { env },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('code-server /healthz', async () => (await fetch(`${url}/healthz`)).ok, 30_000);
  return { url, userDataDir, stop: () => server.stop() };
}
