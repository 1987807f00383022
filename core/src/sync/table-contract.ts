/**
 * Does a source table fit its data type (braze-cdi.md §1, §1.3 for catalogs)? Used before every run (a sync-level
 * error, nothing read) and by test-connection (with the DDL to fix it).
 */
import type { DataType } from '../model/sync-file';
import type { SourceColumn } from './source-reader';

export interface ContractIssue {
  severity: 'error' | 'warning';
  message: string;
}

const TEXT_TYPES = /^(character varying|varchar|character|char|bpchar|text|nvarchar|nchar|name|string)\b/;
// `string`: how Spectrum external tables name their text columns.
const PAYLOAD_TYPES = /^(character varying|varchar|character|char|bpchar|text|nvarchar|string|super|json|jsonb)\b/;
const TIME_TYPES = /^(timestamp|timestamptz|date)\b/;

const USER_ID_COLUMNS = ['external_id', 'alias_name', 'alias_label', 'braze_id', 'email', 'phone'];
const BOOLEAN_TYPES = /^(boolean|bool)\b/;

type Columns = Map<string, SourceColumn>;

export function checkTableContract(dataType: DataType, columns: SourceColumn[]): ContractIssue[] {
  const issues: ContractIssue[] = [];
  const col: Columns = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const error = (message: string) => issues.push({ severity: 'error', message });
  const updated = col.get('updated_at');
  if (!updated) error('The table has no UPDATED_AT column (the time each row was added or changed, in UTC).');
  else if (!TIME_TYPES.test(updated.type)) error(`UPDATED_AT has type ${updated.type}; it must be a timestamp (timestamptz preferred) so rows can be read in order.`);
  if (dataType === 'catalog_items') return [...issues, ...catalogIssues(col)];
  if (col.has('deleted')) {
    error(`The table has a DELETED column, which only catalog syncs use: a ${dataType} sync would ignore it, so rows meant as deletions would be applied. Drop the column (or read from a view without it); to delete users, sync the rows to a user_deletes sync.`);
  }

  const payload = col.get('payload');
  if (dataType === 'user_deletes') {
    if (payload) error('User-delete tables must not have a PAYLOAD column: Braze refuses them to prevent accidental permanent deletion. Drop the column or read from a view without it.');
  } else if (!payload) {
    error('The table has no PAYLOAD column (a JSON object string with the fields to apply).');
  } else if (!PAYLOAD_TYPES.test(payload.type)) {
    error(`PAYLOAD has type ${payload.type}; use varchar (JSON text) or SUPER.`);
  }

  const idNames = dataType === 'user_deletes' ? ['external_id', 'alias_name', 'alias_label', 'braze_id'] : USER_ID_COLUMNS;
  const ids = idNames.filter((n) => col.has(n));
  if (ids.length === 0) {
    error(`The table has no identifier column; add one of ${dataType === 'user_deletes' ? 'EXTERNAL_ID, ALIAS_NAME + ALIAS_LABEL, BRAZE_ID' : 'EXTERNAL_ID, ALIAS_NAME + ALIAS_LABEL, BRAZE_ID, EMAIL, PHONE'}.`);
  }
  if (col.has('alias_name') !== col.has('alias_label')) {
    error(`The table has ${col.has('alias_name') ? 'ALIAS_NAME without ALIAS_LABEL' : 'ALIAS_LABEL without ALIAS_NAME'}; an alias needs both columns.`);
  }
  for (const n of ids) {
    const c = col.get(n);
    if (c && !TEXT_TYPES.test(c.type)) error(`${n.toUpperCase()} has type ${c.type}; identifiers must be strings (varchar). Cast it in a view, e.g. CAST(${n} AS VARCHAR).`);
  }
  if (dataType === 'user_deletes') {
    for (const n of ['email', 'phone'].filter((x) => col.has(x))) {
      issues.push({ severity: 'warning', message: `${n.toUpperCase()} is ignored by user deletes (Braze deletes by EXTERNAL_ID, alias or BRAZE_ID only).` });
    }
  }
  return issues;
}

/** Catalog tables (braze-cdi.md §1.3): UPDATED_AT, ID, PAYLOAD, optional DELETED, and no user identifiers. */
function catalogIssues(col: Columns): ContractIssue[] {
  const issues: ContractIssue[] = [];
  const error = (message: string) => issues.push({ severity: 'error', message });
  const id = col.get('id');
  if (!id) error('The table has no ID column (the catalog item id, a string).');
  else if (!TEXT_TYPES.test(id.type) && id.type !== 'super') error(`ID has type ${id.type}; catalog item ids must be strings (varchar). Cast it in a view, e.g. CAST(id AS VARCHAR) AS id.`);
  const payload = col.get('payload');
  if (!payload) error("The table has no PAYLOAD column (the item's fields as a JSON object).");
  else if (!PAYLOAD_TYPES.test(payload.type)) error(`PAYLOAD has type ${payload.type}; use varchar (JSON text) or SUPER.`);
  const deleted = col.get('deleted');
  if (deleted && !BOOLEAN_TYPES.test(deleted.type)) error(`DELETED has type ${deleted.type}; it must be boolean (true deletes the item). Cast it in a view, e.g. CAST(deleted AS BOOLEAN) AS deleted.`);
  const userIds = USER_ID_COLUMNS.filter((n) => col.has(n)).map((n) => n.toUpperCase());
  if (userIds.length > 0) {
    error(`The table has user identifier column(s) ${userIds.join(', ')}, but catalog items are identified by ID alone: drop them, or read from a view that selects only UPDATED_AT, ID, PAYLOAD and DELETED.`);
  }
  return issues;
}
