import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findJsonSyntaxError, formatJsonSyntaxError } from './json-syntax-error';

const cases: { text: string; position: number; problem: RegExp }[] = [
  { text: '{"a":}', position: 5, problem: /unexpected '}' where a value was expected/ },
  { text: '{"a":1', position: 6, problem: /object is not closed/ },
  { text: '', position: 0, problem: /empty input/ },
  { text: '{"a":1} x', position: 8, problem: /after the end of the JSON value/ },
  { text: "{'a':1}", position: 1, problem: /double-quoted property name/ },
  { text: '{"a" 1}', position: 5, problem: /expected ':'/ },
  { text: '[1,2', position: 4, problem: /array is not closed/ },
  { text: '[1 2]', position: 3, problem: /expected ',' or ']'/ },
  { text: '{"a":"x\ny"}', position: 7, problem: /raw control character U\+000A/ },
  { text: '{"a":"\\q"}', position: 7, problem: /invalid escape \\q/ },
  { text: '{"a":"\\u12"}', position: 10, problem: /four hex digits/ },
  { text: '{"a":"abc', position: 9, problem: /unterminated string/ },
  { text: '{"a":tru}', position: 8, problem: /true is misspelt \(found '}'\)/ },
  { text: '{"a":-}', position: 6, problem: /needs digits/ },
  { text: '{"a":1,}', position: 7, problem: /double-quoted property name, found '}'/ },
  { text: '{\n  "a": 1,\n  "b": }', position: 19, problem: /unexpected '}'/ },
];

for (const c of cases) {
  test(`locates the JSON error in ${JSON.stringify(c.text)}`, () => {
    assert.throws(() => JSON.parse(c.text));
    const e = findJsonSyntaxError(c.text);
    assert.ok(e, 'an error is found');
    assert.equal(e.position, c.position);
    assert.match(e.problem, c.problem);
  });
}

test('reports line and column', () => {
  const e = findJsonSyntaxError('{\n  "a": 1,\n  "b": }');
  assert.ok(e);
  assert.equal(formatJsonSyntaxError(e), "unexpected '}' where a value was expected at position 19 (line 3, column 8)");
});

test('agrees with JSON.parse on valid and mutated documents', () => {
  const base = '{"name":"x","n":-1.5e3,"a":[true,false,null,{"k":"\\u00e9\\n"}],"o":{}}';
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const alphabet = '{}[]":,tfn0-.e \\x';
  let invalid = 0;
  for (let n = 0; n < 2000; n++) {
    const chars = [...base];
    const at = Math.floor(random() * chars.length);
    const op = random();
    if (op < 0.4) chars.splice(at, 1);
    else if (op < 0.8) chars.splice(at, 0, alphabet[Math.floor(random() * alphabet.length)] ?? 'x');
    else chars.splice(at, 1, alphabet[Math.floor(random() * alphabet.length)] ?? 'x');
    const text = chars.join('');
    let valid = true;
    let v8Position: number | undefined;
    try {
      JSON.parse(text);
    } catch (err) {
      valid = false;
      invalid++;
      const m = /at position (\d+)/.exec((err as Error).message);
      if (m) v8Position = Number(m[1]);
    }
    const found = findJsonSyntaxError(text);
    assert.equal(found === undefined, valid, `${text}: valid=${valid} found=${JSON.stringify(found)}`);
    if (found && v8Position !== undefined && !/end of input|unterminated/.test(found.problem)) {
      assert.equal(found.position, v8Position, text);
    }
  }
  assert.ok(invalid > 1000, 'most mutations are invalid');
});

test('deep nesting does not overflow the stack', () => {
  const text = '['.repeat(200_000);
  const e = findJsonSyntaxError(text);
  assert.ok(e);
  assert.match(e.problem, /array is not closed/);
});
