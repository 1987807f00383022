/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Playwright helpers that drive the VS Code workbench the way a user does (keyboard, palette, clicks). */
import type { Frame, Locator, Page } from 'playwright-core';

/** Per-check timeout: a broken feature fails fast instead of piling up waits. */
export const TIMEOUT = 15_000;

export class Workbench {
  constructor(readonly page: Page) {}

  async open(url: string, workspace: string): Promise<void> {
    await this.page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  }

  /** The file whose editor `editor()` returns: the last one opened through `quickOpen`. */
  private current = '';

  async quickOpen(fileName: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill(fileName);
    // Results arrive asynchronously: wait until the row Enter would pick is the file.
    await this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: fileName }).waitFor({ timeout: TIMEOUT });
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: TIMEOUT });
    this.current = fileName;
    // Focus the text (a webview beside it may hold the keyboard otherwise) and show its top: the
    // helpers below find text among the rendered lines.
    const editor = this.editor();
    await editor.locator('.view-lines').waitFor({ timeout: TIMEOUT });
    await editor.click();
    await this.page.keyboard.press('Control+Home');
  }

  /** Runs a command from the F1 palette by its full title ("Braze Sync: Sync Now"). */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill('>' + title);
    await this.page
      .locator('.quick-input-list .monaco-list-row.focused', { has: this.page.locator('.label-name', { hasText: title }) })
      .waitFor({ timeout: TIMEOUT });
    await this.page.keyboard.press('Enter');
  }

  /** The text editor of the file last opened with `quickOpen`, in whichever group shows it. */
  editor(): Locator {
    return this.page
      .locator('.editor-group-container', { has: this.page.locator('.tab.active', { hasText: this.current }) })
      .locator('.editor-container .monaco-editor')
      .first();
  }

  /**
   * Puts the cursor `offset` characters into the first visible occurrence of `text` in the active
   * editor, through Go to Line (`:line:column`), which is exact where mouse clicks are not.
   */
  async gotoText(text: string, offset = 0): Promise<void> {
    await this.editor().locator('.view-line', { hasText: text }).first().waitFor({ timeout: TIMEOUT });
    const { line, column } = await this.positionOf(text);
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill(`:${line}:${column + offset}`);
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: TIMEOUT });
  }

  /** 1-based line and column of the first visible occurrence of `text` (line from the gutter). */
  async positionOf(text: string): Promise<{ line: number; column: number }> {
    // No named function inside: tsx (esbuild keepNames) would wrap it in a `__name` helper that
    // does not exist in the page.
    return this.editor().evaluate((editor, needle) => {
      const texts = [...editor.querySelectorAll<HTMLElement>('.view-line')].map((l) => ({
        el: l,
        text: (l.textContent ?? '').replace(/\u00a0/g, ' '),
      }));
      const hit = texts.find((l) => l.text.includes(needle));
      if (!hit) throw new Error(`no visible line contains ${needle}`);
      const top = hit.el.getBoundingClientRect().top;
      const num = [...editor.querySelectorAll<HTMLElement>('.line-numbers')].find(
        (n) => Math.abs(n.getBoundingClientRect().top - top) < 2,
      );
      if (!num) throw new Error(`no line number beside ${needle}`);
      return { line: Number(num.textContent), column: hit.text.indexOf(needle) + 1 };
    }, text);
  }

  /** A notification toast whose message matches. */
  notification(message: string | RegExp): Locator {
    return this.page.locator('.notification-toast-container .notification-list-item', {
      has: this.page.locator('.notification-list-item-message', { hasText: message }),
    });
  }

  async clickNotificationButton(message: string | RegExp, button: string): Promise<void> {
    const toast = this.notification(message).first();
    await toast.waitFor({ timeout: TIMEOUT });
    await toast.locator('.monaco-button', { hasText: button }).first().click();
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** The quick input (password box, pick list) when it shows `placeholderOrPrompt`. */
  async answerInput(promptText: string | RegExp, value: string): Promise<void> {
    const widget = this.page.locator('.quick-input-widget', { hasText: promptText });
    await widget.waitFor({ state: 'visible', timeout: TIMEOUT });
    await widget.locator('input').fill(value);
    await this.page.keyboard.press('Enter');
  }

  /** The inner frame of a webview panel whose document title matches. */
  async webview(title: string): Promise<Frame> {
    await this.page.locator('.tabs-container .tab', { hasText: title }).first().waitFor({ timeout: TIMEOUT });
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
      for (const outer of this.page.frames()) {
        if (!outer.url().includes('webview')) continue;
        for (const inner of outer.childFrames()) {
          if ((await inner.title().catch(() => '')) === title) return inner;
        }
      }
      if (Date.now() > deadline) throw new Error(`no webview titled "${title}"`);
      await this.page.waitForEvent('frameattached', { timeout: 1_000 }).catch(() => undefined);
      await this.page.waitForLoadState('domcontentloaded');
    }
  }
}

/** The Braze Sync view's tree rows. */
export class SyncTree {
  constructor(private readonly wb: Workbench) {}

  /** Opens the Braze Sync container; `firstRow` is a label the tree shows once loaded. */
  async focus(firstRow: string): Promise<void> {
    await this.wb.runCommand('Braze Sync: Focus on Syncs View');
    await this.row(firstRow).waitFor({ timeout: TIMEOUT });
  }

  row(label: string | RegExp): Locator {
    const page = this.wb.page;
    return page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
  }

  /** Expands the row (clicking its twistie: clicking the label would run the row's command). */
  async expand(label: string | RegExp): Promise<Locator> {
    const row = this.row(label);
    await row.waitFor({ timeout: TIMEOUT });
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
    await this.wb.page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: TIMEOUT });
    return row;
  }

  async description(label: string | RegExp): Promise<string> {
    const row = this.row(label);
    await row.waitFor({ timeout: TIMEOUT });
    return (await row.locator('.label-description').textContent()) ?? '';
  }
}
