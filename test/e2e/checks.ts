/** Named checks with a screenshot after each one; the run fails when any check fails. */
import * as path from 'node:path';
import type { Page } from 'playwright-core';

export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

export class Checks {
  readonly results: CheckResult[] = [];
  constructor(
    private readonly page: Page,
    private readonly screenshotDir: string,
    /** Start of the whole run, so check times line up with the driver's other log lines. */
    private readonly t0 = Date.now(),
  ) {}

  /** Runs one check; `fn` throws (or a wait times out) to fail it and may return a detail line. */
  async check(name: string, fn: () => Promise<string | void>): Promise<boolean> {
    const start = Date.now();
    let ok = true;
    let detail = '';
    try {
      detail = (await fn()) ?? '';
    } catch (err) {
      ok = false;
      detail = err instanceof Error ? err.message.split('\n').slice(0, 6).join('\n    ') : String(err);
    }
    const n = String(this.results.length + 1).padStart(2, '0');
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
    await this.page
      .screenshot({ path: path.join(this.screenshotDir, `${n}-${slug}${ok ? '' : '-FAILED'}.png`) })
      .catch(() => undefined);
    // A failed check may leave a prompt, dialog or widget open; close it so the next check starts clean.
    if (!ok) for (let i = 0; i < 3; i++) await this.page.keyboard.press('Escape').catch(() => undefined);
    const ms = Date.now() - start;
    this.results.push({ name, ok, ms, detail });
    const elapsed = ((Date.now() - this.t0) / 1000).toFixed(1);
    console.log(`[${elapsed}s] ${ok ? 'PASS' : 'FAIL'} ${name} (${(ms / 1000).toFixed(1)}s)${detail ? `\n    ${detail}` : ''}`);
    return ok;
  }

  get failed(): CheckResult[] {
    return this.results.filter((r) => !r.ok);
  }

  summary(): string {
    return `${this.results.length - this.failed.length}/${this.results.length} checks passed in ${((Date.now() - this.t0) / 1000).toFixed(1)}s`;
  }
}
