/**
 * Hostile definition files for the fuzz tests of the language server and the CLI: each kind turns
 * a real definition file into bytes an editor or a CI job may meet (half-typed, damaged, huge or
 * malicious). Every kind is a pure function of its random source, so a seed replays a run.
 */

export type Random = () => number;

export interface HostileCase {
  kind: string;
  /** The file's bytes as they would be on disk (possibly not valid UTF-8). */
  bytes: Buffer;
}

const int = (random: Random, below: number): number => Math.floor(random() * below);
const pick = <T>(random: Random, xs: readonly T[]): T => xs[int(random, xs.length)] as T;

/** Inserts `piece` at `count` random places of `text`. */
function sprinkle(text: string, random: Random, count: number, piece: () => string): string {
  const at = Array.from({ length: count }, () => int(random, text.length + 1)).sort((a, b) => b - a);
  let out = text;
  for (const i of at) out = out.slice(0, i) + piece() + out.slice(i);
  return out;
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** The kinds, each from a real file's text (`base`). */
const KINDS: Record<string, (base: string, random: Random) => Buffer> = {
  truncation: (base, random) => utf8(base.slice(0, int(random, base.length))),
  'byte flips': (base, random) => {
    const bytes = utf8(base);
    for (let n = 1 + int(random, 8); n > 0; n--) {
      const i = int(random, bytes.length);
      bytes[i] = (bytes[i] as number) ^ (1 + int(random, 255));
    }
    return bytes;
  },
  tabs: (base, random) => utf8(base.replace(/^( +)/gm, (spaces) => (random() < 0.3 ? '\t'.repeat(Math.max(1, spaces.length >> 1)) : spaces))),
  // With a problem on the first line, where a BOM would shift every column.
  BOM: (base) => utf8(`\ufeffversion: 2\n${base.replace(/^version: 1\n/m, '')}`),
  CRLF: (base) => utf8(base.replace(/\n/g, '\r\n')),
  'CR only': (base) => utf8(base.replace(/\n/g, '\r')),
  NUL: (base, random) => utf8(sprinkle(base, random, 1 + int(random, 5), () => '\u0000')),
  'invalid UTF-8': (base, random) => {
    const pieces = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]];
    const at = Array.from({ length: 1 + int(random, 5) }, () => int(random, base.length + 1)).sort((a, b) => a - b);
    const parts: Buffer[] = [];
    let from = 0;
    for (const i of at) {
      parts.push(utf8(base.slice(from, i)), Buffer.from(pick(random, pieces)));
      from = i;
    }
    parts.push(utf8(base.slice(from)));
    return Buffer.concat(parts);
  },
  'duplicate keys': (base, random) => {
    const lines = base.split('\n');
    const keyLines = lines.map((l, i) => (/^\s*[\w-]+:/.test(l) ? i : -1)).filter((i) => i >= 0);
    const i = pick(random, keyLines);
    lines.splice(i + 1, 0, lines[i] as string);
    return utf8(lines.join('\n'));
  },
  '1 MB string': (base, random) => {
    const quote = pick(random, ['', '"', "'"]);
    return utf8(base.replace(/(table|host|schedule): .*/, (_, key: string) => `${key}: ${quote}${'Ab9 '.repeat(262_144)}${quote}`));
  },
  '5,000-deep nesting': (base, random) =>
    utf8(random() < 0.5 ? `${base}\nextra: ${'['.repeat(5_000)}1${']'.repeat(5_000)}\n` : `${base}\nextra: ${'{a: '.repeat(5_000)}1${'}'.repeat(5_000)}\n`),
  '5,000-deep block sequence': (base) => utf8(`${base}\nextra: \n  ${'- '.repeat(5_000)}x\n`),
  'alias bomb': () => {
    const levels = 'abcdefghij';
    const lines = [`${levels[0]}: &${levels[0]} [lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
    for (let i = 1; i < levels.length; i++) lines.push(`${levels[i]}: &${levels[i]} [${Array(9).fill(`*${levels[i - 1]}`).join(', ')}]`);
    return utf8(`version: 1\n${lines.join('\n')}\nsyncs:\n  bomb: *j\n`);
  },
  '100,000 aliases': (base) => utf8(`${base}\nanchor: &x 1\nmany: [${Array(100_000).fill('*x').join(', ')}]\n`),
  'undefined alias': (base, random) => utf8(sprinkle(base, random, 1, () => ' *nowhere ')),
  '60,000-key flow mapping': () => utf8(`version: 1\nsyncs: {${Array.from({ length: 60_000 }, (_, i) => `k${i % 59_990}: 1`).join(', ')}}\n`),
  'many unclosed quotes': (_, random) => utf8(`version: 1\na: ${Array(16_000).fill(pick(random, ["''", "'", '"'])).join(' ')}\nsyncs: {}\n`),
  '5,000 unclosed [': (base) => utf8(`${base}\nextra: ${'['.repeat(5_000)}\n`),
  'numbers like 1e309': (base, random) =>
    utf8(base.replace(/port: \d+/, `port: ${pick(random, ['1e309', '-1e309', '1e-400', '99999999999999999999999', '0x7fffffffffffffffff', '.nan', '-.inf'])}`) + `\nversion: 1e309\n`),
};

export const HOSTILE_KINDS: readonly string[] = Object.keys(KINDS);

/** The hostile case of `kind` made from `base`. */
export function hostileCase(kind: string, base: string, random: Random): HostileCase {
  const make = KINDS[kind];
  if (!make) throw new Error(`unknown hostile kind ${kind}`);
  return { kind, bytes: make(base, random) };
}

/** The text an editor shows for `bytes`: decoded as UTF-8 with replacement characters, a leading BOM dropped. */
export function editorText(bytes: Buffer): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/** Small hostile edits for a random walk (typing, pasting, damaging). */
export const EDIT_PIECES: readonly string[] = ['x', ' ', ':', '\n', '\n    ', '\t', '\u0000', '\ufeff', '\r', '\r\n', '-', '#', '[', '{', '"', "'", '&a ', '*a', '*b', '<<: ', '1e309', '\ud800', '!!binary ', '---\n', '%YAML 1.2\n', ''];
