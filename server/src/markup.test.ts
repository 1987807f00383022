import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forClient, markdownToPlainText } from './markup';

test('markdownToPlainText drops markup and keeps the words', () => {
  const cases: [string, string][] = [
    ['**Data type `custom_events`**', 'Data type custom_events'],
    ['Use ``a`b`` here', 'Use a`b here'],
    ['See [the docs](https://example.com/x).', 'See the docs (https://example.com/x).'],
    ['- `every N minutes` (15 minutes to 31 days)\n- `manual`', '- every N minutes (15 minutes to 31 days)\n- manual'],
    ['A \\*literal\\* star', 'A *literal* star'],
    ['plain text', 'plain text'],
  ];
  for (const [markdown, plain] of cases) assert.equal(markdownToPlainText(markdown), plain, markdown);
});

test('forClient keeps markdown for markdown clients and converts it for the others', () => {
  const content = { kind: 'markdown' as const, value: '**bold**' };
  assert.deepEqual(forClient(content, true), content);
  assert.deepEqual(forClient(content, false), { kind: 'plaintext', value: 'bold' });
  assert.deepEqual(forClient({ kind: 'plaintext', value: '**x**' }, false), { kind: 'plaintext', value: '**x**' });
});
