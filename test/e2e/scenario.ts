/** What the e2e run checks, in the order a data engineer would do it. */
import type { Checks } from './checks';
import type { Services } from './services';
import { TIMEOUT, type Workbench } from './workbench';

export interface ScenarioContext {
  workbench: Workbench;
  checks: Checks;
  workspace: string;
  services: Services;
}

export async function runScenario({ workbench, checks }: ScenarioContext): Promise<void> {
  const page = workbench.page;
  await checks.check('opening a .brazesync.yaml sets the Braze Sync language mode', async () => {
    await workbench.quickOpen('users.brazesync.yaml');
    const mode = page.locator('#status\\.editor\\.mode');
    await mode.filter({ hasText: 'Braze Sync' }).waitFor({ timeout: TIMEOUT });
    return (await mode.textContent())?.trim();
  });

  await checks.check('the grammar scopes ${env:…} references', async () => {
    await workbench.gotoText('${env:BRAZE_API_KEY}', 7);
    await workbench.runCommand('Developer: Inspect Editor Tokens and Scopes');
    const widget = page.locator('.token-inspect-widget');
    await widget.filter({ hasText: 'variable.other.env.brazesync' }).waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Escape');
    return 'variable.other.env.brazesync';
  });
}
