/** What the e2e run checks, in the order a data engineer works: edit, test, sync, look at the results. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Checks } from './checks';
import { exec } from './processes';
import { CATALOG_ROWS, LAST_UPDATED_AT, SOURCE_ROWS, type Services } from './services';
import { runMoreChecks } from './scenario-checks';
import { SyncTree, TIMEOUT, type Workbench } from './workbench';

export interface ScenarioContext {
  workbench: Workbench;
  checks: Checks;
  workspace: string;
  userDataDir: string;
  services: Services;
}

const MAIN = 'users.brazesync.yaml';
const SYNC = 'user_attributes';

export async function runScenario({ workbench, checks, workspace, userDataDir, services }: ScenarioContext): Promise<void> {
  const page = workbench.page;
  const editor = () => workbench.editor();

  await checks.check('opening a .brazesync.yaml sets the Braze Sync language mode', async () => {
    await workbench.quickOpen(MAIN);
    const mode = page.locator('#status\\.editor\\.mode');
    await mode.filter({ hasText: 'Braze Sync' }).waitFor({ timeout: TIMEOUT });
    return (await mode.textContent())?.trim();
  });

  await checks.check('the grammar scopes ${env:…} references', async () => {
    await workbench.gotoText('${env:BRAZE_API_KEY}', 7);
    await workbench.runCommand('Developer: Inspect Editor Tokens and Scopes');
    await page.locator('.token-inspect-widget').filter({ hasText: 'variable.other.env.brazesync' }).waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Escape');
  });

  await checks.check('a bad schedule gets a squiggle and a Problems entry', async () => {
    await workbench.quickOpen('bad-schedule.brazesync.yaml');
    await editor().locator('.squiggly-error').first().waitFor({ timeout: TIMEOUT });
    await workbench.runCommand('Problems: Focus on Problems View');
    const entry = page.locator('.markers-panel .monaco-list-row', { hasText: 'is too frequent' }).first();
    await entry.waitFor({ timeout: TIMEOUT });
    return (await entry.textContent())?.trim();
  });

  await checks.check('Sync Now refuses a file with errors and points at the first one', async () => {
    await workbench.runCommand('Braze Sync: Sync Now');
    const message = /can't sync — bad-schedule\.brazesync\.yaml has 1 error.*Line 18: Schedules run at most every 15 minutes/;
    await workbench.clickNotificationButton(message, 'Go to Error');
    await page.locator('#status\\.editor\\.selection', { hasText: 'Ln 18' }).waitFor({ timeout: TIMEOUT });
    return 'refused; cursor on line 18';
  });

  await checks.check('completion offers the data types', async () => {
    await workbench.quickOpen(MAIN);
    await workbench.gotoText('custom_attributes');
    const widget = page.locator('.editor-widget.suggest-widget.visible');
    // The first request may reach a language server still starting up: ask again, as a user would.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+Space');
      try {
        await widget.filter({ hasText: 'purchases' }).waitFor({ timeout: 5000 });
        break;
      } catch (err) {
        if (attempt === 3) throw err;
        await page.keyboard.press('Escape');
        await workbench.gotoText('custom_attributes');
      }
    }
    const labels = await widget.locator('.monaco-list-row .label-name').allTextContents();
    await page.keyboard.press('Escape');
    return labels.join(', ');
  });

  await checks.check('hover on a schedule shows the next run times in its time zone', async () => {
    await workbench.gotoText('daily at 09:30', 2);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'Next runs (Europe/Paris)' });
    await hover.waitFor({ timeout: TIMEOUT });
    const text = (await hover.textContent()) ?? '';
    await page.keyboard.press('Escape');
    return text.replace(/\s+/g, ' ').slice(0, 120);
  });

  await checks.check('CodeLens above the sync: Test Connection, Preview, Sync Now', async () => {
    const lens = editor().locator('.codelens-decoration');
    for (const title of ['Test Connection', 'Preview', 'Sync Now']) await lens.locator('a', { hasText: title }).first().waitFor({ timeout: TIMEOUT });
    return (await lens.first().textContent())?.trim();
  });

  await checks.check('Test Connection (from the CodeLens) opens the preview with the rows', async () => {
    await editor().locator('.codelens-decoration a', { hasText: 'Test Connection' }).first().click();
    const frame = await workbench.webview(`Test Connection: ${SYNC}`);
    await frame.locator('.verdict', { hasText: 'The connection works' }).waitFor({ timeout: TIMEOUT });
    const rows = await frame.locator('table.rows tbody tr').count();
    if (rows !== SOURCE_ROWS.length) throw new Error(`expected ${SOURCE_ROWS.length} rows, saw ${rows}`);
    await frame.getByText(`${SOURCE_ROWS.length} rows pending since the watermark`).waitFor({ timeout: TIMEOUT });
    const failed = await frame.locator('li.check-failed').count();
    if (failed) throw new Error(`${failed} checklist item(s) failed`);
    await frame.locator('tr.row-invalid', { hasText: 'u-4' }).waitFor({ timeout: TIMEOUT });
    return `${rows} rows, checklist: ${(await frame.locator('ul.checklist .label').allTextContents()).join(', ')}`;
  });

  await checks.check('a payload with <script> in the preview stays text', async () => {
    const frame = await workbench.webview(`Test Connection: ${SYNC}`);
    const row = frame.locator('tr', { hasText: 'u-3' }).first();
    await row.locator('td code', { hasText: "<script>document.body.dataset.pwned='script'</script>" }).waitFor({ timeout: TIMEOUT });
    const dom = await frame.evaluate(() => ({
      scripts: document.querySelectorAll('script').length,
      images: document.querySelectorAll('img').length,
      pwned: document.body.dataset.pwned ?? null,
      csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '',
    }));
    if (dom.scripts || dom.images || dom.pwned) throw new Error(`markup came alive: ${JSON.stringify(dom)}`);
    if (!dom.csp.includes("script-src 'none'")) throw new Error(`weak CSP: ${dom.csp}`);
    return dom.csp;
  });

  await checks.check('Preview Sync (dry run) shows what would be sent and what would fail', async () => {
    await workbench.quickOpen(MAIN);
    await editor().locator('.codelens-decoration a', { hasText: 'Preview' }).first().click();
    const frame = await workbench.webview(`Preview Sync: ${SYNC}`);
    await frame.getByText(`would read ${SOURCE_ROWS.length} rows`).waitFor({ timeout: TIMEOUT });
    await frame.locator('.audit', { hasText: '1 row would fail of 4 pending rows (all checked)' }).waitFor({ timeout: TIMEOUT });
    if (services.brazeProfiles('u-1').length > 0) throw new Error('the dry run sent data to Braze');
    return `${await frame.locator('table.rows tbody tr').count()} rows previewed, nothing sent`;
  });

  await checks.check("a preview row's Copy link copies it as JSON", async () => {
    const frame = await workbench.webview(`Preview Sync: ${SYNC}`);
    await frame.locator('tr', { hasText: 'u-1' }).locator('a.copy').click();
    await page.locator('.statusbar-item', { hasText: 'row copied as JSON' }).waitFor({ timeout: TIMEOUT });
  });

  await checks.check('Sync Now asks for the Braze key once, confirms the first run, and reports the result', async () => {
    await workbench.quickOpen(MAIN);
    await editor().locator('.codelens-decoration a', { hasText: 'Sync Now' }).first().click();
    await workbench.answerInput('${env:BRAZE_API_KEY}', services.brazeApiKey);
    const dialog = page.locator('.monaco-dialog-box', { hasText: `First run of ${SYNC}: it will send ${SOURCE_ROWS.length} rows` });
    await dialog.waitFor({ timeout: TIMEOUT });
    await dialog.locator('.monaco-button', { hasText: 'Sync Now' }).click();
    const toast = workbench.notification(`${SYNC}: partly synced, 3 rows synced, 1 failed`);
    await toast.first().waitFor({ timeout: TIMEOUT });
    const profile = services.brazeProfiles('u-3')[0];
    if (profile?.attributes.first_name !== JSON.parse(SOURCE_ROWS[2]!.payload).first_name) throw new Error(`Braze did not get u-3: ${JSON.stringify(profile)}`);
    await page.locator('.statusbar-item', { hasText: `${SYNC}: partial` }).waitFor({ timeout: TIMEOUT });
    return (await toast.first().locator('.notification-list-item-message').textContent())?.trim();
  });

  await checks.check('the tree shows the new watermark and a run entry', async () => {
    const tree = new SyncTree(workbench);
    await tree.focus(MAIN);
    await tree.expand(SYNC);
    await page.waitForFunction(
      (wm) => [...document.querySelectorAll('.part.sidebar .monaco-list-row')].some((r) => r.textContent?.includes('Watermark') && r.textContent.includes(wm)),
      LAST_UPDATED_AT.slice(0, 19),
      { timeout: TIMEOUT },
    );
    await tree.expand('Recent runs');
    const run = page.locator('.part.sidebar .monaco-list-row', { hasText: 'partial · 3 synced · 1 failed' }).first();
    await run.waitFor({ timeout: TIMEOUT });
    return `${await tree.description('Watermark')} | ${(await run.textContent())?.trim()}`;
  });

  await checks.check('Show History of a single run shows its summary over the runs table, row errors one click away', async () => {
    await workbench.quickOpen(MAIN);
    await workbench.runCommand('Braze Sync: Show History');
    const frame = await workbench.webview(`History: ${SYNC}`);
    await frame.locator('.single-run', { hasText: 'rows/s' }).waitFor({ timeout: TIMEOUT });
    const runRow = frame.locator('tr.run-row', { hasText: 'partial' }).first();
    await runRow.waitFor({ timeout: TIMEOUT });
    await frame.locator('tr.errors-row summary').first().click();
    await frame.locator('table.row-errors', { hasText: 'u-4' }).waitFor({ timeout: TIMEOUT });
    return (await runRow.textContent())?.replace(/\s+/g, ' ').trim();
  });

  await checks.check('changing data_type after the run shows the immutability error', async () => {
    await workbench.quickOpen(MAIN);
    await workbench.gotoText('custom_attributes');
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('custom_events');
    await editor().locator('.squiggly-error').first().waitFor({ timeout: TIMEOUT });
    await workbench.runCommand('Problems: Focus on Problems View');
    const entry = page.locator('.markers-panel .monaco-list-row', { hasText: 'was created as' }).first();
    await entry.waitFor({ timeout: TIMEOUT });
    const text = (await entry.textContent())?.trim();
    await workbench.runCommand('File: Revert File');
    await editor().locator('.view-line', { hasText: 'data_type: custom_attributes' }).waitFor({ timeout: TIMEOUT });
    if (!readFileSync(path.join(workspace, MAIN), 'utf8').includes('data_type: custom_attributes')) throw new Error('the edit reached the file on disk');
    return text;
  });

  await checks.check('Reset Watermark from the tree clears it after confirmation', async () => {
    const tree = new SyncTree(workbench);
    await tree.focus(MAIN);
    await tree.expand(SYNC);
    const row = tree.row('Watermark');
    await row.hover();
    await row.locator('.action-label[aria-label="Reset Watermark…"]').click();
    const dialog = page.locator('.monaco-dialog-box', { hasText: `Reset the watermark of ${SYNC}?` });
    await dialog.locator('.monaco-button', { hasText: 'Reset Watermark' }).click();
    await row.locator('.label-description', { hasText: 'none: the next run reads every row' }).waitFor({ timeout: TIMEOUT });
    return (await row.textContent())?.trim();
  });

  await checks.check('a run by the CLI shows up in the tree by itself', async () => {
    const cli = path.resolve(__dirname, '../../dist/cli.js');
    const env = { ...services.extensionHostEnv(process.env), BRAZE_API_KEY: services.brazeApiKey };
    const result = await exec(process.execPath, [cli, 'sync', path.join(workspace, MAIN), '--sync', SYNC, '--json'], { env });
    if (result.code !== 3) throw new Error(`brazesync sync exited ${result.code} (expected 3, partial): ${result.stdout} ${result.stderr}`);
    const runs = page.locator('.part.sidebar .monaco-list-row', { hasText: 'partial · 3 synced · 1 failed' });
    await runs.nth(1).waitFor({ timeout: TIMEOUT }).catch(async (err: Error) => {
      const rows = await page.locator('.part.sidebar .monaco-list-row').allTextContents();
      throw new Error(`${err.message.split('\n')[0]}; tree rows: ${rows.join(' | ')}`);
    });
    await new SyncTree(workbench).row('Watermark').locator('.label-description', { hasText: LAST_UPDATED_AT.slice(0, 19) }).waitFor({ timeout: TIMEOUT });
    return `${await runs.count()} runs listed; CLI said ${result.stdout.trim()}`;
  });

  await checks.check('a catalog sync without catalog: shows a diagnostic; once fixed, Sync Now delivers the items', async () => {
    const file = 'restaurants.brazesync.yaml';
    await workbench.quickOpen(file);
    await editor().locator('.squiggly-error').first().waitFor({ timeout: TIMEOUT });
    await workbench.runCommand('Problems: Focus on Problems View');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'names no catalog' }).first().waitFor({ timeout: TIMEOUT });
    await workbench.quickOpen(file);
    await workbench.gotoText('data_type: catalog_items', 'data_type: catalog_items'.length);
    await page.keyboard.press('Enter');
    await page.keyboard.type('catalog: restaurants');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+S');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'names no catalog' }).first().waitFor({ state: 'detached', timeout: TIMEOUT });
    await editor().locator('.codelens-decoration a', { hasText: 'Sync Now' }).first().click();
    const untested = page.locator('.monaco-dialog-box', { hasText: 'restaurants is a draft that has not passed Test Connection yet' });
    await untested.waitFor({ timeout: TIMEOUT });
    await untested.locator('.monaco-button', { hasText: 'Sync Anyway' }).click();
    const dialog = page.locator('.monaco-dialog-box', { hasText: `First run of restaurants: it will send ${CATALOG_ROWS.length} rows` });
    await dialog.waitFor({ timeout: TIMEOUT });
    await dialog.locator('.monaco-button', { hasText: 'Sync Now' }).click();
    await workbench.notification(`restaurants: ${CATALOG_ROWS.length} rows synced`).first().waitFor({ timeout: TIMEOUT });
    const items = services.catalogItems('restaurants') ?? [];
    const expected = CATALOG_ROWS.map((r) => ({ id: r.id, ...(JSON.parse(r.payload) as object) }));
    if (JSON.stringify(items) !== JSON.stringify(expected)) throw new Error(`the catalog holds ${JSON.stringify(items)}`);
    return `${items.length} items in catalog restaurants`;
  });
  await runMoreChecks({ workbench, checks, userDataDir, services });

  await checks.check('New Sync Definition scaffolds a file that validates', async () => {
    await workbench.runCommand('Braze Sync: New Sync Definition');
    await workbench.answerInput('Name of the first sync', 'orders');
    await page.locator('.tabs-container .tab.active', { hasText: 'orders.brazesync.yaml' }).waitFor({ timeout: TIMEOUT });
    await page.locator('.part.sidebar .monaco-list-row .label-name', { hasText: 'orders.brazesync.yaml' }).first().waitFor({ timeout: TIMEOUT });
    const problems = await page.locator('.markers-panel .monaco-list-row', { hasText: 'orders.brazesync.yaml' }).count();
    if (problems) throw new Error('the scaffold has problems');
  });

  await checks.check('no secret value reaches the workspace, state, settings or logs', async () => {
    const secrets = services.secretValues();
    const leaks: string[] = [];
    for (const root of [workspace, userDataDir]) {
      for (const file of walk(root)) {
        const text = readFileSync(file, 'latin1');
        for (const s of secrets) if (text.includes(s)) leaks.push(path.relative(root, file));
      }
    }
    if (leaks.length) throw new Error(`secret found in: ${leaks.join(', ')}`);
    return `${secrets.length} secrets checked`;
  });

  await checks.check('a language server crash shows a message whose button opens the log', async () => {
    const pid = languageServerPid(userDataDir);
    process.kill(pid, 'SIGKILL');
    await workbench.clickNotificationButton(/language server stopped unexpectedly/, 'Show Log');
    await page.locator('.panel .monaco-editor .view-lines', { hasText: 'Language server stopped unexpectedly' }).first().waitFor({ timeout: TIMEOUT });
    return `killed pid ${pid}`;
  });
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yield* walk(p);
    else if (st.isFile()) yield p;
  }
}

/** The language server of this run's extension host (its path is unique to the run directory). */
function languageServerPid(userDataDir: string): number {
  const extensionsDir = path.join(path.dirname(userDataDir), 'extensions');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.includes(extensionsDir) && cmdline.includes('dist/server.js')) return Number(entry);
  }
  throw new Error(`no language server process under ${extensionsDir}`);
}
