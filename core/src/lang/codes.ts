/**
 * Every diagnostic code brazesync emits. Codes are stable: scripts filter on them and the README
 * documents each under a heading of the same name (a test keeps the two in step).
 */
export const DIAGNOSTIC_CODES = [
  'yaml-syntax',
  'duplicate-key',
  'multiple-documents',
  'unknown-field',
  'missing-field',
  'wrong-type',
  'invalid-value',
  'invalid-format',
  'out-of-range',
  'invalid-name',
  'duplicate-item',
  'schedule-syntax',
  'schedule-too-frequent',
  'schedule-too-rare',
  'unknown-connection',
  'duplicate-table',
  'invalid-email',
  'unknown-timezone',
  'invalid-table-name',
  'plaintext-secret',
  'braze-target',
  'insecure-endpoint',
  'data-type-immutable',
  'connection-in-use',
  'untested-active-sync',
  'incomplete-smtp-login',
  'iam-target',
  'ignored-field',
  'missing-catalog',
  'catalog-name-mismatch',
  'send-not-diffable',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export const DOCS_URL = 'https://github.com/brazesync/brazesync#diagnostics';

/** Link to the README section of a code (GitHub anchors of `### \`code\`` headings). */
export function docsUrlFor(code: string): string {
  return `https://github.com/brazesync/brazesync#${code}`;
}
