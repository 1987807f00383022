/** Copies the workspace fixture into the run directory, filling in the ports of this run's services. */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Services } from './services';

export function prepareWorkspace(target: string, services: Services): string {
  cpSync(path.join(__dirname, 'fixtures', 'workspace'), target, { recursive: true });
  const values = services.placeholders();
  for (const name of readdirSync(target)) {
    if (!name.endsWith('.yaml')) continue;
    const file = path.join(target, name);
    const text = readFileSync(file, 'utf8').replace(/__([A-Z_]+)__/g, (m, key: string) => values[key] ?? m);
    writeFileSync(file, text);
  }
  return target;
}
