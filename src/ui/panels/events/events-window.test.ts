import { describe, expect, it } from 'vitest';
import { windowOf } from './Events';

describe('the event list’s window', () => {
  it('maps the scroll position to rows exactly for short lists', () => {
    expect(windowOf(1000, 28, 28 * 100, 280)).toEqual({ first: 100, offset: 0, contentH: 28_000 });
    expect(windowOf(1000, 28, 28 * 100 + 14, 280).offset).toBe(14);
  });

  it('scales the scroll for lists taller than a browser can draw, reaching both ends', () => {
    const total = 10_000_000;
    const top = windowOf(total, 28, 0, 280);
    expect(top.first).toBe(0);
    expect(top.contentH).toBeLessThanOrEqual(8_000_000);
    const bottom = windowOf(total, 28, top.contentH - 280, 280);
    expect(bottom.first).toBe(total - 10);
    const middle = windowOf(total, 28, (top.contentH - 280) / 2, 280);
    expect(Math.abs(middle.first - total / 2)).toBeLessThan(10);
  });
});
