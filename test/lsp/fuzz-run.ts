/**
 * `npm run fuzz`: the long storm against the language server (the short one runs in `npm test`,
 * test/lsp/fuzz.test.ts). Options: `--seed N` (default: the time; printed so a failure replays),
 * `--steps N` (default 2,000), `--runs N` sessions with seeds N, N+1, … (default 1). Exits 1 at the
 * first broken promise, naming the step and the seed.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { generateSyncFile } from '../../bench/generate-syncs';
import { expectedDiagnostics, FUZZ_LIMITS, runLspFuzz } from './fuzz-session';
import { LspClient, REPO_ROOT } from './lsp-client';

const { values } = parseArgs({ options: { seed: { type: 'string' }, steps: { type: 'string', default: '2000' }, runs: { type: 'string', default: '1' } } });
const firstSeed = Number(values.seed ?? Date.now() % 1_000_000_000);
const steps = Number(values.steps);
const runs = Number(values.runs);
const bases = [readFileSync(path.join(REPO_ROOT, 'test/fixtures/example.brazesync.yaml'), 'utf8'), generateSyncFile(12).text, generateSyncFile(150).text];

async function session(seed: number): Promise<void> {
  const client = await LspClient.start();
  try {
    const started = performance.now();
    const report = await runLspFuzz(client, { seed, steps, bases, answerLimitMs: FUZZ_LIMITS.answerMs, log: (line) => console.log(`  seed ${seed}: ${line}`) });
    const good = generateSyncFile(40).text;
    const published = await client.change(report.uri, report.version + 1, [{ text: good }]);
    if (JSON.stringify(published.diagnostics) !== JSON.stringify(expectedDiagnostics(good, report.uri))) throw new Error(`seed ${seed}: a good file after the storm gets other diagnostics than a fresh check`);
    if (report.peakRss >= FUZZ_LIMITS.residentBytes) throw new Error(`seed ${seed}: resident memory reached ${(report.peakRss / 2 ** 20).toFixed(0)} MB`);
    const kinds = [...report.kinds].map(([k, n]) => `${k} ×${n}`).join(', ');
    console.log(
      `seed ${seed}: ${report.steps} steps, ${report.requests} requests in ${((performance.now() - started) / 1000).toFixed(0)} s; slowest answer ${report.slowest.ms.toFixed(0)} ms (${report.slowest.what}); peak RSS ${(report.peakRss / 2 ** 20).toFixed(0)} MB; exact after the storm.\n  hostile files: ${kinds}`,
    );
  } finally {
    if (client.alive) await client.stop().catch(() => client.kill());
  }
}

async function main(): Promise<void> {
  console.log(`LSP fuzz: ${runs} session(s) of ${steps} steps from seed ${firstSeed} (replay: npm run fuzz -- --seed ${firstSeed} --steps ${steps}).`);
  for (let i = 0; i < runs; i++) await session(firstSeed + i);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
