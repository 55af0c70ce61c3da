import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addFlags, CF, OF, SF, subFlags, ZF } from './alu';

/** isa.md's flags of a 32-bit ADD or SUB, worked out with unbounded integers. */
function reference(a: number, b: number, sub: boolean): number {
  const ua = BigInt(a >>> 0);
  const ub = BigInt(b >>> 0);
  const wide = sub ? ua - ub : ua + ub;
  const r = Number(BigInt.asIntN(32, wide));
  const signed = sub ? BigInt(a) - BigInt(b) : BigInt(a) + BigInt(b);
  return (r === 0 ? ZF : 0) | (r < 0 ? SF : 0) | (wide < 0n || wide > 0xffffffffn ? CF : 0) | (signed !== BigInt(r) ? OF : 0);
}

const EDGES = [0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 0x40000000, -0x7fffffff];
const int32 = fc.oneof(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.constantFrom(...EDGES));

describe('the flags of ADD and SUB', () => {
  it('are those of isa.md at the edges', () => {
    for (const a of EDGES)
      for (const b of EDGES) {
        expect(addFlags(a, b, (a + b) | 0)).toBe(reference(a, b, false));
        expect(subFlags(a, b, (a - b) | 0)).toBe(reference(a, b, true));
      }
  });

  it('are those of isa.md for any two values', () => {
    fc.assert(
      fc.property(int32, int32, (a, b) => {
        expect(addFlags(a, b, (a + b) | 0)).toBe(reference(a, b, false));
        expect(subFlags(a, b, (a - b) | 0)).toBe(reference(a, b, true));
      }),
      { numRuns: 5000 },
    );
  });
});
