import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkDefinitionText } from './load-definition';
import { excessiveNesting } from './nesting-depth';

const example = readFileSync(path.join(__dirname, '../../../test/fixtures/example.brazesync.yaml'), 'utf8');

test('the first bracket past the limit is found; quoted and commented brackets do not count', () => {
  assert.equal(excessiveNesting('a: [[[x]]]', 3), undefined);
  assert.equal(excessiveNesting('a: [[[[x]]]]', 3), 6);
  assert.equal(excessiveNesting(`a: "[[[[" # [[[[\nb: '{{{{' [`, 3), undefined);
  assert.equal(excessiveNesting('a: "\\"[[[[" [{[{', 3), 15);
});

test('5,000 levels of nesting, closed or not, are one problem at the same place every time', () => {
  for (const deep of ['['.repeat(5000) + ']'.repeat(5000), '['.repeat(5000)]) {
    const text = `${example}\nextra: ${deep}\n`;
    const runs = [1, 2].map(() => checkDefinitionText('/nowhere/x.brazesync.yaml', text, { stateDir: '/nowhere/state' }).problems);
    assert.deepEqual(runs[0], runs[1]);
    const [problem, ...rest] = runs[0] ?? [];
    assert.equal(rest.length, 0);
    assert.equal(problem?.code, 'yaml-syntax');
    assert.equal(problem?.line, text.split('\n').length - 1);
    assert.equal(problem?.column, 'extra: '.length + 201);
    assert.match(problem?.message ?? '', /nests too deeply/);
  }
});
