import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../testing/random';
import { JsonMembers } from './json-members';
import { formatJsonSyntaxError, scanJson, type JsonSyntaxError } from './json-scan';

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
  { text: 'not json', position: 1, problem: /^plain text where a JSON value belongs \(found 'n'; text needs double quotes/ },
  { text: '{"a":nope}', position: 6, problem: /^plain text where a JSON value belongs/ },
  { text: '{"a":-}', position: 6, problem: /needs digits/ },
  { text: '{"a":01}', position: 6, problem: /expected ',' or '}'/ },
  { text: '{"a":1.}', position: 7, problem: /digits after the decimal point/ },
  { text: '{"a":1e+}', position: 8, problem: /digits in its exponent/ },
  { text: '{"a":1,}', position: 7, problem: /double-quoted property name, found '}'/ },
  { text: '\uFEFF{}', position: 0, problem: /unexpected/ },
  { text: '{\n  "a": 1,\n  "b": }', position: 19, problem: /unexpected '}'/ },
];

function syntaxError(text: string): JsonSyntaxError | undefined {
  const scan = scanJson(text);
  return scan.ok ? undefined : scan.error;
}

for (const c of cases) {
  test(`locates the JSON error in ${JSON.stringify(c.text)}`, () => {
    assert.throws(() => JSON.parse(c.text));
    const e = syntaxError(c.text);
    assert.ok(e, 'an error is found');
    assert.equal(e.position, c.position);
    assert.match(e.problem, c.problem);
  });
}

test('reports line and column', () => {
  const e = syntaxError('{\n  "a": 1,\n  "b": }');
  assert.ok(e);
  assert.equal(formatJsonSyntaxError(e), "unexpected '}' where a value was expected at position 19 (line 3, column 8)");
});

test('gives the type and span of a valid value, whitespace around it excluded', () => {
  for (const [text, type] of [
    [' {"a":1}\n', 'object'],
    ['\t[1,[2]] ', 'array'],
    ['"x"', 'string'],
    ['-0.5e-3', 'number'],
    ['true', 'boolean'],
    ['\r\nnull', 'null'],
  ] as const) {
    const scan = scanJson(text);
    assert.ok(scan.ok, text);
    assert.equal(scan.type, type);
    assert.equal(text.slice(scan.start, scan.end), text.trim());
  }
});

test('lists the top-level members of an object with their raw values', () => {
  const members = new JsonMembers();
  const text = '{ "a" : 1, "b\\u0063":{"x":[1,{"y":2}]} ,"c":[ ], "a":"two", "__proto__":null }';
  assert.ok(scanJson(text, members).ok);
  assert.equal(members.count, 5);
  assert.deepEqual(
    Array.from({ length: members.count }, (_, i) => [members.key(i), members.valueText(i)]),
    [['a', '1'], ['bc', '{"x":[1,{"y":2}]}'], ['c', '[ ]'], ['a', '"two"'], ['__proto__', 'null']],
  );
  assert.equal(members.find('a'), 3, 'the last duplicate wins, as in JSON.parse');
  assert.equal(members.find('bc'), 1, 'escaped keys are decoded');
  assert.equal(members.find('b'), -1);
  assert.equal(members.distinctKeys(), 4);
  assert.deepEqual(members.value(1), { x: [1, { y: 2 }] });
});

test('records no members for arrays and scalars, and none are left from the previous scan', () => {
  const members = new JsonMembers();
  assert.ok(scanJson('{"a":1,"b":2}', members).ok);
  assert.equal(members.count, 2);
  assert.ok(scanJson('[{"a":1},{"b":2}]', members).ok);
  assert.equal(members.count, 0);
});

test('agrees with JSON.parse on valid and mutated documents, members included', () => {
  const bases = [
    '{"name":"x","n":-1.5e3,"a":[true,false,null,{"k":"\\u00e9\\n"}],"o":{}}',
    '{"first_name":"Ada","points":12,"tags":["a","b"],"\\"q":{"deep":[[[]]]},"e":1E+2}',
    '[{"a":1},"s",0.25]',
  ];
  const random = seededRandom(7);
  const alphabet = '{}[]":,tfn0-.eE+ \\xu\n\u00e9';
  const members = new JsonMembers();
  let invalid = 0;
  let objects = 0;
  for (let n = 0; n < 6000; n++) {
    const chars = [...(bases[n % bases.length] ?? '')];
    for (let edits = 1 + Math.floor(random() * 2); edits > 0; edits--) {
      const at = Math.floor(random() * chars.length);
      const op = random();
      const ch = alphabet[Math.floor(random() * alphabet.length)] ?? 'x';
      if (op < 0.4) chars.splice(at, 1);
      else if (op < 0.8) chars.splice(at, 0, ch);
      else chars.splice(at, 1, ch);
    }
    const text = chars.join('');
    let parsed: unknown;
    let valid = true;
    let v8Position: number | undefined;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      valid = false;
      invalid++;
      const m = /at position (\d+)/.exec((err as Error).message);
      if (m) v8Position = Number(m[1]);
    }
    const scan = scanJson(text, members);
    assert.equal(scan.ok, valid, `${text}: valid=${valid} scan=${JSON.stringify(scan)}`);
    if (!scan.ok) {
      if (v8Position !== undefined && !/end of input|unterminated/.test(scan.error.problem)) assert.equal(scan.error.position, v8Position, text);
      continue;
    }
    assert.deepEqual(JSON.parse(text.slice(scan.start, scan.end)), parsed, text);
    if (scan.type !== 'object') {
      assert.equal(members.count, 0, text);
      continue;
    }
    objects++;
    const rebuilt: Record<string, unknown> = {};
    for (let i = 0; i < members.count; i++) Object.defineProperty(rebuilt, members.key(i), { value: members.value(i), enumerable: true, configurable: true, writable: true });
    assert.deepEqual(rebuilt, parsed, text);
    assert.equal(members.distinctKeys(), Object.keys(parsed as object).length, text);
  }
  assert.ok(invalid > 2000, 'most mutations are invalid');
  assert.ok(objects > 300, 'many mutations are still objects');
});

test('deep nesting does not overflow the stack', () => {
  const e = syntaxError('['.repeat(200_000));
  assert.ok(e);
  assert.match(e.problem, /array is not closed/);
  assert.ok(scanJson(`${'['.repeat(100_000)}${']'.repeat(100_000)}`).ok);
});
