/**
 * The e2e checks on more.brazesync.yaml: honest row checks past the preview, Sync Now's diagnosis
 * of a wrong password, progress that follows delivered rows, cancelling and rerunning, and the
 * History chart telling apart runs of the same minute.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Checks } from './checks';
import { CHECKED_ROWS, SLOW_ROWS, type Services } from './services';
import { SyncTree, TIMEOUT, type Workbench } from './workbench';

const MORE = 'more.brazesync.yaml';

export interface MoreContext {
  workbench: Workbench;
  checks: Checks;
  userDataDir: string;
  services: Services;
}

/** One look at the Sync Now progress notification: its text and its bar's width in percent. */
interface ProgressSample {
  text: string;
  width: number;
}

export async function runMoreChecks({ workbench, checks, userDataDir, services }: MoreContext): Promise<void> {
  const page = workbench.page;
  const tree = new SyncTree(workbench);
  /** A command from the sync's row in the Braze Sync view (its CodeLens may be scrolled out of view). */
  const fromTree = async (sync: string, command: 'Sync Now' | 'Test Connection') => {
    await tree.focus(MORE);
    const row = tree.row(sync);
    await row.hover();
    await row.locator(`.action-label[aria-label="${command}"]`).click();
  };
  const syncNow = (sync: string) => fromTree(sync, 'Sync Now');
  /** The tree may still be re-rendering (another file's runs arriving) when its row is clicked: try again until the panel opens. */
  const testConnectionFromTree = async (sync: string) => {
    const tab = page.locator('.tabs-container .tab', { hasText: `Test Connection: ${sync}` }).first();
    for (let attempt = 1; ; attempt++) {
      await fromTree(sync, 'Test Connection');
      try {
        return await tab.waitFor({ timeout: 5000 });
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  };

  await checks.check('Test Connection checks every pending row: bad rows past the first 20 get no check mark, and their count', async () => {
    await testConnectionFromTree('checked_attributes');
    const frame = await workbench.webview('Test Connection: checked_attributes');
    await frame.locator('.verdict', { hasText: 'The connection works' }).waitFor({ timeout: TIMEOUT });
    const rows = frame.locator('li.check', { hasText: 'Rows (all pending)' });
    await rows.filter({ hasText: `4 of ${CHECKED_ROWS} pending row(s) would fail` }).waitFor({ timeout: TIMEOUT });
    const fields = frame.locator('li.check', { hasText: 'Payload fields' });
    await fields.filter({ hasText: `not checked in the other ${CHECKED_ROWS - 20}` }).waitFor({ timeout: TIMEOUT });
    const classes = [await rows.getAttribute('class'), await fields.getAttribute('class')];
    if (!classes[0]?.includes('check-warning') || !classes[1]?.includes('check-skipped')) throw new Error(`expected a warning and "not checked", got ${classes.join(', ')}`);
    if (await frame.locator('li.check-ok', { hasText: /Rows \(all pending\)|Payload fields/ }).count()) throw new Error('a check mark for rows that were not all checked');
    if (await frame.locator('tr.row-invalid').count()) throw new Error('the first 20 rows should all be valid');
    await frame.locator('ul.audit-samples li', { hasText: 'external_id=c-22' }).waitFor({ timeout: TIMEOUT });
    return (await rows.textContent())?.replace(/\s+/g, ' ').trim().slice(0, 160);
  });

  await checks.check('Sync Now with a wrong password shows the same diagnosis and fix as Test Connection, logged as an error', async () => {
    await syncNow('wrong_password');
    const toast = workbench.notification(/can't sync wrong_password\. Authentication failed for user braze_user\. Fix: .*ALTER USER braze_user PASSWORD/).first();
    await toast.waitFor({ timeout: TIMEOUT });
    await toast.locator('.monaco-button', { hasText: 'Test Connection' }).waitFor({ timeout: TIMEOUT });
    const line = await waitForLogLine(userDataDir, /\[error\] Sync wrong_password .*Authentication failed for user braze_user/);
    await workbench.clearNotifications();
    return line.slice(0, 160);
  });

  await checks.check('Test Connection against a silent host says what it waits for and can be cancelled', async () => {
    await fromTree('silent_host', 'Test Connection');
    const waiting = workbench.notification(/testing the connection of silent_host: waiting for 127\.0\.0\.1:\d+ to answer \(gives up after 15 s\)/).first();
    await waiting.waitFor({ timeout: TIMEOUT });
    const text = (await waiting.locator('.notification-list-item-message').textContent()) ?? '';
    await waiting.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await waiting.waitFor({ state: 'hidden', timeout: TIMEOUT });
    await page.locator('.statusbar-item', { hasText: 'Test Connection of silent_host cancelled' }).waitFor({ timeout: TIMEOUT });
    if (await page.locator('.tabs-container .tab', { hasText: 'Test Connection: silent_host' }).count()) throw new Error('a result panel opened after cancelling');
    return text;
  });

  let cancelledAt = 0;
  await checks.check('cancelling Sync Now mid-run stops it cleanly, keeping what was delivered', async () => {
    await syncNow('slow_attributes');
    const dialog = page.locator('.monaco-dialog-box', { hasText: `First run of slow_attributes: it will send ${SLOW_ROWS} rows` });
    await dialog.locator('.monaco-button', { hasText: 'Sync Now' }).click();
    const progress = workbench.notification(/rows sent/).first();
    await page.waitForFunction(() => {
      const m = [...document.querySelectorAll('.notification-list-item-message')].map((e) => /([\d,]+) of [\d,]+ rows? sent/.exec(e.textContent ?? '')).find(Boolean);
      return m ? Number(m[1]!.replace(/,/g, '')) >= 1 : false;
    }, undefined, { timeout: TIMEOUT });
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    const done = workbench.notification(/slow_attributes: cancelled after [\d,]+ rows synced/).first();
    await done.waitFor({ timeout: TIMEOUT });
    const text = (await done.locator('.notification-list-item-message').textContent()) ?? '';
    cancelledAt = Number(/cancelled after ([\d,]+) rows/.exec(text)?.[1]?.replace(/,/g, '') ?? NaN);
    if (!(cancelledAt > 0 && cancelledAt < SLOW_ROWS)) throw new Error(`cancelled after ${cancelledAt} rows`);
    if (services.slowBraze().objects !== cancelledAt) throw new Error(`Braze received ${services.slowBraze().objects} objects, the run says ${cancelledAt}`);
    await workbench.clearNotifications();
    return text;
  });

  await checks.check('the rerun sends exactly the rest; its progress reaches 100% only when the last row is sent', async () => {
    await page.evaluate(RECORD_PROGRESS);
    await syncNow('slow_attributes');
    const rest = SLOW_ROWS - cancelledAt;
    await workbench.notification(new RegExp(`slow_attributes: ${rest} rows? synced`)).first().waitFor({ timeout: TIMEOUT });
    const braze = services.slowBraze();
    if (braze.objects !== SLOW_ROWS || braze.profiles !== SLOW_ROWS) throw new Error(`Braze holds ${braze.profiles} profiles from ${braze.objects} objects; expected ${SLOW_ROWS} of each`);
    const samples = (await page.evaluate('window.progressSamples')) as ProgressSample[];
    const parsed = samples.flatMap((s) => {
      // The notification reads "<title>: 12 of 60 rows sent · 14 read · 1 skipped (delivered before) · …".
      const m = /([\d,]+) of ([\d,]+) rows? sent/.exec(s.text);
      const skipped = /([\d,]+) skipped/.exec(s.text);
      const n = (v: string | undefined) => Number((v ?? '0').replace(/,/g, ''));
      return m ? [{ width: s.width, done: n(m[1]) + n(skipped?.[1]), total: n(m[2]) }] : [];
    });
    const ahead = parsed.filter((p) => p.width > (p.done / p.total) * 100 + 0.5);
    if (ahead.length) throw new Error(`the bar ran ahead of delivered rows: ${JSON.stringify(ahead.slice(0, 3))}`);
    if (!parsed.some((p) => p.width > 1 && p.width < 99.9)) throw new Error(`no partial progress seen: ${JSON.stringify(samples)}`);
    return `${parsed.length} samples; bar never ahead of delivery; ${rest} rows in the rerun`;
  });

  await checks.check('History of runs in the same minute labels each run apart', async () => {
    await tree.focus(MORE);
    const sync = await tree.expand('slow_attributes');
    // List rows are positioned, not ordered, in the DOM: find this sync's "Recent runs" by index.
    const index = Number(await sync.getAttribute('data-index'));
    const runs = page.locator(`.part.sidebar .monaco-list-row[data-index="${index + 4}"]`, { hasText: 'Recent runs' });
    await runs.hover();
    await runs.locator('.action-label[aria-label="Show History"]').click();
    const frame = await workbench.webview('History: slow_attributes');
    await frame.locator('svg.history-chart').waitFor({ timeout: TIMEOUT });
    const numbers = await frame.locator('svg.history-chart text.x-label:not(.x-time)').allTextContents();
    const times = await frame.locator('svg.history-chart text.x-time').allTextContents();
    if (numbers.length < 2 || new Set(numbers).size !== numbers.length || new Set(times).size !== times.length) throw new Error(`labels ${numbers.join(',')} / ${times.join(',')}`);
    return numbers.map((n, i) => `${n} ${times[i]}`).join(', ');
  });
}

/**
 * Runs in the page: keeps every state of the Sync Now progress notification as the DOM changes.
 * Plain JavaScript text: the test's compiled functions carry helpers the page does not have.
 */
const RECORD_PROGRESS = `(() => {
  window.progressSamples = [];
  const look = () => {
    for (const item of document.querySelectorAll('.notification-list-item')) {
      const text = item.querySelector('.notification-list-item-message')?.textContent ?? '';
      if (!/rows? sent/.test(text)) continue;
      // The bar is the list row's, beside the item: .monaco-list-row > (.notification-list-item, .monaco-progress-container).
      const bit = item.parentElement?.querySelector('.monaco-progress-container .progress-bit');
      const width = bit && bit.style.width.endsWith('%') ? Number.parseFloat(bit.style.width) : 0;
      const last = window.progressSamples[window.progressSamples.length - 1];
      if (!last || last.text !== text || last.width !== width) window.progressSamples.push({ text, width });
    }
  };
  new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
})()`;

/** A line of the Braze Sync log channel (written to the extension host's log folder) matching `pattern`. */
async function waitForLogLine(userDataDir: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    for (const file of logFiles(path.join(userDataDir, 'logs'))) {
      const line = readFileSync(file, 'utf8').split('\n').find((l) => pattern.test(l));
      if (line) return line;
    }
    if (Date.now() > deadline) throw new Error(`no log line matching ${pattern}`);
    // The log channel flushes on its own schedule; there is no event to wait on from outside.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function logFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return logFiles(p);
    return name.includes('Braze Sync') ? [p] : [];
  });
}
