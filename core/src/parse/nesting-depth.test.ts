import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkDefinitionText } from '../lang/load-definition';
import { excessiveNesting } from './nesting-depth';

const example = readFileSync(path.join(__dirname, '../../../test/fixtures/example.brazesync.yaml'), 'utf8');

test('the first bracket past the limit is found; quoted and commented brackets do not count', () => {
  assert.equal(excessiveNesting('a: [[[x]]]', 3), undefined);
  assert.equal(excessiveNesting('a: [[[[x]]]]', 3), 6);
  assert.equal(excessiveNesting(`a: "[[[[" # [[[[\nb: '{{{{' [`, 3), undefined);
  assert.equal(excessiveNesting('a: "\\"[[[[" [{[{', 3), 15);
});

test('block levels count too: indentation and compact `- - -` on one line', () => {
  assert.equal(excessiveNesting('a:\n  b:\n    c: x\nd: - - x', 3), undefined);
  assert.equal(excessiveNesting('a:\n  b:\n    c:\n     - d', 3), 20);
  assert.equal(excessiveNesting('a: 1\n- - - - x', 3), 11);
  assert.equal(excessiveNesting('# - - - -\n"- - - -"\nb:\n  - - x', 3), 29);
  assert.equal(excessiveNesting('a:\n  - x\nb:\n  - y', 3), undefined);
});

test('5,000 levels of nesting, closed or not, are one problem at the same place every time', () => {
  for (const [deep, column] of [
    ['['.repeat(5000) + ']'.repeat(5000), 'extra: '.length + 201],
    ['['.repeat(5000), 'extra: '.length + 201],
    ['\n  ' + '- '.repeat(5000) + 'x', 2 + 2 * 199 + 1],
  ] as const) {
    const text = `${example}\nextra: ${deep}\n`;
    const runs = [1, 2].map(() => checkDefinitionText('/nowhere/x.brazesync.yaml', text, { stateDir: '/nowhere/state' }).problems);
    assert.deepEqual(runs[0], runs[1]);
    const [problem, ...rest] = runs[0] ?? [];
    assert.equal(rest.length, 0);
    assert.equal(problem?.code, 'yaml-syntax');
    assert.equal(problem?.line, text.split('\n').length - 1);
    assert.equal(problem?.column, column);
    assert.match(problem?.message ?? '', /nests too deeply/);
  }
});
