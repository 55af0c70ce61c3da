// "Did you mean …?" for unknown mnemonics, registers and names. Bounded: a suggestion is at most
// MAX_SUGGESTION_DISTANCE edits away, so only a band of the edit-distance table is computed, and a
// candidate whose length differs by more than that is skipped at once (a 120,000-character name
// against thousands of labels costs a few milliseconds, not minutes).

/** The most edits a suggestion may be away from the word (and fewer for short words). */
export const MAX_SUGGESTION_DISTANCE = 3;

/** The Levenshtein distance of a and b, exactly (for tests and small inputs: it is O(|a|·|b|)). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n];
}

/**
 * The Levenshtein distance of a and b if it is at most `max`, else max + 1; O(|a|·(2·max + 1)): only the
 * diagonal band |i − j| ≤ max of the table can hold values ≤ max.
 */
export function boundedEditDistance(a: string, b: string, max: number): number {
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > max) return max + 1;
  const over = max + 1;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1).fill(over);
  for (let j = 0; j <= n; j++) prev[j] = j <= max ? j : over;
  for (let i = 1; i <= m; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(n, i + max);
    // Only the band is computed; the cells just outside it read as "too far".
    cur[lo - 1] = lo - 1 === 0 ? i : over;
    if (hi < n) cur[hi + 1] = over;
    let best = lo === 1 ? cur[0] : over;
    for (let j = lo; j <= hi; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = v > over ? over : v;
      if (cur[j] < best) best = cur[j];
    }
    if (best > max) return over;
    [prev, cur] = [cur, prev];
  }
  return prev[n] > max ? over : prev[n];
}

/** The nearest candidate, if it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: Iterable<string>, caseInsensitive = true): string | undefined {
  const w = caseInsensitive ? word.toUpperCase() : word;
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) > MAX_SUGGESTION_DISTANCE) continue;
    const d = boundedEditDistance(w, caseInsensitive ? c.toUpperCase() : c, MAX_SUGGESTION_DISTANCE);
    if (d < bestD) {
      bestD = d;
      best = c;
      if (d === 0) break;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.min(MAX_SUGGESTION_DISTANCE, Math.floor(Math.max(word.length, best.length) / 2)));
  return bestD <= limit ? best : undefined;
}
