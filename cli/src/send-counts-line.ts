/**
 * The line of a run summary that says what reached Braze: objects and attributes sent, and with
 * `send: changed` the attributes left out as unchanged (each one a data point not billed).
 */
import type { RunRecord } from '../../core/src/state/run-record';
import { formatCount } from './sync-args';

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

export function sendCountsLine(run: RunRecord): string | undefined {
  if (run.objects_sent === undefined) return undefined;
  const parts = [`sent ${plural(run.objects_sent, 'object')}`];
  if (run.attributes_sent || run.attributes_unchanged) parts.push(plural(run.attributes_sent ?? 0, 'attribute'));
  if (run.attributes_unchanged) parts.push(`${plural(run.attributes_unchanged, 'unchanged attribute')} left out (${plural(run.data_points_saved ?? 0, 'data point')} saved)`);
  return parts.join(' · ');
}
