// Numbers as people read them (1,234,567), without Intl: the panels format hundreds of numbers a frame
// while a run goes, and toLocaleString is slow enough to show in a profile.
export function fmt(n: number): string {
  const s = String(Math.trunc(n));
  return s.length <= 3 ? s : s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
