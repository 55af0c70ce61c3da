import { expect, it } from 'vitest';
import { fmt } from './format';

it('groups thousands like en-US', () => {
  for (const n of [0, 7, 999, 1000, 12345, 1234567, 10_000_000, 1e12, -4321]) expect(fmt(n)).toBe(n.toLocaleString('en-US'));
});
