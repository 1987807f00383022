/**
 * Serialise once. The row mapper writes every Braze object as JSON text (`MappedRow.json`); a
 * batch built with `preparedTrackBody` is those texts joined, and the HTTP client sends that text
 * as is. The objects themselves are only parsed back if something reads them (a test, a fake
 * client), so a sync never builds or serialises them.
 */
import type { TrackArray } from './braze-contract';
import type { TrackRequest } from './ports';

const bodies = new WeakMap<object, string>();

/** `{ [array]: objects }` whose JSON is the joined `texts` (each one object's JSON, as `mapRow` writes it). */
export function preparedTrackBody(array: TrackArray, texts: readonly string[]): TrackRequest {
  const json = `{"${array}":[${texts.join(',')}]}`;
  let objects: Record<string, unknown>[] | undefined;
  const body: TrackRequest = {};
  Object.defineProperty(body, array, {
    enumerable: true,
    get: () => (objects ??= (JSON.parse(json) as Record<TrackArray, Record<string, unknown>[]>)[array]),
  });
  bodies.set(body, json);
  return body;
}

/** The JSON text of a request body. */
export function bodyJson(body: object): string {
  return bodies.get(body) ?? JSON.stringify(body);
}
