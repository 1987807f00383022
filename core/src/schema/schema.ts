/**
 * The JSON Schema (single source of truth) and the ajv validators derived from it, compiled ahead
 * of time (scripts/generate-validators.mjs). The header validator checks everything but the sync
 * entries, which are validated one by one so an edit inside one sync re-validates only that sync.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import rawSchema from '../../../schemas/brazesync.schema.json';
import * as generated from './validators.generated';

export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  markdownDescription?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  enumDescriptions?: string[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  items?: JsonSchema;
  $ref?: string;
  definitions?: Record<string, JsonSchema>;
  defaultSnippets?: { label?: string; description?: string; body: unknown }[];
};

export const schema = rawSchema as unknown as JsonSchema;

const validators = generated as Record<'header' | 'sync' | 'name', ValidateFunction>;

export function validateHeaderValue(value: unknown): ErrorObject[] {
  const v = validators.header;
  return v(value) ? [] : [...(v.errors ?? [])];
}

export function validateSyncValue(value: unknown): ErrorObject[] {
  const v = validators.sync;
  return v(value) ? [] : [...(v.errors ?? [])];
}

export function isValidName(name: string): boolean {
  return validators.name(name) === true;
}

/** Resolves a local `$ref` (`#/definitions/x`) against the root schema. */
export function deref(s: JsonSchema | undefined): JsonSchema | undefined {
  let cur = s;
  for (let i = 0; cur?.$ref && i < 8; i++) {
    const ref: string = cur.$ref;
    const name = ref.replace(/^#\/definitions\//, '');
    const target = schema.definitions?.[name];
    const { $ref: _ignored, ...rest } = cur;
    cur = target ? { ...target, ...rest } : undefined;
  }
  return cur;
}

/** The schema describing the value at `path` from the root (keys and indexes), if any. */
export function schemaAtPath(path: readonly (string | number)[]): JsonSchema | undefined {
  let cur = deref(schema);
  for (const step of path) {
    if (!cur) return undefined;
    if (typeof step === 'number') cur = deref(cur.items);
    else cur = deref(cur.properties?.[step] ?? (typeof cur.additionalProperties === 'object' ? cur.additionalProperties : undefined));
  }
  return cur;
}
