/**
 * Serialise once. The row mapper already serialises every Braze object to know its size
 * (`MappedRow.json`); a batch built with `preparedTrackBody` keeps the joined texts, and the HTTP
 * client sends them instead of serialising the objects again, which would otherwise be the largest
 * per-row cost of a sync after parsing PAYLOAD. Bodies built any other way are serialised as usual.
 */
import type { TrackArray } from './braze-contract';
import type { TrackRequest } from './ports';

const bodies = new WeakMap<object, string>();

/**
 * `{ [array]: objects }`, remembering its JSON assembled from `texts` (`texts[i]` must be the JSON
 * of `objects[i]`, as `mapRow` returns them). Neither may change afterwards.
 */
export function preparedTrackBody(array: TrackArray, objects: Record<string, unknown>[], texts: string[]): TrackRequest {
  if (texts.length !== objects.length) throw new Error(`preparedTrackBody: ${objects.length} objects but ${texts.length} texts.`);
  const body: TrackRequest = array === 'attributes' ? { attributes: objects } : array === 'events' ? { events: objects } : { purchases: objects };
  bodies.set(body, `{"${array}":[${texts.join(',')}]}`);
  return body;
}

/** The JSON text of a request body. */
export function bodyJson(body: object): string {
  return bodies.get(body) ?? JSON.stringify(body);
}
