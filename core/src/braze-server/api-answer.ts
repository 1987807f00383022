/** What an API route answers, and the JSON-object body check the user and catalog writes share. */
import { isPlainObject } from '../sync/braze-contract';

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Objects (or ids, or items) the request carried, for the request log. */
  objects?: number;
  objectErrors?: number;
}

/** The body as a JSON object, or the 413 / 400 answer Braze gives instead. */
export function parseBody(body: Buffer, maxBody: number): Answer | { json: Record<string, unknown> } {
  if (body.length > maxBody) return { status: 413, body: { message: 'Request Entity Too Large' } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { status: 400, body: { message: 'Invalid JSON in request body' } };
  }
  if (!isPlainObject(parsed)) return { status: 400, body: { message: 'Request body must be a JSON object' } };
  return { json: parsed };
}
