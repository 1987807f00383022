/**
 * "Did you mean …" suggestions for field names, enum values, schedule keywords, weekdays, time zones. Edit distance counts
 * an adjacent swap as one edit (optimal string alignment), because `mondya` is one typo, not two.
 */
export function editDistance(a: string, b: string): number {
  // Rows i-2, i-1 and i of the classic dynamic-programming table.
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (prev2[j - 2] ?? 0) + 1);
      row.push(d);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidate nearest to `word` (case-insensitive), or undefined when none is close enough.
 * The default tolerance (one edit per three characters) catches typos without suggesting
 * unrelated words; ties go to the earlier candidate so callers control preference by order.
 */
export function closest(word: string, candidates: readonly string[], maxDistance = Math.max(1, Math.floor(word.length / 3))): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const c of candidates) {
    // The distance is at least the difference in length: most candidates need no table at all.
    if (Math.abs(c.length - w.length) >= bestDistance) continue;
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
