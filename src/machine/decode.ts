// Decoding for execution: the machine's exec codes (from the opcodes of the ISA table), the decode
// cache by physical address (self-modifying code invalidates it), and instruction fetch.
import { INSTRUCTION_SIZE } from '../isa/constants';
import { formatInstruction } from '../isa/disassembler';
import { decode } from '../isa/encoding';
import { OP_LIMIT, X_INT } from '../isa/opcodes.generated';
import { type InstructionRow, ISA, MODE_BASE, MODE_IMM } from '../isa/table';
import { execOf, packDecoded, regAOf, regBOf } from './decoded';
import { CODE_CHUNK_SHIFT, type Machine } from './machine';

/**
 * Exec codes: a decoded instruction is cached as `opcode * 2 + (source is an immediate ? 1 : 0)`; the fast
 * loop's `case` labels are those numbers, generated from the ISA table (`X_<NAME>`, `X_<NAME>_IMM`).
 */
/** Exec codes from here on are system instructions: always the reference step. */
export const FIRST_SLOW = X_INT;
/** Added to an exec code when the host asked to observe the instruction: the fast loop hands it over. */
export const OBSERVED = 0x1000;
/** The row of an exec code (never 0: that is #UD). */
export const ROW_OF_EXEC: readonly InstructionRow[] = (() => {
  const t: InstructionRow[] = new Array(OP_LIMIT * 2);
  for (const row of ISA) t[row.opcode * 2] = t[row.opcode * 2 + 1] = row;
  return t;
})();

// ---- decoding ---------------------------------------------------------------------------------------

export interface Fields {
  x: number;
  a: number;
  b: number;
  imm: number;
  port: number;
}

/** Decodes 8 bytes into exec fields; x = 0 for an undefined instruction (#UD). */
function decodeFields(bytes: Uint8Array, offset: number, out: Fields): void {
  const d = decode(bytes, offset);
  if (!d) {
    out.x = 0;
    return;
  }
  const usesBase = d.row.operands.includes('m');
  out.x = d.row.opcode * 2 + (d.mode & MODE_IMM ? 1 : 0);
  out.a = d.a;
  out.b = usesBase && !(d.mode & MODE_BASE) ? 8 : d.b;
  out.imm = d.imm;
  out.port = d.port;
}

const scratch: Fields = { x: 0, a: 0, b: 0, imm: 0, port: 0 };

/** Fills the decode cache at physical address pa (the 8 bytes lie in one page). */
function decodeAt(m: Machine, pa: number): void {
  decodeFields(m.mem, pa, scratch);
  m.xop[pa] = packDecoded(scratch.x, scratch.a, scratch.b);
  m.dImm[pa] = scratch.imm;
  m.dPort[pa] = scratch.port;
  m.codeChunks[pa >> CODE_CHUNK_SHIFT] = 1;
  m.codeChunks[(pa + INSTRUCTION_SIZE - 1) >> CODE_CHUNK_SHIFT] = 1;
  if (scratch.x !== 0 && m.host?.decoded?.(m, pa, ROW_OF_EXEC[scratch.x].name, (scratch.x & 1) === 1)) m.xop[pa] |= OBSERVED;
}

/**
 * Fetches and decodes the instruction at PC into `out`. False after a fault (#GP beyond memory, #PF).
 * An instruction that straddles two pages is translated page by page and not cached.
 */
export function fetch(m: Machine, out: Fields): boolean {
  const pc = m.pc;
  const p0 = m.phys(pc, 'fetch', m.cpl);
  if (p0 < 0) return false;
  const p7 = m.phys((pc + INSTRUCTION_SIZE - 1) | 0, 'fetch', m.cpl);
  if (p7 < 0) return false;
  if (p7 === p0 + INSTRUCTION_SIZE - 1) {
    if (m.xop[p0] < 0) decodeAt(m, p0);
    const d = m.xop[p0];
    out.x = execOf(d);
    out.a = regAOf(d);
    out.b = regBOf(d);
    out.imm = m.dImm[p0];
    out.port = m.dPort[p0];
    return true;
  }
  const bytes = new Uint8Array(INSTRUCTION_SIZE);
  for (let i = 0; i < INSTRUCTION_SIZE; i++) {
    const p = m.phys((pc + i) | 0, 'fetch', m.cpl);
    if (p < 0) return false;
    bytes[i] = m.mem[p];
  }
  decodeFields(bytes, 0, out);
  return true;
}

/** The instruction at PC as text (for `instruction` events and the disassembly view). */
export function describeInstruction(f: Fields): string {
  if (f.x === 0) return '(undefined instruction)';
  const row = ROW_OF_EXEC[f.x];
  const d = {
    row,
    a: f.a,
    b: f.b === 8 ? 0 : f.b,
    mode: (f.x & 1 ? MODE_IMM : 0) | (row.operands.includes('m') && f.b !== 8 ? MODE_BASE : 0),
    imm: f.imm,
    port: f.port,
  };
  return formatInstruction(d);
}
