/**
 * Rules on `send` and `resend_every`: only custom_attributes and catalog_items rows can be diffed
 * (per profile, per item; each event, purchase or user delete row is a new occurrence, never
 * "unchanged"), and `resend_every` does something only with `send: changed`.
 */
import { isDiffable } from '../model/sync-file';
import type { Problem } from './problem';
import type { SyncView } from './rule-context';

export function checkSendMode(sync: SyncView): Problem[] {
  const send = sync.fields.get('send');
  const dataType = sync.facts.dataType;
  const problems: Problem[] = [];
  if (send?.js === 'changed' && dataType !== undefined && !isDiffable(dataType)) {
    problems.push({
      code: 'send-not-diffable',
      severity: 'error',
      message: `\`send: changed\` works only for \`custom_attributes\` and \`catalog_items\` syncs; each ${dataType} row is a new occurrence that must be sent. Use \`send: all\` (or remove \`send\`).`,
      ...send.value,
      fixes: [{ title: 'Change to `send: all`', edits: [{ ...send.value, newText: 'all' }], preferred: true }],
    });
  }
  const resend = sync.fields.get('resend_every');
  if (resend && send?.js !== 'changed') {
    problems.push({
      code: 'ignored-field',
      severity: 'warning',
      message: '`resend_every` is used only with `send: changed` (with `send: all` every row is sent whole anyway). Remove it, or set `send: changed`.',
      ...resend.key,
    });
  }
  return problems;
}
