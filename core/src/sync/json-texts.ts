/**
 * Serialise once, straight into the bytes that are sent. The row mapper describes every Braze
 * object as pieces of JSON text (`TrackObjectText`: the identifier's members, PAYLOAD as the
 * warehouse wrote it, a default time); a batch built with `preparedTrackBody` writes those pieces
 * into one Buffer, and the HTTP client sends that Buffer as is. Neither the objects nor the body
 * ever exist as JS strings or objects in between, which keeps a sync's garbage (and so its GC
 * time) low. The objects are only parsed back if something reads them (a test, a fake client).
 */
import { Buffer } from 'node:buffer';
import type { TrackArray } from './braze-contract';
import type { CatalogItemsRequest, TrackRequest } from './ports';

/** A Braze object as the pieces of its JSON text: `{head,<PAYLOAD's members>,"time":"…"}`. */
export interface TrackObjectText {
  /** The identifier's members, e.g. `"external_id":"u1"`. */
  head: string;
  /** A JSON object text (braces included, no whitespace around it) whose members follow `head`; '' for none. */
  payload: string;
  /** A default `time`: an ISO time, ASCII, nothing to escape. */
  time: string | undefined;
  /** UTF-8 size of the whole object. */
  bytes: number;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const TIME_KEY = ',"time":"';

/** The object's JSON text: exactly the bytes a request body holds for it, decoded. */
export function trackObjectJson(o: TrackObjectText): string {
  const buf = Buffer.allocUnsafe(o.bytes);
  return buf.toString('utf8', 0, writeTrackObject(buf, 0, o));
}

/** UTF-8 size of an object's text from the sizes of its pieces. */
export function trackObjectBytes(headBytes: number, payloadBytes: number, time: string | undefined): number {
  // Braces, head, then PAYLOAD with its braces traded for one comma, then the time member.
  return 2 + headBytes + (payloadBytes > 0 ? payloadBytes - 1 : 0) + (time !== undefined ? TIME_KEY.length + time.length + 1 : 0);
}

/** Writes the object's JSON text into `buf` at `at`; returns the offset after it. The one place its layout is spelt out. */
function writeTrackObject(buf: Buffer, at: number, o: TrackObjectText): number {
  buf[at++] = OPEN_BRACE;
  at += buf.write(o.head, at);
  if (o.payload) {
    // PAYLOAD goes in whole; its `{` becomes the comma after head and its `}` is overwritten next.
    const written = buf.write(o.payload, at);
    buf[at] = COMMA;
    at += written - 1;
  }
  if (o.time !== undefined) {
    at += buf.write(TIME_KEY, at, 'latin1');
    at += buf.write(o.time, at, 'latin1');
    buf[at++] = 0x22;
  }
  buf[at++] = CLOSE_BRACE;
  return at;
}

const bodies = new WeakMap<object, Buffer>();

/** `{ [array]: objects }` whose request body is the objects' texts, written once into a Buffer. */
export function preparedTrackBody(array: TrackArray, texts: readonly TrackObjectText[]): TrackRequest {
  return preparedArrayBody(array, texts);
}

/** `{"items":[…]}` of a catalog request, written the same way (an item's `head` is its `"id"`). */
export function preparedItemsBody(texts: readonly TrackObjectText[]): CatalogItemsRequest {
  return preparedArrayBody('items', texts);
}

function preparedArrayBody<K extends string>(array: K, texts: readonly TrackObjectText[]): Record<K, Record<string, unknown>[]> {
  const open = `{"${array}":[`;
  let size = open.length + 2 + Math.max(0, texts.length - 1);
  for (const t of texts) size += t.bytes;
  const buf = Buffer.allocUnsafeSlow(size);
  let at = buf.write(open, 0, 'latin1');
  for (let i = 0; i < texts.length; i++) {
    if (i > 0) buf[at++] = COMMA;
    at = writeTrackObject(buf, at, texts[i] as TrackObjectText);
  }
  buf[at++] = 0x5d;
  buf[at++] = CLOSE_BRACE;
  // Sizes come from the mapper; never send stale bytes past the end if one were off.
  const bytes = at === size ? buf : buf.subarray(0, at);
  let objects: Record<string, unknown>[] | undefined;
  const body = {} as Record<K, Record<string, unknown>[]>;
  Object.defineProperty(body, array, {
    enumerable: true,
    get: () => (objects ??= (JSON.parse(bytes.toString('utf8')) as Record<string, Record<string, unknown>[]>)[array]),
  });
  bodies.set(body, bytes);
  return body;
}

/** What to send for a request body: the prepared bytes, or the body serialised. */
export function requestBody(body: object): Buffer | string {
  return bodies.get(body) ?? JSON.stringify(body);
}
