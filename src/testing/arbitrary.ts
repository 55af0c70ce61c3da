// fast-check generators of VX programs as syntax trees (so failures shrink to small programs),
// shared by the assembler, machine and (later) hypervisor differential tests.
import fc from 'fast-check';

const REG = fc.integer({ min: 0, max: 6 }).map((n) => `R${n}`);
const IMM = fc.oneof(
  fc.integer({ min: -16, max: 16 }),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  fc.constantFrom(0, 1, 31, 32, 0x7fffffff, -0x80000000, 0xffff),
);
const SRC = fc.oneof(REG, IMM.map(String));
const DATA = fc.integer({ min: 0, max: 0x3f }).map((n) => 0xc000 + n * 4);

export type Line = string;

/** One instruction; `label(i)` names instruction i, so jumps stay inside the program. */
function instruction(count: number): fc.Arbitrary<(label: (i: number) => string) => Line> {
  const target = fc.integer({ min: 0, max: Math.max(0, count - 1) });
  const two = (ops: string[]) =>
    fc.tuple(fc.constantFrom(...ops), REG, SRC).map(
      ([op, r, s]) =>
        () =>
          `${op} ${r}, ${s}`,
    );
  const one = (ops: string[]) =>
    fc.tuple(fc.constantFrom(...ops), REG).map(
      ([op, r]) =>
        () =>
          `${op} ${r}`,
    );
  return fc.oneof(
    { weight: 6, arbitrary: two(['MOV', 'ADD', 'SUB', 'CMP', 'AND', 'OR', 'XOR', 'TEST', 'SHL', 'SHR', 'SAR', 'MUL']) },
    { weight: 1, arbitrary: two(['DIV', 'MOD']) },
    { weight: 2, arbitrary: one(['INC', 'DEC', 'NEG', 'NOT']) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom('LOAD', 'LOADB'), REG, DATA).map(
        ([op, r, a]) =>
          () =>
            `${op} ${r}, [${a}]`,
      ),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom('STORE', 'STOREB'), REG, DATA).map(
        ([op, r, a]) =>
          () =>
            `${op} [${a}], ${r}`,
      ),
    },
    { weight: 1, arbitrary: SRC.map((s) => () => `PUSH ${s}`) },
    { weight: 1, arbitrary: REG.map((r) => () => `POP ${r}`) },
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom('JMP', 'JZ', 'JNZ', 'JC', 'JNC', 'JS', 'JNS', 'JL', 'JGE', 'JLE', 'JG', 'JA', 'JBE'), target).map(
        ([op, t]) =>
          (label: (i: number) => string) =>
            `${op} ${label(t)}`,
      ),
    },
    { weight: 1, arbitrary: REG.map((r) => () => `OUT 0xE9, ${r}`) },
    { weight: 1, arbitrary: fc.constantFrom('PUSHF', 'POPF', 'CLI', 'STI', 'NOP').map((op) => () => op) },
    { weight: 1, arbitrary: fc.constantFrom('SMSW', 'SIDT').chain((op) => REG.map((r) => () => `${op} ${r}`)) },
  );
}

/** A random VX program: straight-line code with jumps inside itself, ending in power-off. */
export const arbitraryProgram: fc.Arbitrary<string> = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.array(instruction(n), { minLength: n, maxLength: n }).map((make) => {
    const label = (i: number) => `L${i}`;
    const lines = make.map((f, i) => `${label(i)}: ${f(label)}`);
    return `${lines.join('\n')}\n  OUT 0xF4, R0\n`;
  }),
);
