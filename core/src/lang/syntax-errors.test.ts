import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDefinitionText } from './load-definition';

const check = (text: string) => checkDefinitionText('/nowhere/x.brazesync.yaml', text, { stateDir: '/nowhere/state' }).problems;

test('a line of thousands of stray quotes is one problem at the first, promptly (each error rescanned the line)', { timeout: 30_000 }, () => {
  const problems = check(`version: 1\na: ${"'' ".repeat(32_000)}\n`);
  assert.deepEqual(problems.map((p) => [p.code, p.line, p.column]), [['yaml-syntax', 2, 7]]);
});

test('syntax errors from different lines are each still reported', () => {
  const problems = check('version: 1\na: [1, 2\nb: "x\nc: 3\n');
  assert.ok(problems.some((p) => /Flow sequence/.test(p.message)));
  assert.ok(problems.some((p) => /quoted value is never closed/.test(p.message) && p.line === 3 && p.column === 4));
});

test('a 60,000-key flow mapping is checked promptly, and a duplicate key in it is still found (the library compared every key with every other: 40 s)', { timeout: 30_000 }, () => {
  const keys = Array.from({ length: 60_000 }, (_, i) => `k${i}: ${i}`);
  keys.push('k123: again');
  const problems = check(`version: 1\nextra: {${keys.join(', ')}}\n`);
  const duplicate = problems.find((p) => p.code === 'duplicate-key');
  assert.equal(duplicate?.line, 2);
  assert.ok((duplicate?.column ?? 0) > 800_000, 'at the repeated key, near the end of the line');
});
