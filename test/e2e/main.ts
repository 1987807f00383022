/**
 * End-to-end test of the packaged extension in a real VS Code (code-server) driven by headless
 * Chromium. Run through `scripts/e2e-run.sh` (which installs code-server and packages the .vsix).
 * Screenshots and logs go to test-output/e2e/; the exit code is non-zero when any check fails.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { Checks } from './checks';
import { startCodeServer, type CodeServer } from './code-server';
import { prepareWorkspace } from './fixtures';
import { runScenario } from './scenario';
import { startServices, type Services } from './services';
import { TIMEOUT, Workbench } from './workbench';

const repo = path.resolve(__dirname, '../..');
const outDir = path.join(repo, 'test-output', 'e2e');
const e2eHome = process.env.BRAZESYNC_E2E_HOME ?? path.join(os.homedir(), '.cache', 'brazesync-e2e');
const codeServerBin = path.join(e2eHome, 'node_modules', '.bin', 'code-server');
const vsix = path.resolve(process.env.BRAZESYNC_VSIX ?? path.join(repo, 'dist', 'brazesync.vsix'));
const chrome = process.env.CHROME ?? '/usr/bin/chromium';

async function main(): Promise<number> {
  for (const [what, p] of [['code-server', codeServerBin], ['the .vsix', vsix], ['chromium', chrome]] as const) {
    if (!existsSync(p)) throw new Error(`${what} not found at ${p}; run scripts/e2e-run.sh (it installs and packages)`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-e2e-'));
  const t0 = Date.now();
  const lap = (what: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}`);
  let services: Services | undefined;
  let codeServer: CodeServer | undefined;
  const consoleLines: string[] = [];
  try {
    services = await startServices();
    lap(`services up (${services.describe()})`);
    const workspace = prepareWorkspace(path.join(runDir, 'workspace'), services);
    codeServer = await startCodeServer({
      bin: codeServerBin,
      vsix,
      runDir,
      workspace,
      env: services.extensionHostEnv(process.env),
      logFile: path.join(outDir, 'code-server.log'),
    });
    lap(`code-server up at ${codeServer.url}`);

    const browser = await chromium.launch({
      executablePath: chrome,
      headless: true,
      env: { ...process.env, HOME: path.join(runDir, 'home') },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const context = await browser.newContext({ viewport: { width: 1500, height: 950 } });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(TIMEOUT);
      page.on('console', (m) => m.type() === 'error' && consoleLines.push(m.text()));
      page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
      const workbench = new Workbench(page);
      await workbench.open(codeServer.url, workspace);
      lap('workbench loaded');
      const checks = new Checks(page, outDir, t0);
      await runScenario({ workbench, checks, workspace, userDataDir: codeServer.userDataDir, services });
      console.log(checks.summary());
      return checks.failed.length === 0 ? 0 : 1;
    } finally {
      await browser.close();
      lap('browser closed');
    }
  } finally {
    writeFileSync(path.join(outDir, 'browser-console.log'), consoleLines.join('\n'));
    if (codeServer) copyExtensionLogs(codeServer.userDataDir);
    await codeServer?.stop();
    lap('code-server stopped');
    await services?.stop();
    rmSync(runDir, { recursive: true, force: true });
    lap('stopped');
  }
}

/** The extension's log channel and the extension host log, kept for reading after a failed run. */
function copyExtensionLogs(userDataDir: string): void {
  const logs = path.join(userDataDir, 'logs');
  if (!existsSync(logs)) return;
  for (const session of readdirSync(logs)) {
    cpSync(path.join(logs, session), path.join(outDir, 'vscode-logs'), { recursive: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('e2e run failed:', err);
    process.exit(2);
  },
);
