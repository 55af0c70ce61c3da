// "Did you mean …?" for unknown mnemonics, registers and names.

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

/** The nearest candidate, if it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: Iterable<string>, caseInsensitive = true): string | undefined {
  const w = caseInsensitive ? word.toUpperCase() : word;
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(w, caseInsensitive ? c.toUpperCase() : c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.min(3, Math.floor(Math.max(word.length, best.length) / 2)));
  return bestD <= limit ? best : undefined;
}
