/**
 * Pages of rows handed over once what planning their rows needs is loaded (`load`: a remote diff
 * store's records, one query per page), the next page's load started before the current page is
 * handed over, so that query runs while the current page is mapped and sent rather than between
 * pages. At most two pages' loads are outstanding, which is what the store keeps (diff-store.ts).
 */
import type { SourceRow } from './ports';

export async function* loadedAhead(pages: AsyncIterable<SourceRow[]>, load: (page: readonly SourceRow[]) => Promise<void>): AsyncGenerator<SourceRow[]> {
  let held: { page: SourceRow[]; loaded: Promise<void> } | undefined;
  for await (const page of pages) {
    const next = { page, loaded: load(page) };
    // Awaited when its page is handed over; a run that stops first never asks.
    next.loaded.catch(() => undefined);
    if (held) {
      await held.loaded;
      yield held.page;
    }
    held = next;
  }
  if (held) {
    await held.loaded;
    yield held.page;
  }
}
