// Numbers as people read them (1,234,567), without Intl or a regular expression: the panels format
// hundreds of numbers a frame while a run goes, and toLocaleString (and, in a run's first frame, the
// regular expression's first uses) showed in a profile.
export function fmt(n: number): string {
  const s = String(Math.trunc(n));
  // Not finite, or written with an exponent (1e+21): as it is.
  if (!Number.isFinite(n) || Math.abs(n) >= 1e21) return s;
  const from = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  const digits = s.length - from;
  if (digits <= 3) return s;
  let at = from + (digits % 3 || 3);
  let out = s.slice(0, at);
  for (; at < s.length; at += 3) out += `,${s.slice(at, at + 3)}`;
  return out;
}
