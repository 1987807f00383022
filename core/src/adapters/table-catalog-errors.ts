/**
 * What finding a table can fail with, each with the fix to apply: shown by Test Connection as the
 * table check, and by a run as its error.
 */
import { quoteIdent } from '../model/table-name';

/** The SQLSTATE of a server error (pg puts it in `code`), if any. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

export class AmbiguousTableError extends Error {
  readonly fix = 'Quote the parts of the name in the file to pick one.';

  constructor(written: string, candidates: string[]) {
    super(`The table ${written} matches several tables that differ only in case: ${candidates.join(', ')}. Quote the parts of the name in the file to pick one.`);
    this.name = 'AmbiguousTableError';
  }
}

export interface PermissionContext {
  written: string;
  user: string;
  /** Set when the table is in another database (a datashare consumer database). */
  database: string | undefined;
  schema: string;
  table: string;
  /** What refused: reading the table, or reading the catalog (the table then looked missing). */
  denied: 'table' | 'catalog';
}

/**
 * The table exists, or may exist, but the user may not read it. Redshift with metadata_security
 * on hides such a table from every catalog view, so without this it would read "not found".
 */
export class CatalogPermissionError extends Error {
  /** The SQLSTATE of "permission denied", so generic diagnosis files it with grants. */
  readonly code = '42501';
  readonly summary: string;
  readonly fix: string;

  constructor(ctx: PermissionContext) {
    const summary =
      ctx.denied === 'table'
        ? `User ${ctx.user} may not read ${ctx.written} (permission denied). The catalog does not list it for this user either: with metadata_security on, Redshift lists only the objects a user has a grant on.`
        : `Table ${ctx.written} was not found, and user ${ctx.user} may not read the catalog that lists it (permission denied): a missing grant may be hiding it.`;
    const fix = grantsFor(ctx);
    super(`${summary}\n${fix}`);
    this.name = 'CatalogPermissionError';
    this.summary = summary;
    this.fix = fix;
  }
}

function grantsFor(ctx: PermissionContext): string {
  const user = quoteIdent(ctx.user);
  if (ctx.database === undefined) {
    const schema = quoteIdent(ctx.schema);
    return `Run as an administrator:\n  GRANT USAGE ON SCHEMA ${schema} TO ${user};\n  GRANT SELECT ON TABLE ${schema}.${quoteIdent(ctx.table)} TO ${user};`;
  }
  // Datashare consumer databases: USAGE on the database grants every shared object, unless the
  // database was created WITH PERMISSIONS, where objects are granted one by one.
  const schema = `${quoteIdent(ctx.database)}.${quoteIdent(ctx.schema)}`;
  return [
    'Run as an administrator of this cluster (the consumer of the datashare):',
    `  GRANT USAGE ON DATABASE ${quoteIdent(ctx.database)} TO ${user};`,
    'and, if the database was created WITH PERMISSIONS:',
    `  GRANT USAGE ON SCHEMA ${schema} TO ${user};`,
    `  GRANT SELECT ON ${schema}.${quoteIdent(ctx.table)} TO ${user};`,
  ].join('\n');
}

/** A `database.schema.table` in another database, on a server that cannot read one from this connection. */
export class WrongDatabaseError extends Error {
  readonly fix: string;

  constructor(readonly tableDatabase: string, readonly connectionDatabase: string) {
    super(
      `The table is in database ${tableDatabase}, but the connection opens database ${connectionDatabase}, and this server cannot read another database's tables (Redshift can, for datashares and cross-database queries on RA3 and Serverless; PostgreSQL cannot).`,
    );
    this.name = 'WrongDatabaseError';
    this.fix = `Set the connection's database to ${tableDatabase}, or drop the database part of \`table\`.`;
  }
}
