import { setFlagsFromString } from 'node:v8';

/**
 * Keeps WebAssembly on V8's baseline compiler (Liftoff). The one WebAssembly module a CLI run
 * loads is undici's HTTP parser (llhttp), and V8's optimising compiler spent about 0.65 s of CPU
 * on a background thread recompiling it after the first Braze requests, which a process then waits
 * for before it may exit: a quarter of a 1,000-row sync (docs/benchmarks.md, "The end of a run").
 * The parser's share of a request is small, so its baseline code costs no measurable speed at
 * 1,000,000 rows. Only for processes of our own (the CLI), never the editor's extension host, where
 * other extensions' WebAssembly runs too. Must run before the first module is compiled; later
 * modules would keep the default.
 */
export function keepWasmOnBaseline(): void {
  setFlagsFromString('--liftoff-only');
}
