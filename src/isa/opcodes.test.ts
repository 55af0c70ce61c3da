import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as decoded from '../machine/decoded';
import * as isaConstants from './constants';
import { OP_FIRST_SYSTEM, OP_LIMIT, OPCODES } from './opcodes.generated';
import {
  CR0_PG,
  FLAG_BITS,
  INSTRUCTION_SIZE,
  type InstructionName,
  ISA,
  MEMORY_SIZE,
  opcodeOf,
  PAGE_SIZE,
  PTE,
  ROW_BY_NAME,
  ROW_BY_OPCODE,
  TLB_ENTRIES,
} from './table';

// @ts-expect-error: a plain .mjs script without types
const gen = await import('../../scripts/gen-opcodes.mjs');
const constants = { ...isaConstants, ...decoded };

/**
 * The numbering the table had when opcodes were its row positions (opcode = index + 1). Programs and
 * share links hold these bytes: an opcode must never change.
 */
const PREVIOUS_NUMBERING = [
  'MOV',
  'LOAD',
  'STORE',
  'LOADB',
  'STOREB',
  'PUSH',
  'POP',
  'ADD',
  'SUB',
  'CMP',
  'INC',
  'DEC',
  'NEG',
  'MUL',
  'DIV',
  'MOD',
  'AND',
  'OR',
  'XOR',
  'TEST',
  'NOT',
  'SHL',
  'SHR',
  'SAR',
  'JMP',
  'JZ',
  'JNZ',
  'JC',
  'JNC',
  'JS',
  'JNS',
  'JL',
  'JGE',
  'JLE',
  'JG',
  'JA',
  'JBE',
  'CALL',
  'RET',
  'NOP',
  'INT',
  'IRET',
  'CLI',
  'STI',
  'HLT',
  'IN',
  'OUT',
  'LIDT',
  'MOV TO CR',
  'MOV FROM CR',
  'MOV TO KSP',
  'MOV FROM KSP',
  'INVLPG',
  'PUSHF',
  'POPF',
  'SMSW',
  'SIDT',
  'VMCALL',
  // Rows added since, each given the next free opcode:
  'CPUID',
] as const;

describe('opcodes', () => {
  it('are unique, 1–255, and 0 is undefined (#UD on zeroed memory)', () => {
    const ops = ISA.map((r) => r.opcode);
    expect(new Set(ops).size).toBe(ISA.length);
    for (const op of ops) expect(Number.isInteger(op) && op >= 1 && op <= 255).toBe(true);
    expect(ROW_BY_OPCODE[0]).toBeUndefined();
    for (const row of ISA) expect(ROW_BY_OPCODE[row.opcode]).toBe(row);
  });

  it('keep the numbering programs and share links were written with', () => {
    expect(ISA.length).toBe(PREVIOUS_NUMBERING.length);
    PREVIOUS_NUMBERING.forEach((name, i) => {
      expect(ROW_BY_NAME.get(name)?.opcode, name).toBe(i + 1);
    });
  });

  it('give the system instructions the highest numbers (the fast loop hands them all to the reference step)', () => {
    for (const row of ISA) expect(row.opcode >= OP_FIRST_SYSTEM, row.name).toBe(row.group === 'system');
    expect(OP_LIMIT).toBe(Math.max(...ISA.map((r) => r.opcode)) + 1);
  });

  it('were generated from the current table (run `npm run gen:opcodes` after changing it)', async () => {
    const current = readFileSync(new URL('./opcodes.generated.ts', import.meta.url), 'utf8');
    expect(current).toBe(gen.render(ISA));
    // The script's own way of reading the table (esbuild) agrees.
    expect(await gen.generate()).toBe(current);
    for (const row of ISA) expect(OPCODES[row.name]).toBe(row.opcode);
  });

  it('number the fast loop’s case labels and hot-path literals (run `npm run gen:opcodes` after changing them)', () => {
    const generated = readFileSync(new URL('./opcodes.generated.ts', import.meta.url), 'utf8');
    const run = readFileSync(new URL('../machine/run.ts', import.meta.url), 'utf8');
    expect(run).toBe(gen.relabel(run, generated, constants));
    expect(run).toMatch(/0xfff \/\* PAGE_OFFSET_MASK \*\//);
    expect(gen.relabel('e & 0xe000 /* PTE_FRAME_MASK */', generated, constants)).toBe('e & 0xf000 /* PTE_FRAME_MASK */');
    expect(() => gen.relabel('x + 8 /* NO_SUCH */', generated, constants)).toThrow(/no constant NO_SUCH/);
    expect(run).toMatch(/case 16 \/\* X_ADD \*\/:/);
    expect(() => gen.relabel('switch (x) {\n  case 3:\n}', generated)).toThrow(/does not name its constant/);
    expect(() => gen.relabel('case 3 /* X_NOPE */:', generated)).toThrow(/no constant X_NOPE/);
  });

  it('name rows with a union type: a misspelt name does not compile', () => {
    // @ts-expect-error: no row is called CLII
    expect(ROW_BY_NAME.get('CLII')).toBeUndefined();
    // @ts-expect-error: no row is called CLII
    expect(() => opcodeOf('CLII')).toThrow();
    // @ts-expect-error: not an instruction name
    const typo: InstructionName = 'MOV TO CR3';
    expect(ISA.some((r) => r.name === typo)).toBe(false);
    // A name known only at run time may still be looked up.
    const dynamic: string = ['MOV', 'TO', 'CR'].join(' ');
    expect(ROW_BY_NAME.get(dynamic)?.opcode).toBe(opcodeOf('MOV TO CR'));
    expect(ROW_BY_NAME.has('CLI')).toBe(true);
  });

  it('rejects duplicate opcodes and system rows below ordinary ones', () => {
    const dup = ISA.map((r) => (r.name === 'SUB' ? { ...r, opcode: 8 } : r));
    expect(() => gen.render(dup)).toThrow(/already ADD/);
    const low = ISA.map((r) => (r.name === 'CLI' ? { ...r, opcode: 200 } : r.name === 'NOP' ? { ...r, opcode: 201 } : r));
    expect(() => gen.render(low)).toThrow(/highest opcodes/);
  });
});

describe('machine constants', () => {
  it('are the numbers of isa.md, defined once and re-exported by the table', () => {
    expect(MEMORY_SIZE).toBe(0x10000);
    expect(PAGE_SIZE).toBe(0x1000);
    expect(constants.PAGE_COUNT).toBe(16);
    expect(constants.PAGE_OFFSET_MASK).toBe(0xfff);
    expect(constants.PTE_FRAME_MASK).toBe(0xf000);
    expect(PTE).toEqual({ P: 1, W: 2, U: 4 });
    expect(constants.PTE_FLAGS).toBe(7);
    expect(CR0_PG >>> 0).toBe(0x80000000);
    expect(TLB_ENTRIES).toBe(8);
    expect(INSTRUCTION_SIZE).toBe(8);
    expect(constants.LAST_INSTRUCTION_OFFSET).toBe(0xff8);
    expect(constants.LAST_INSTRUCTION_ADDRESS).toBe(0xfff8);
    expect(FLAG_BITS).toBe(constants.FLAG_BITS);
  });
});
