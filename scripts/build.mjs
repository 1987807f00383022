// Generates the schema validators (generate-validators.mjs), then bundles the three entry points with esbuild. Type checking is separate (`npm run check-types`).
import * as esbuild from 'esbuild';
import { generateValidators } from './generate-validators.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // pg's optional native binding is never used; bundling it would fail. lmdb (the diff store) is a
  // native module: it is loaded from node_modules when a `send: changed` sync first needs it.
  external: ['pg-native', 'lmdb'],
};

const entries = [
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' },
  // The CLI runs beside its node_modules: what few of its runs need (AWS for IAM, SMTP for notices,
  // migrations) is loaded from there when first needed, not parsed at every start.
  { entryPoints: ['cli/src/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, external: [...common.external, '@aws-sdk/client-redshift', '@aws-sdk/client-redshift-serverless', 'nodemailer', 'umzug'] },
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'pg-native', 'lmdb'] },
];

generateValidators();
const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
