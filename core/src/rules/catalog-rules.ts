/**
 * Rules for catalog syncs (`data_type: catalog_items`, braze-cdi.md §2.5): a catalog sync names
 * its catalog, Braze asks that the integration's name match the catalog's, and `catalog` means
 * nothing on a user-data sync.
 */
import { DATA_TYPES } from '../model/sync-file';
import type { Problem } from './problem';
import type { Field, SyncView } from './rule-context';
import { stringField } from './views';

export const CATALOG_DATA_TYPE = 'catalog_items';

/** Offset of the start of the line holding `offset` in `text`. */
function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** `catalog: <name>` on the line after `data_type`, at its indentation. */
function addCatalogFix(sync: SyncView, dataType: Field): NonNullable<Problem['fixes']> {
  const text = sync.segment.text;
  const indent = text.slice(lineStart(text, dataType.key.start), dataType.key.start);
  if (indent.trim() !== '') return []; // a flow mapping: no line to add
  // Sync names are valid catalog names; Braze asks for the same name.
  return [{ title: `Add \`catalog: ${sync.name}\``, edits: [{ start: dataType.value.end, end: dataType.value.end, newText: `\n${indent}catalog: ${sync.name}` }], preferred: true }];
}

export function checkCatalog(sync: SyncView): Problem[] {
  const dataType = sync.fields.get('data_type');
  const catalog = sync.fields.get('catalog');
  if (sync.facts.dataType !== CATALOG_DATA_TYPE) {
    // An unknown data type is the schema's to report; whether `catalog` applies is then unknown.
    if (!catalog || !(DATA_TYPES as readonly (string | undefined)[]).includes(sync.facts.dataType)) return [];
    return [{ code: 'ignored-field', severity: 'warning', message: `\`catalog\` is used only with \`data_type: ${CATALOG_DATA_TYPE}\`; sync \`${sync.name}\` is \`${sync.facts.dataType}\`. Remove it.`, ...catalog.key }];
  }
  if (!catalog) {
    if (!dataType) return [];
    return [
      {
        code: 'missing-catalog',
        severity: 'error',
        message: `Sync \`${sync.name}\` is a catalog sync but names no catalog: add \`catalog: <name>\` with the Braze catalog its items go to (create the catalog and its fields in Braze first).`,
        ...dataType.value,
        fixes: addCatalogFix(sync, dataType),
      },
    ];
  }
  const name = stringField(sync.fields, 'catalog');
  if (name === undefined || name === sync.name) return [];
  return [
    {
      code: 'catalog-name-mismatch',
      severity: 'warning',
      message: `Sync \`${sync.name}\` writes to catalog \`${name}\`: Braze asks that a catalog sync's name exactly match its catalog. Rename the sync to \`${name}\` (a new sync: its watermark starts over), or ignore this if the names must differ.`,
      ...catalog.value,
    },
  ];
}
