import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkDefinitionText } from './load-definition';

const example = readFileSync(path.join(__dirname, '../../../test/fixtures/example.brazesync.yaml'), 'utf8');
const check = (text: string) => checkDefinitionText('/nowhere/x.brazesync.yaml', text, { stateDir: '/nowhere/state' }).problems;
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

test('an alias to an undefined anchor inside a sync is one problem on its line, not a crash', () => {
  const text = example.replace('status: active', 'status: *nope');
  const problems = check(text);
  assert.deepEqual(problems.map((p) => [p.code, p.line]), [['yaml-syntax', lineOf(text, '*nope')]]);
  assert.match(problems[0]?.message ?? '', /not defined before it/);
});

test('an alias bomb is one problem where its aliases start', () => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  const text = `${example}\nextra:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
  const problems = check(text);
  assert.deepEqual(problems.map((p) => [p.code, p.line]), [['yaml-syntax', lineOf(text, '*a0')]]);
  assert.match(problems[0]?.message ?? '', /expand to too many values/);
});

test('100,000 aliases of one anchor are reported promptly (resolving each alias by searching the document took minutes)', { timeout: 30_000 }, () => {
  const text = `anchor: &x 1\nlist:\n${'  - *x\n'.repeat(100_000)}`;
  const problems = check(text);
  assert.deepEqual(problems.map((p) => [p.code, p.line]), [['yaml-syntax', 3]]);
});
