/**
 * Domain documentation for values that the schema alone cannot explain: what a Braze instance
 * means for the Redshift firewall, which columns a data type needs, where `${env:…}` values come
 * from. Shown in hovers and in the documentation of completion items.
 */
import type { BrazeInstance } from '../model/braze-instances';
import { schemaAtPath } from '../schema/schema';
import { code, enumDescription } from './schema-docs';

export function instanceMarkdown(instance: BrazeInstance): string {
  return [
    `**Braze instance ${code(instance.id)}**`,
    `REST host: ${code(instance.restHost)}`,
    "Braze connects to Redshift from these IP addresses: allow them in the cluster's security group (inbound, on the cluster's port, 5439 by default).",
    '```text\n' + instance.ips.join('\n') + '\n```',
  ].join('\n\n');
}

const IDENTIFIERS = '`EXTERNAL_ID`, `ALIAS_NAME` + `ALIAS_LABEL`, `BRAZE_ID`, `EMAIL` or `PHONE`';
const DELETE_IDENTIFIERS = '`EXTERNAL_ID`, `ALIAS_NAME` + `ALIAS_LABEL` or `BRAZE_ID`';

/** The columns a sync's table or view needs for `dataType` (braze-cdi.md §1.1, §1.3). */
export function requiredColumnsMarkdown(dataType: string): string {
  if (dataType === 'catalog_items') {
    return 'Required columns: `UPDATED_AT`, `ID` (the item id: letters, digits, `-` and `_`, at most 250) and `PAYLOAD` (the item\'s fields as a JSON object, without `id`); optional `DELETED` (boolean: `true` deletes the item). The table has no user identifier columns. Name the catalog in `catalog`.';
  }
  return dataType === 'user_deletes'
    ? `Required columns: \`UPDATED_AT\` and one identifier per row: ${DELETE_IDENTIFIERS}. The table must have **no** \`PAYLOAD\` column (the sync refuses to run, so no user is deleted by mistake).`
    : `Required columns: \`UPDATED_AT\`, \`PAYLOAD\` (a JSON object) and one identifier per row: ${IDENTIFIERS}.`;
}

/** What a data type means and which columns it needs; undefined for an unknown type. */
export function dataTypeMarkdown(dataType: string): string | undefined {
  const description = enumDescription(schemaAtPath(['syncs', '*', 'data_type']), dataType);
  if (description === undefined) return undefined;
  return [`**Data type ${code(dataType)}**`, description, requiredColumnsMarkdown(dataType), 'Fixed once the sync has run: to change it, create a new sync.'].join('\n\n');
}

export function envRefMarkdown(variable: string): string {
  return [
    `**Secret from the environment: ${code(variable)}**`,
    `Resolved when the sync runs, never stored in the file: the CLI reads the environment variable ${code(variable)} (\`export ${variable}=…\`); VS Code asks for the value once and keeps it in its secret storage.`,
  ].join('\n\n');
}
