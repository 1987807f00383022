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
import { startCodeServer } from './code-server';
import { prepareWorkspace } from './fixtures';
import { runScenario } from './scenario';
import { startServices } from './services';
import { TIMEOUT, Workbench } from './workbench';

const repo = path.resolve(__dirname, '../..');
const outDir = path.join(repo, 'test-output', 'e2e');
const e2eHome = process.env.BRAZESYNC_E2E_HOME ?? path.join(os.homedir(), '.cache', 'brazesync-e2e');
const codeServerBin = path.join(e2eHome, 'node_modules', '.bin', 'code-server');
const vsix = path.resolve(process.env.BRAZESYNC_VSIX ?? path.join(repo, 'dist', 'brazesync.vsix'));
const chrome = process.env.CHROME ?? '/usr/bin/chromium';

/** What has been started, stopped in reverse order at the end or on SIGINT/SIGTERM. */
const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const stop of cleanups.reverse()) await Promise.resolve(stop()).catch((err: unknown) => console.error('cleanup:', err));
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`e2e: ${signal}, stopping everything`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  for (const [what, p] of [['code-server', codeServerBin], ['the .vsix', vsix], ['chromium', chrome]] as const) {
    if (!existsSync(p)) throw new Error(`${what} not found at ${p}; run scripts/e2e-run.sh (it installs and packages)`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-e2e-'));
  const t0 = Date.now();
  const lap = (what: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}`);
  const consoleLines: string[] = [];
  cleanups.push(() => {
    writeFileSync(path.join(outDir, 'browser-console.log'), consoleLines.join('\n'));
    rmSync(runDir, { recursive: true, force: true });
    lap('stopped');
  });
  try {
    const services = await startServices();
    cleanups.push(() => services.stop());
    lap(`services up (${services.describe()})`);
    const workspace = prepareWorkspace(path.join(runDir, 'workspace'), services);
    const codeServer = await startCodeServer({
      bin: codeServerBin,
      vsix,
      runDir,
      workspace,
      env: services.extensionHostEnv(process.env),
      logFile: path.join(outDir, 'code-server.log'),
    });
    cleanups.push(async () => {
      copyExtensionLogs(codeServer.userDataDir);
      await codeServer.stop();
    });
    lap(`code-server up at ${codeServer.url}`);

    const browser = await chromium.launch({
      executablePath: chrome,
      headless: true,
      env: { ...process.env, HOME: path.join(runDir, 'home') },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    cleanups.push(() => browser.close());
    const page = await (await browser.newContext({ viewport: { width: 1500, height: 950 } })).newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('console', (m) => m.type() === 'error' && consoleLines.push(m.text()));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    const workbench = new Workbench(page);
    await workbench.open(codeServer.url, workspace);
    lap('workbench loaded');
    const checks = new Checks(page, outDir, t0);
    await runScenario({ workbench, checks, workspace, userDataDir: codeServer.userDataDir, services });
    console.log(checks.summary());
    keepFailures();
    return checks.failed.length === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

/**
 * Screenshots of failed checks, kept across runs in test-output/e2e-failures/<run>/ (README,
 * "Tests"): CI uploads that folder as an artifact; test-output/e2e/ is emptied by every run.
 */
function keepFailures(): void {
  const failed = readdirSync(outDir).filter((name) => name.endsWith('-FAILED.png'));
  if (failed.length === 0) return;
  const dir = path.join(repo, 'test-output', 'e2e-failures', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  for (const name of failed) cpSync(path.join(outDir, name), path.join(dir, name));
  console.log(`e2e: screenshots of ${failed.length} failed check(s) kept in ${path.relative(repo, dir)}`);
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
