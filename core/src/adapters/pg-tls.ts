/**
 * TLS for the warehouse connection: what each `ssl` mode checks, and the CA bundle `ca_file`
 * names (Amazon's Redshift bundle, or a private CA), read when the settings are resolved so a
 * wrong path is a configuration error before anything connects.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { SslMode } from '../model/sync-file';

/** `ca_file` is missing, unreadable or holds no certificate. */
export class CaFileError extends Error {
  constructor(
    readonly field: string,
    readonly file: string,
    reason: string,
  ) {
    super(`${field}: cannot use ${file} as a CA bundle (${reason}). Point it at a PEM file of certificates such as the Redshift CA bundle from Amazon; a relative path is read from the folder of the .brazesync.yaml file.`);
    this.name = 'CaFileError';
  }
}

/** The PEM text of `caFile`, resolved against `baseDir`; throws CaFileError naming the field and path. */
export function readCaFile(caFile: string, field: string, baseDir: string): string {
  const file = path.resolve(baseDir, caFile);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CaFileError(field, file, (err as NodeJS.ErrnoException).code ?? String(err));
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new CaFileError(field, file, 'no PEM certificate in it');
  return pem;
}

/**
 * `require` encrypts without checking the certificate (libpq semantics, not pg's stricter reading).
 * `verify-full` checks the chain, against `ca` when given (it replaces Node's CA store, as
 * libpq's sslrootcert does) or else Node's store plus NODE_EXTRA_CA_CERTS, and the certificate
 * against `host`; pg sends `host` as the TLS server name unless it is an IP address, where SNI
 * is not allowed.
 */
export function tlsOptions(mode: SslMode, ca?: string): false | ConnectionOptions {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  }
}
