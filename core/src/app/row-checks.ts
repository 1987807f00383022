/**
 * The checklist lines about the rows: what the SQL audit checked over every pending row, and what
 * only the previewed rows were checked for. A line gets `ok` only when its check ran on every row.
 */
import type { SyncPreview } from '../sync/preview';
import { PROBLEM_LABEL, describeProblems, failingCount, type WindowAudit } from '../sync/window-audit';
import type { ConnectionCheck } from './connection-check';

export function rowChecks(preview: SyncPreview): ConnectionCheck[] {
  return [auditCheck(preview), contentsCheck(preview)];
}

function auditCheck(preview: SyncPreview): ConnectionCheck {
  const audit = preview.audit;
  if (!audit) {
    return { name: 'preview', status: 'skipped', message: `Not checked: the query checking every pending row failed (${preview.audit_failed ?? 'no reason given'}); only the previewed rows below were checked.` };
  }
  const failing = failingCount(audit);
  const found = describeProblems(audit);
  const notChecked = audit.notChecked.length ? ` Not checked: ${audit.notChecked.join(' ')}` : '';
  if (found.length === 0) {
    return { name: 'preview', status: audit.notChecked.length ? 'warning' : 'ok', message: `All ${audit.rows} pending row(s) checked: PAYLOAD set, a JSON object and under 1 MB; one identifier per row; UPDATED_AT set.${notChecked}` };
  }
  const lead = failing > 0 ? `${failing} of ${audit.rows} pending row(s) would fail` : `All ${audit.rows} pending row(s) would pass, but`;
  return {
    name: 'preview',
    status: 'warning',
    message: `${lead}: ${found.join('; ')}. ${samplesText(audit)}${notChecked}`,
    ...(failing > 0 ? { fix: 'Fix these rows in the table, or leave them out in a view, before the run: they would be recorded as row errors and not sent.' } : {}),
  };
}

function samplesText(audit: WindowAudit): string {
  if (audit.samples.length === 0) return '';
  return `First: ${audit.samples.map((s) => `${s.identifier} at ${s.updated_at ?? 'UPDATED_AT NULL'} (${PROBLEM_LABEL[s.problem]})`).join(', ')}.`;
}

/** The engine's own row checks (event names, purchase fields, key counts…) ran on the previewed rows only. */
function contentsCheck(preview: SyncPreview): ConnectionCheck {
  const bad = preview.row_errors.length;
  const invalid = bad ? `${bad} invalid (see below)` : 'all valid';
  if (preview.scanned >= preview.pending_rows) {
    return { name: 'contents', status: bad ? 'warning' : 'ok', message: `All ${preview.scanned} pending row(s) checked as the run will: ${invalid}.` };
  }
  return {
    name: 'contents',
    status: bad ? 'warning' : 'skipped',
    message: `Checked in the first ${preview.scanned} row(s) only (${invalid}); not checked in the other ${preview.pending_rows - preview.scanned}: the payload's fields (event names, purchase fields, key counts) need the run's own checks, which SQL cannot express. They run when the rows are sent.`,
  };
}
