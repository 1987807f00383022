/**
 * What the scheduler does with each sync of a valid file: schedule it, or say why not (draft,
 * manual). Whether an active sync passed Test Connection is decided at each tick instead, from
 * recorded state, so a test run while the scheduler is up takes effect at the next tick.
 */
import { DEFAULT_STATUS, DEFAULT_TIMEZONE, type SyncFile } from '../model/sync-file';
import { formatSchedule, parseSchedule, type Schedule } from '../schedule';

export type SyncPlan =
  | { kind: 'scheduled'; schedule: Schedule; text: string; timeZone: string }
  | { kind: 'not-scheduled'; reason: 'draft' | 'manual' | 'bad-schedule'; text: string; timeZone: string };

export function planFor(file: SyncFile, syncName: string): SyncPlan {
  const sync = file.syncs[syncName];
  const timeZone = file.braze.timezone ?? DEFAULT_TIMEZONE;
  const parsed = parseSchedule(sync?.schedule ?? '');
  // A validated file always parses; the guard keeps a bad schedule from ever being run.
  if (!sync || !parsed.ok) return { kind: 'not-scheduled', reason: 'bad-schedule', text: sync?.schedule ?? '', timeZone };
  const text = formatSchedule(parsed.schedule);
  if ((sync.status ?? DEFAULT_STATUS) !== 'active') return { kind: 'not-scheduled', reason: 'draft', text, timeZone };
  if (parsed.schedule.kind === 'manual') return { kind: 'not-scheduled', reason: 'manual', text, timeZone };
  return { kind: 'scheduled', schedule: parsed.schedule, text, timeZone };
}

export function samePlan(a: SyncPlan, b: SyncPlan): boolean {
  const key = (p: SyncPlan) => `${p.kind === 'scheduled' ? p.kind : p.reason} ${p.timeZone} ${p.text}`;
  return key(a) === key(b);
}

export const NOT_SCHEDULED_REASONS: Record<Extract<SyncPlan, { kind: 'not-scheduled' }>['reason'], string> = {
  draft: 'status is draft; set status: active (after a passing Test Connection) to schedule it',
  manual: 'schedule is manual; it runs only on Sync Now (brazesync sync)',
  'bad-schedule': 'its schedule does not parse',
};
