import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryProgram } from '../testing/arbitrary';
import { assemble } from './assembler';
import { disassembleToSource } from './disassembler';
import { decode } from './encoding';

function errors(src: string): string[] {
  return assemble(src).diagnostics.map((d) => `${d.line}:${d.startColumn}: ${d.message}`);
}

describe('assembler', () => {
  it('assembles the syntax of isa.md: labels, expressions, $, every directive', () => {
    const r = assemble(
      [
        '.equ N, 3 * (2 + 1)      ; 9',
        'start: MOV R0, N << 2 | 1',
        '  LOAD R1, [R2 + 4]',
        '  STORE [data + R3], R1',
        '  STOREB [R4 - 8], R5',
        '  LOADB R6, [data]',
        '  MOV SP, $',
        "  OUT 0xE9, 'A'",
        '  JMP start',
        'data: .word 1, -1, data',
        "  .byte 0b101, '\\n', -1",
        '  .ascii "ab"',
        '  .asciz "c"',
        '  .align 8',
        '  .space 4',
        '  .org 0x100',
        'end: .word ~0 ^ 0xF, 7 % 3, -7 / 2, 0x80000000 >> 4',
      ].join('\n'),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.symbols.start).toBe(0);
    expect(r.symbols.N).toBe(9);
    expect(r.symbols.data).toBe(64);
    expect(r.symbols.end).toBe(0x100);
    expect(r.image.length).toBe(0x110);
    const d0 = decode(r.image, 0);
    expect(d0?.row.name).toBe('MOV');
    expect(d0?.imm).toBe(37);
    const d6 = decode(r.image, 40);
    expect(d6?.imm).toBe(40); // $ is the statement's own address
    const words = new DataView(r.image.buffer, 0x100);
    expect(words.getInt32(0, true)).toBe(~0 ^ 0xf);
    expect(words.getInt32(4, true)).toBe(1);
    expect(words.getInt32(8, true)).toBe(-3);
    expect(words.getInt32(12, true)).toBe(0x08000000);
    expect(Array.from(r.image.subarray(76, 84))).toEqual([5, 10, 255, 97, 98, 99, 0, 0]);
    expect(r.sourceMap.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('is case-insensitive for mnemonics, registers and directives, case-sensitive for labels', () => {
    expect(assemble('x: mov r1, sp\n jmp x\n .WORD 1').ok).toBe(true);
    expect(errors('x: JMP X')).toEqual(["1:8: undefined label 'X'; did you mean 'x'?"]);
  });

  it('reports every error at once with line, columns and the nearest suggestion', () => {
    const r = assemble('MOVE R1, 2\n  MOV R9, 1\nloop: ADD RO, 1\n  jmp lop\n  .wurd 3\n  OUT 0x10000, R1\n  INT 256\n  LOAD R1, R2');
    expect(r.ok).toBe(false);
    expect(r.image.length).toBe(0);
    expect(r.diagnostics.map((d) => [d.line, d.startColumn, d.endColumn])).toEqual([
      [1, 1, 5],
      [2, 7, 9],
      [3, 11, 13],
      [4, 7, 10],
      [5, 3, 8],
      [6, 7, 14],
      [7, 7, 10],
      [8, 12, 14],
    ]);
    const messages = r.diagnostics.map((d) => d.message).join('\n');
    expect(messages).toContain("did you mean 'MOV'");
    expect(messages).toContain("unknown register 'R9'");
    expect(messages).toContain("did you mean 'R0'");
    expect(messages).toContain("did you mean 'loop'");
    expect(messages).toContain("did you mean '.word'");
    expect(messages).toContain('out of range');
    expect(messages).toContain('memory operand');
  });

  it('explains operand count and form mistakes', () => {
    expect(errors('  RET 1')[0]).toContain('RET takes no operands');
    expect(errors('  MOV R1 2')[0]).toContain("expected ',' after R1");
    expect(errors('  MOV R1, [R2]')[0]).toContain('memory is read with LOAD');
    expect(errors('  LOAD R1, [R2 + R3]')[0]).toContain('at most one register');
    expect(errors('a: NOP\na: NOP')[0]).toContain("'a' is already defined");
    expect(errors('r1: NOP')[0]).toContain('register name');
    expect(errors('  .org 8\n  .org 0')[0]).toContain('backwards');
    expect(errors('  MOV R0, 1/0')[0]).toContain('division by zero');
    expect(errors('.equ A, B\n.equ B, A\n  MOV R0, A')[0]).toContain('in terms of itself');
    expect(errors('  MOV R0, "x"')[0]).toContain('string');
    expect(errors("  MOV R0, 'xy'")[0]).toContain('exactly one character');
    expect(errors('  MOV R0, 0x1FFFFFFFF')[0]).toContain('32 bits');
    expect(errors('  .space 70000')[0]).toContain('.space');
  });

  it('never throws and returns diagnostics for any input, binary junk included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const r = assemble(s);
        expect(Array.isArray(r.diagnostics)).toBe(true);
        if (!r.ok) expect(r.diagnostics.length).toBeGreaterThan(0);
      }),
      { numRuns: 1500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = assemble(String.fromCharCode(...bytes));
        for (const d of r.diagnostics) expect(d.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
    const tokens = [
      'MOV',
      'R1',
      ',',
      '[',
      ']',
      '+',
      '-',
      '$',
      '.org',
      '.word',
      'x:',
      '"a',
      "'",
      '0x',
      '(',
      ')',
      '<<',
      '\n',
      ' ',
      '1',
      'KSP',
      'CR3',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 60 }), (parts) => {
        assemble(parts.join(' '));
      }),
      { numRuns: 1500 },
    );
  });

  it('gives back an assembled program when disassembled (round trip)', () => {
    fc.assert(
      fc.property(arbitraryProgram, (src) => {
        const a = assemble(src);
        expect(a.diagnostics).toEqual([]);
        const b = assemble(disassembleToSource(a.image));
        expect(b.diagnostics).toEqual([]);
        expect(Array.from(b.image)).toEqual(Array.from(a.image));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips every operand form, data included', () => {
    const src = `MOV CR3, R1\n MOV R2, CR0\n MOV KSP, SP\n MOV R5, KSP\n IN R2, 0x41\n OUT 0x40, 100\n OUT 0xE9, R3\n LIDT R4\n LIDT 0x800\n INVLPG R1\n INT 0x80\n VMCALL 7\n JMP R3\n CALL 0x40\n LOAD R1, [R2 - 4]\n STORE [0x8000 + R1], R2\n .ascii "hello, world"`;
    const a = assemble(src);
    expect(a.diagnostics).toEqual([]);
    const b = assemble(disassembleToSource(a.image));
    expect(Array.from(b.image)).toEqual(Array.from(a.image));
  });
});
