/**
 * Finding the key or value at a segment-local offset of a parsed YAML document, with the JSON path
 * that completions and hovers resolve against the schema.
 */
import { isMap, isNode, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';

export type PathStep = string | number;

/** `path` matches `pattern`, where `*` matches any one step: `pathIs(p, ['syncs', '*', 'schedule'])`. */
export function pathIs(path: readonly PathStep[], pattern: readonly string[]): boolean {
  return path.length === pattern.length && pattern.every((p, i) => p === '*' || p === path[i]);
}

export function keyName(pair: Pair<unknown, unknown>): string | undefined {
  return isScalar(pair.key) && pair.key.value !== null ? String(pair.key.value) : undefined;
}

function isEmptyNull(node: unknown): boolean {
  return isScalar(node) && node.value === null && (!node.range || node.range[0] === node.range[1]);
}

/**
 * Where a value ends for the cursor: a plain scalar also owns the blanks typed after it on its
 * line, so `schedule: every <|>` is still inside the schedule being written.
 */
function plainEnd(value: unknown, end: number, offset: number, text: string): number {
  return isScalar(value) && value.type === 'PLAIN' && offset > end && /^[ \t]*$/.test(text.slice(end, offset)) ? offset : end;
}

export interface LocalHit {
  kind: 'key' | 'value';
  path: PathStep[];
  pair?: Pair<unknown, unknown>;
  map?: YAMLMap<unknown, unknown>;
  node: Node | null;
  flow: boolean;
}

/**
 * Descends from `root` through the collections whose range holds `offset` (segment-local). An
 * empty value counts as under the cursor when only `:` and blanks separate its key from the
 * cursor; positions between entries count as a new key only at the start of a line or in a flow
 * mapping, never after a value.
 */
export function locate(root: unknown, offset: number, text: string): LocalHit | undefined {
  let node: unknown = root;
  const path: PathStep[] = [];
  let flow = false;
  for (;;) {
    if (isMap(node)) {
      const map = node as YAMLMap<unknown, unknown>;
      flow ||= map.flow === true;
      let next: unknown;
      for (const pair of map.items) {
        const key = isNode(pair.key) ? pair.key : undefined;
        const kr = key?.range;
        if (key && kr && kr[0] <= offset && offset <= kr[1]) return { kind: 'key', path, pair, map, node: key, flow };
        const name = keyName(pair);
        const value = pair.value;
        if (name === undefined) continue;
        if (value === null || value === undefined || isEmptyNull(value)) {
          if (kr && /^[ \t]*:[ \t]*$/.test(text.slice(kr[1], offset))) return { kind: 'value', path: [...path, name], pair, map, node: null, flow };
          continue;
        }
        const vr = isNode(value) ? value.range : undefined;
        if (!vr || offset < vr[0] || offset > plainEnd(value, vr[1], offset, text)) continue;
        if (isMap(value) || isSeq(value)) {
          path.push(name);
          next = value;
          break;
        }
        return { kind: 'value', path: [...path, name], pair, map, node: value as Node, flow };
      }
      if (next !== undefined) {
        node = next;
        continue;
      }
      const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
      return flow || text.slice(lineStart, offset).trim() === '' ? { kind: 'key', path, map, node: null, flow } : undefined;
    }
    if (isSeq(node)) {
      flow ||= node.flow === true;
      const index = node.items.findIndex((item) => isNode(item) && item.range && item.range[0] <= offset && offset <= item.range[1]);
      const item = node.items[index];
      if (index === -1 || !isNode(item)) return undefined;
      path.push(index);
      if (isMap(item) || isSeq(item)) {
        node = item;
        continue;
      }
      return { kind: 'value', path, node: item, flow };
    }
    return root === node && (node === null || node === undefined) ? { kind: 'key', path, node: null, flow } : undefined;
  }
}
