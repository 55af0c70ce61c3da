// The assembler stays fast and gives plain errors on inputs built to hurt it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble } from './assembler';
import { MAX_EXPRESSION_DEPTH } from './expression';
import { boundedEditDistance, editDistance, nearest } from './suggest';

const errors = (src: string) => assemble(src).diagnostics.map((d) => `${d.line}:${d.startColumn}: ${d.message}`);
const timed = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
};

describe('assembler limits', () => {
  it('accepts expressions up to the depth limit and refuses deeper ones plainly', () => {
    const nested = (n: number) => ` MOV R0, ${'('.repeat(n)}1${')'.repeat(n)}\n`;
    expect(assemble(nested(MAX_EXPRESSION_DEPTH - 1)).ok).toBe(true);
    for (const src of [nested(100_000), ` MOV R0, ${'-'.repeat(100_000)}1\n`, ` .word ${'1+'.repeat(100_000)}1\n`]) {
      const [e, ms] = timed(() => errors(src));
      expect(e).toHaveLength(1);
      expect(e[0]).toMatch(/expression nested too deeply \(more than 256 levels/);
      expect(ms).toBeLessThan(2000);
    }
    expect(assemble(` MOV R0, ${'1+'.repeat(200)}1\n OUT 0xF4, R0\n`).ok).toBe(true);
  });

  it('computes .equ chains once, forwards or backwards, and finds cycles without recursion', () => {
    let doubling = '.equ a0, 1\n';
    for (let i = 1; i <= 40; i++) doubling += `.equ a${i}, a${i - 1} + a${i - 1}\n`;
    const [r, ms] = timed(() => assemble(`${doubling} .word a30, a40\n`));
    expect(ms).toBeLessThan(1000);
    expect(r.ok).toBe(true);
    expect(r.symbols.a30).toBe(2 ** 30);
    expect(r.symbols.a40).toBe(0); // 2^40 wraps to 0 in 32 bits
    let backwards = '';
    for (let i = 10_000; i > 0; i--) backwards += `.equ e${i}, e${i + 1} + 1\n`;
    const [b, msB] = timed(() => assemble(`${backwards}.equ e10001, 0\n .word e1\n`));
    expect(msB).toBeLessThan(2000);
    expect(b.ok).toBe(true);
    expect(b.symbols.e1).toBe(10_000);
    let cycle = '.equ c0, c5000\n';
    for (let i = 1; i <= 5000; i++) cycle += `.equ c${i}, c${i - 1}\n`;
    const [c, msC] = timed(() => errors(`${cycle} .word c7, c9\n`));
    expect(msC).toBeLessThan(2000);
    expect(c).toHaveLength(2);
    for (const m of c) expect(m).toMatch(/^5002:\d+: 'c7' is defined in terms of itself$/);
    expect(errors('.equ X, Y\n .word X\n')).toEqual(["2:9: undefined label 'Y'; did you mean 'X'?"]);
  });

  it('shows .space 0xFFFFFFFF as written, and cuts long names in messages', () => {
    expect(errors(' .space 0xFFFFFFFF\n')).toEqual([
      '1:2: .space needs a size from 0 to 65536 (the whole memory), not 0xFFFFFFFF (4,294,967,295, or -1 signed)',
    ]);
    const [e, ms] = timed(() => errors(`${'x'.repeat(120_000)}: HLT\n JMP ${'x'.repeat(119_999)}y\n`));
    expect(ms).toBeLessThan(2000);
    expect(e).toEqual([
      `2:6: undefined label '${'x'.repeat(40)}…(120,000 characters)'; did you mean '${'x'.repeat(40)}…(120,000 characters)'?`,
    ]);
    expect(assemble(` .ascii "${'a'.repeat(300_000)}"\n`).diagnostics[0].message).toMatch(/no longer fits in 64 KiB/);
  });
});

describe('did you mean', () => {
  it('gives the same distance as the full table whenever it is within the bound', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), fc.integer({ min: 0, max: 4 }), (a, b, max) => {
        const d = editDistance(a, b);
        expect(boundedEditDistance(a, b, max)).toBe(d <= max ? d : max + 1);
      }),
    );
  });

  it('is bounded: a 120,000-character word against thousands of candidates', () => {
    const word = 'q'.repeat(120_000);
    const candidates = [...Array.from({ length: 5000 }, (_, i) => `label${i}`), 'q'.repeat(119_990), 'q'.repeat(119_997)];
    const [near, ms] = timed(() => nearest(word, candidates, false));
    expect(near).toBe('q'.repeat(119_997));
    expect(ms).toBeLessThan(5000);
    expect(nearest('MOVE', ['MOV', 'ADD'])).toBe('MOV');
    expect(nearest('XYZZY', ['MOV', 'ADD'])).toBeUndefined();
  });
});
