import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fmt } from './format';

it('groups thousands like en-US', () => {
  for (const n of [0, 7, 999, 1000, 12345, 1234567, 10_000_000, 1e12, -4321, -999, -1000, 2 ** 53])
    expect(fmt(n)).toBe(n.toLocaleString('en-US'));
});

it('groups any whole number like en-US, and drops a fraction', () => {
  fc.assert(
    fc.property(fc.maxSafeInteger(), (n) => {
      expect(fmt(n)).toBe(n.toLocaleString('en-US'));
      expect(fmt(n + (n < 0 ? -0.75 : 0.75))).toBe(Math.trunc(n + (n < 0 ? -0.75 : 0.75)).toLocaleString('en-US'));
    }),
    { numRuns: 2000 },
  );
});

it('leaves what has no digits to group as it is', () => {
  expect(fmt(Number.NaN)).toBe('NaN');
  expect(fmt(Number.POSITIVE_INFINITY)).toBe('Infinity');
  expect(fmt(1e21)).toBe('1e+21');
  expect(fmt(-0)).toBe('0');
});
