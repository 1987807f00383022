import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { progressReporter } from './progress';

function plainLines(updates: Parameters<ReturnType<typeof progressReporter>['update']>[0][]): string[] {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  let clock = 0;
  const reporter = progressReporter(out, 'users', () => (clock += 5000));
  for (const u of updates) reporter.update(u);
  return text.trim().split('\n');
}

test('plain progress shows a percentage once the total is counted, and none before', () => {
  const lines = plainLines([
    { read: 2000, skipped: 0, synced: 1500, failed: 0, watermark: null },
    { total: 10_000, read: 5000, skipped: 0, synced: 4000, failed: 1, watermark: null },
  ]);
  assert.match(lines[0] ?? '', /^users: …% 2,000\/\? rows · 1,500 synced · 0 failed · \d[\d,]* rows\/s$/);
  assert.match(lines[1] ?? '', /^users: 50% 5,000\/10,000 rows · 4,000 synced · 1 failed · /);
});
