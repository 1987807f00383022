/**
 * `table` values: `schema.table` or `database.schema.table`, each part a Redshift identifier or a
 * double-quoted name. The engine quotes the parts it gets from here; names never reach SQL raw.
 */
export interface TableName {
  database?: string;
  schema: string;
  table: string;
  /** Parts as written, quoted parts unquoted; unquoted parts are case-insensitive (folded to lower case). */
  parts: { name: string; quoted: boolean }[];
}

export type TableNameResult = { ok: true; name: TableName } | { ok: false; message: string; start: number; end: number };

const PLAIN = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const MAX_BYTES = 127; // Redshift identifier limit

export function parseTableName(text: string): TableNameResult {
  const parts: { name: string; quoted: boolean; start: number; end: number }[] = [];
  let i = 0;
  while (i <= text.length) {
    const start = i;
    let name = '';
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= text.length) return { ok: false, message: 'A quoted name is missing its closing `"`.', start, end: text.length };
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += text[i++];
      }
      if (name === '') return { ok: false, message: 'A quoted name cannot be empty.', start, end: i };
    } else {
      const dot = text.indexOf('.', i);
      i = dot === -1 ? text.length : dot;
      name = text.slice(start, i);
      if (!PLAIN.test(name)) {
        const why = name === '' ? 'a name is empty' : `\`${name}\` is not a plain identifier (letters, digits, \`_\`, \`$\`, not starting with a digit); quote it as \`"${name.replace(/"/g, '""')}"\` if it really has that name`;
        return { ok: false, message: `Invalid table name: ${why}.`, start, end: Math.max(i, start + 1) };
      }
    }
    // A plain name is ASCII: its length is its size in bytes.
    if ((quoted ? Buffer.byteLength(name) : name.length) > MAX_BYTES) return { ok: false, message: `\`${name}\` is longer than ${MAX_BYTES} bytes, the Redshift limit for a name.`, start, end: i };
    parts.push({ name: quoted ? name : name.toLowerCase(), quoted, start, end: i });
    if (i >= text.length) break;
    if (text[i] !== '.') return { ok: false, message: `Unexpected \`${text[i]}\` after a quoted name; separate parts with \`.\`.`, start: i, end: i + 1 };
    i++;
    if (i === text.length) return { ok: false, message: 'Invalid table name: it ends with `.`.', start: i - 1, end: i };
  }
  if (parts.length < 2 || parts.length > 3) {
    return { ok: false, message: 'Write the table as `schema.table` or `database.schema.table`, e.g. `INGESTION.USERS_ATTRIBUTES_SYNC`.', start: 0, end: text.length };
  }
  const [a, b, c] = parts.map((p) => p.name);
  const name: TableName = c === undefined ? { schema: a ?? '', table: b ?? '', parts } : { database: a ?? '', schema: b ?? '', table: c, parts };
  name.parts = parts.map(({ name: n, quoted }) => ({ name: n, quoted }));
  return { ok: true, name };
}

/** Double-quotes an identifier for SQL, doubling embedded quotes. */
export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** The qualified, fully quoted SQL name. */
export function qualifiedSql(name: TableName): string {
  return name.parts.map((p) => quoteIdent(p.name)).join('.');
}
