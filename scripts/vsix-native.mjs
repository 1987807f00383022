// Puts lmdb (send: changed's local diff store: a native module the esbuild bundles leave out) and
// the packages it loads into dist/node_modules, beside the bundles, for `npm run package`: the
// extension's `require('lmdb')` from dist/extension.js then finds it inside the .vsix (vsce's
// --no-dependencies leaves the root node_modules out, not this folder). Which prebuilt binary it
// carries is whichever npm installed here, for the platform packaging runs on (linux-x64 for our
// builds): its N-API builds load in VS Code's Electron and in code-server's Node. On any other
// platform lmdb can't load, and a send: changed run from VS Code sends every attribute, saying so.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const modules = path.join(root, 'node_modules');
const out = path.join(root, 'dist', 'node_modules');
/**
 * Not loaded at run time: msgpackr-extract speeds up msgpackr, a serialiser the diff store does not
 * use (records are raw bytes); node-addon-api and lmdb's C sources only build lmdb from source,
 * which a .vsix never does.
 */
const SKIP = new Set(['msgpackr-extract', 'node-addon-api']);
const SOURCES = ['lmdb/dependencies', 'lmdb/src', 'lmdb/binding.gyp', 'lmdb/node_modules/node-addon-api'];
/** Packages' own tests and tool folders (.claude, .github) are not run either. */
const kept = (file) => {
  const rel = path.relative(modules, file).split(path.sep).join('/');
  return !SOURCES.some((s) => rel.startsWith(s)) && !rel.split('/').some((part) => part.startsWith('.') || part === 'tests');
};

/** The folder of package `name` as Node resolves it from `fromDir` (exports may hide package.json). */
function findPackage(name, fromDir) {
  for (let dir = fromDir; dir.startsWith(root); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  return undefined;
}

/** lmdb and what it loads: its dependencies, and those optional ones npm installed (its platform binary). */
function closure(name, fromDir, found) {
  const dir = findPackage(name, fromDir);
  if (!dir) return;
  if (found.has(dir)) return;
  found.add(dir);
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
    if (!SKIP.has(dep)) closure(dep, dir, found);
  }
}

const found = new Set();
closure('lmdb', root, found);
if (!found.size) throw new Error('lmdb is not installed: run npm ci first.');
const binaries = [...found].filter((dir) => path.basename(path.dirname(dir)) === '@lmdb');
if (binaries.length === 0) throw new Error(`No lmdb prebuilt binary is installed for ${process.platform}-${process.arch}: the .vsix would not carry one.`);
rmSync(out, { recursive: true, force: true });
for (const dir of found) {
  // Nested packages (lmdb/node_modules/…) come with their parent; the rest keep their place.
  if ([...found].some((other) => other !== dir && dir.startsWith(other + path.sep))) continue;
  const to = path.join(out, path.relative(modules, dir));
  mkdirSync(path.dirname(to), { recursive: true });
  cpSync(dir, to, { recursive: true, dereference: true, filter: kept });
}
console.log(`vsix-native: ${[...found].map((d) => path.relative(modules, d)).join(', ')} → dist/node_modules`);
