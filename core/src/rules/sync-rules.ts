/**
 * Rules that look at one sync alone. Their results depend only on the sync's own text, so they
 * are cached with its segment (in local offsets) and re-run only when that sync changes.
 */
import { isSeq, type Node } from 'yaml';
import { localScalarSource, localSpan } from '../parse/nodes';
import { parseSchedule, type ScheduleParseResult } from '../schedule/parse-schedule';
import type { Problem } from './problem';
import { isValidName } from '../schema/schema';
import type { SyncView } from './rule-context';
import { checkCatalog } from './catalog-rules';
import { checkSendMode } from './send-rules';

// Pragmatic address check (RFC 5322 allows more, Braze and mail servers accept less).
const EMAIL = /^[^\s@"<>(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function checkSyncName(sync: SyncView): Problem[] {
  if (isValidName(sync.name)) return [];
  return [{ code: 'invalid-name', severity: 'error', message: `Sync name \`${sync.name}\` is not valid: use a letter, then letters, digits, \`_\` or \`-\` (at most 64 characters).`, ...sync.nameSpan }];
}

/**
 * Parse results by schedule text: a file repeats a handful of schedules over all its syncs, and
 * opening one parsed the same few texts a thousand times. Bounded; results are only read.
 */
const schedules = new Map<string, ScheduleParseResult>();
const MAX_SCHEDULES = 512;

function parsedSchedule(text: string): ScheduleParseResult {
  let result = schedules.get(text);
  if (!result) {
    if (schedules.size >= MAX_SCHEDULES) schedules.clear();
    schedules.set(text, (result = parseSchedule(text)));
  }
  return result;
}

export function checkSchedule(sync: SyncView): Problem[] {
  const field = sync.fields.get('schedule');
  const source = field?.pair.value ? localScalarSource(field.pair.value) : undefined;
  if (!source) return [];
  const result = parsedSchedule(source.text);
  if (result.ok) return [];
  const start = source.start + result.start;
  const end = source.start + result.end;
  const fixed = result.replacement === undefined ? undefined : source.text.slice(0, result.start) + result.replacement + source.text.slice(result.end);
  return [
    {
      code: result.code,
      severity: 'error',
      message: result.message,
      start,
      end: Math.max(end, start + 1),
      ...(fixed !== undefined ? { fixes: [{ title: `Change to \`${fixed}\``, edits: [{ start, end, newText: result.replacement ?? '' }], preferred: true }] } : {}),
    },
  ];
}

export function checkTable(sync: SyncView): Problem[] {
  const field = sync.fields.get('table');
  const source = field?.pair.value ? localScalarSource(field.pair.value) : undefined;
  // The view parsed the same text (the scalar's value) for the cross-sync rules.
  const result = sync.facts.tableParse;
  if (!source || !result || result.ok) return [];
  return [{ code: 'invalid-table-name', severity: 'error', message: result.message, start: source.start + result.start, end: source.start + Math.max(result.end, result.start + 1) }];
}

export function checkContacts(sync: SyncView): Problem[] {
  const list = sync.fields.get('contacts')?.pair.value;
  if (!isSeq(list)) return [];
  const problems: Problem[] = [];
  for (const item of list.items as Node[]) {
    const source = localScalarSource(item);
    if (!source || EMAIL.test(source.text.trim())) continue;
    problems.push({
      code: 'invalid-email',
      severity: 'error',
      message: `\`${source.text}\` is not an email address; contacts must be addresses like data-eng@example.com.`,
      ...localSpan(item),
    });
  }
  return problems;
}

export const syncRules: readonly ((sync: SyncView) => Problem[])[] = [checkSyncName, checkSchedule, checkTable, checkContacts, checkCatalog, checkSendMode];
