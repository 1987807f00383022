/**
 * The Node flags the language server runs with: the extension starts it with them, and so does
 * the benchmark; an editor that starts `node dist/server.js --stdio` itself should pass them too
 * (README). They only change speed.
 *
 * A young generation of 16 MB from the start instead of V8's 1 MB that grows: opening a
 * 1,000-sync file builds about 5 MB of parse trees that all survive, and small semi-spaces copied
 * them scavenge after scavenge. In one process, opening that file took 88–100 ms the first time
 * and 75–84 ms the second with the defaults, 68–76 and 62–70 ms with this. An old generation
 * that starts at 64 MB: the trees promoted by the first opens no longer set off a full collection
 * during the next (second open in the server, medians of 9: 87–96 → 78–85 ms). Both are limits
 * at which V8 collects, not memory taken (docs/benchmarks.md). Set from inside the server they
 * would come too late: V8 sizes the heap at start-up.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--min-semi-space-size=16', '--initial-old-space-size=64'];
