/**
 * The local server's user routes, after the arrival checks and the body check: `POST /users/track`
 * (75 objects, minor errors in a 201 answer, profiles updated in the order Braze processes them)
 * and `POST /users/delete` (50 identifiers).
 */
import { MAX_DELETE_IDS, TRACK_ARRAYS, isUserAlias, type TrackArray } from '../sync/braze-contract';
import type { Answer } from './api-answer';
import { BLACKLISTED, checkObject, type UserRef } from './object-rules';
import type { ProfileStore } from './profile-store';
import type { ServerStats } from './server-stats';

export interface UsersApiLimits {
  maxObjects: number;
  /** External ids starting with this are "blacklisted"; '' disables. */
  blockedPrefix: string;
}

export class UsersApi {
  constructor(
    private readonly store: ProfileStore,
    private readonly stats: ServerStats,
    private readonly limits: UsersApiLimits,
  ) {}

  track(body: Record<string, unknown>): Answer {
    const arrays: [TrackArray, unknown[]][] = [];
    for (const name of TRACK_ARRAYS) {
      const list = body[name];
      if (list === undefined) continue;
      if (!Array.isArray(list)) return { status: 400, body: { message: `'${name}' must be an array` } };
      arrays.push([name, list]);
    }
    if (arrays.length === 0) return { status: 400, body: { message: "Request must include 'attributes', 'events' or 'purchases'" } };
    const total = arrays.reduce((n, [, list]) => n + list.length, 0);
    const { maxObjects } = this.limits;
    if (total > maxObjects) return { status: 400, body: { message: 'Max Input Length Exceeded', errors: [`${total} objects in one request; at most ${maxObjects} are allowed`] } };
    const errors: { type: string; input_array: TrackArray; index: number }[] = [];
    const response: Record<string, unknown> = { message: 'success' };
    // Braze processes attributes, then events, then purchases.
    for (const [name, list] of arrays) {
      let processed = 0;
      for (let index = 0; index < list.length; index++) {
        const problem = this.applyObject(name, list[index]);
        if (problem) errors.push({ type: problem, input_array: name, index });
        else {
          processed++;
          if (name === 'attributes') this.stats.counts.dataPoints += dataPoints(list[index] as Record<string, unknown>);
        }
      }
      this.stats.counts.objects[name] += processed;
      response[`${name}_processed`] = processed;
    }
    this.stats.counts.objects.errors += errors.length;
    if (errors.length > 0) response.errors = errors;
    return { status: 201, body: response, objects: total, objectErrors: errors.length };
  }

  deleteUsers(body: Record<string, unknown>): Answer {
    const refs = deleteRefs(body);
    if (!Array.isArray(refs)) return refs;
    if (refs.length === 0) return { status: 400, body: { message: "Request must include 'external_ids', 'user_aliases' or 'braze_ids'" } };
    if (refs.length > MAX_DELETE_IDS) return { status: 400, body: { message: `Too many identifiers: ${refs.length} in one request, at most ${MAX_DELETE_IDS} are allowed` } };
    for (const ref of refs) if (this.store.delete(ref)) this.stats.counts.objects.deleted++;
    return { status: 201, body: { message: 'success', deleted: refs.length }, objects: refs.length };
  }

  private applyObject(array: TrackArray, value: unknown): string | undefined {
    const checked = checkObject(array, value);
    if (!checked.ok) return checked.problem;
    const { ref, object } = checked;
    const { blockedPrefix } = this.limits;
    if ('external_id' in ref && blockedPrefix !== '' && ref.external_id.startsWith(blockedPrefix)) return BLACKLISTED;
    // Alias-only profiles are created only by attributes with `_update_existing_only: false`.
    const create = 'user_alias' in ref ? array === 'attributes' && object._update_existing_only === false : object._update_existing_only !== true;
    this.store.track(array, ref, object, create);
    return undefined;
  }
}

/** The profiles a delete request names, or the 400 answer for a malformed one. */
function deleteRefs(body: Record<string, unknown>): UserRef[] | Answer {
  const refs: UserRef[] = [];
  const unsupported = Object.keys(body).filter((k) => !['external_ids', 'user_aliases', 'braze_ids'].includes(k));
  if (unsupported.length > 0) return { status: 400, body: { message: `Unsupported field ${unsupported.map((k) => `'${k}'`).join(', ')}: the local server deletes by 'external_ids', 'user_aliases' or 'braze_ids'` } };
  for (const [field, key] of [['external_ids', 'external_id'], ['braze_ids', 'braze_id']] as const) {
    const list = body[field];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'string' && v !== '')) return { status: 400, body: { message: `'${field}' must be an array of non-empty strings` } };
    for (const v of list as string[]) refs.push(key === 'external_id' ? { external_id: v } : { braze_id: v });
  }
  const aliases = body.user_aliases;
  if (aliases !== undefined) {
    if (!Array.isArray(aliases) || !aliases.every(isUserAlias)) return { status: 400, body: { message: "'user_aliases' must be an array of {alias_name, alias_label} objects" } };
    for (const a of aliases) refs.push({ user_alias: a });
  }
  return refs;
}

const NOT_DATA_POINTS = new Set(['external_id', 'user_alias', 'braze_id', '_update_existing_only', '_merge_objects']);

/** Keys of an accepted attributes object that Braze bills: not its identifier or control keys. */
function dataPoints(object: Record<string, unknown>): number {
  const identifiedOtherwise = 'external_id' in object || 'user_alias' in object || 'braze_id' in object;
  let n = 0;
  for (const key of Object.keys(object)) {
    if (NOT_DATA_POINTS.has(key)) continue;
    // email (or phone without email) identifies the user unless another identifier does.
    if (!identifiedOtherwise && (key === 'email' || (key === 'phone' && !('email' in object)))) continue;
    n++;
  }
  return n;
}
