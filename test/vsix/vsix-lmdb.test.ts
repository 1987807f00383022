/**
 * The packaged extension carries lmdb (send: changed's local diff store, a native module): the real
 * `npm run package`, run in a staging folder (so the repository's dist/, which other tests run, is
 * left alone), makes a .vsix; unzipped elsewhere, the diff store bundled beside the extension's
 * bundle loads lmdb from inside it with plain Node (no repository node_modules on the path) and
 * keeps hashes; without the packaged lmdb (a platform with no prebuilt binary) it fails with the
 * reason, which a run turns into "sends every attribute".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const repo = path.resolve(__dirname, '..', '..');
/** Written fresh by the packaging: everything else the package script reads is linked. */
const COPIED = new Set(['scripts']);
const LEFT_OUT = new Set(['.git', 'dist', 'out', 'test', 'bench']);

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
  assert.equal(r.status, 0, `${cmd} ${args[0]} …: ${r.error?.message ?? ''}\n${r.stdout?.slice(-2000)}\n${r.stderr?.slice(-2000)}`);
  return r.stdout;
}

/** Plain Node in `cwd` (outside the repository), opening a diff store with the probe bundled into the unpacked extension. */
function probe(probeFile: string, cwd: string): { ok: true; meta: unknown; record: string } | { ok: false; error: string } {
  const script = `
    const { lmdbDiffStoreFactory } = require(${JSON.stringify(probeFile)});
    (async () => {
      const factory = lmdbDiffStoreFactory(${JSON.stringify(path.join(cwd, 'sync'))});
      const store = await factory.open();
      await store.reset('fp', 0);
      await store.commit(1, [{ key: Buffer.alloc(16, 7), value: Buffer.from('hashes') }]);
      const got = store.get(Buffer.alloc(16, 7));
      const record = got && String.fromCharCode(...got.subarray(0, got.length));
      console.log(JSON.stringify({ ok: true, meta: store.meta(), record, lmdb: require.resolve('lmdb', { paths: [${JSON.stringify(path.dirname(probeFile))}] }) }));
      await store.close();
    })().catch((err) => console.log(JSON.stringify({ ok: false, error: err.message })));`;
  const out = run(process.execPath, ['-e', script], cwd);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as { ok: true; meta: unknown; record: string } | { ok: false; error: string };
}

test('the .vsix carries lmdb and its prebuilt binary; the diff store loads it from the unpacked extension', { timeout: 180_000 }, async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'brazesync-vsix-'));
  try {
    const stage = path.join(work, 'stage');
    cpSync(path.join(repo, 'scripts'), path.join(stage, 'scripts'), { recursive: true });
    for (const name of readdirSync(repo)) {
      if (!COPIED.has(name) && !LEFT_OUT.has(name)) symlinkSync(path.join(repo, name), path.join(stage, name));
    }
    run('npm', ['run', '--silent', 'package'], stage);
    const unpacked = path.join(work, 'unpacked');
    run('unzip', ['-q', path.join(stage, 'dist', 'brazesync.vsix'), '-d', unpacked], work);
    const dist = path.join(unpacked, 'extension', 'dist');
    assert.ok(existsSync(path.join(dist, 'extension.js')));
    const binaries = readdirSync(path.join(dist, 'node_modules', '@lmdb'));
    assert.deepEqual(binaries, [`lmdb-${process.platform}-${process.arch}`], 'the prebuilt binary of the platform it was packaged on');

    // The diff store as the extension bundles it (lmdb left out of the bundle), placed beside extension.js.
    const probeFile = path.join(dist, 'diff-store-probe.js');
    await esbuild.build({ entryPoints: [path.join(repo, 'core/src/adapters/lmdb-diff-store.ts')], outfile: probeFile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['lmdb'], logLevel: 'warning' });
    const elsewhere = path.join(work, 'host');
    cpSync(path.join(work, 'unpacked'), path.join(elsewhere, 'x'), { recursive: true });
    const loaded = probe(path.join(elsewhere, 'x', 'extension', 'dist', 'diff-store-probe.js'), elsewhere);
    assert.ok(loaded.ok, JSON.stringify(loaded).slice(0, 500));
    assert.deepEqual([loaded.meta, loaded.record], [{ seq: 1, fingerprint: 'fp' }, 'hashes']);
    assert.ok((loaded as { lmdb?: string }).lmdb?.startsWith(path.join(elsewhere, 'x', 'extension', 'dist', 'node_modules', 'lmdb')), 'lmdb from inside the extension');

    // A platform the .vsix has no binary for: the store says why, and a run falls back to sending everything.
    rmSync(path.join(elsewhere, 'x', 'extension', 'dist', 'node_modules'), { recursive: true });
    const missing = probe(path.join(elsewhere, 'x', 'extension', 'dist', 'diff-store-probe.js'), mkdtempSync(path.join(elsewhere, 'y-')));
    assert.equal(missing.ok, false);
    assert.match((missing as { error: string }).error, /^lmdb, which keeps the hashes on this machine, can't be loaded on \w+-\w+ \(Cannot find (module|package) 'lmdb'.*\)\. The VS Code extension carries it for linux-x64 only/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
