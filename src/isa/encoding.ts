// The fixed 8-byte encoding of isa.md, derived from the ISA table (see table.ts for the layout).
import { INSTRUCTION_SIZE, type InstructionRow, MODE_BASE, MODE_IMM, ROW_BY_OPCODE } from './table';

/** One decoded instruction: the row plus its fields. */
export interface Decoded {
  readonly row: InstructionRow;
  /** Field A: first register, control register number, or (OUT) unused. */
  readonly a: number;
  /** Field B: second register or memory base. For OUT: the source register. */
  readonly b: number;
  readonly mode: number;
  /** The immediate, as a signed 32-bit value. For OUT: the value when MODE_IMM. */
  readonly imm: number;
  /** OUT only: the port. */
  readonly port: number;
}

export function encode(row: InstructionRow, a: number, b: number, mode: number, imm: number, port = 0): Uint8Array {
  const bytes = new Uint8Array(INSTRUCTION_SIZE);
  bytes[0] = row.opcode;
  if (row.encoding === 'out') {
    bytes[1] = port & 0xff;
    bytes[2] = (port >>> 8) & 0xff;
    bytes[3] = (mode & MODE_IMM) | ((b & 7) << 4);
  } else {
    bytes[1] = a;
    bytes[2] = b;
    bytes[3] = mode;
  }
  new DataView(bytes.buffer).setInt32(4, imm | 0, true);
  return bytes;
}

const CR_NUMBERS = new Set([0, 2, 3]);

/**
 * Decodes 8 bytes. Returns undefined for an undefined opcode or fields the row cannot have
 * (a register number above 7, an unknown control register, mode bits the form does not allow):
 * the machine raises #UD for those.
 */
export function decode(bytes: Uint8Array, offset = 0): Decoded | undefined {
  if (offset < 0 || offset + INSTRUCTION_SIZE > bytes.length) return undefined;
  const row = ROW_BY_OPCODE[bytes[offset]];
  if (!row) return undefined;
  const imm = bytes[offset + 4] | (bytes[offset + 5] << 8) | (bytes[offset + 6] << 16) | (bytes[offset + 7] << 24);
  if (row.encoding === 'out') {
    const m = bytes[offset + 3];
    if (m & 0x8e) return undefined;
    if (!(m & MODE_IMM) && imm !== 0) return undefined;
    if (m & MODE_IMM && m >>> 4 !== 0) return undefined;
    return { row, a: 0, b: (m >>> 4) & 7, mode: m & MODE_IMM, imm, port: bytes[offset + 1] | (bytes[offset + 2] << 8) };
  }
  const a = bytes[offset + 1];
  const b = bytes[offset + 2];
  const mode = bytes[offset + 3];
  if (!fieldsValid(row, a, b, mode, imm)) return undefined;
  if (row.name === 'IN' && (imm < 0 || imm > 0xffff)) return undefined;
  if (row.name === 'INT' && (imm < 0 || imm > 255)) return undefined;
  return { row, a, b, mode, imm, port: 0 };
}

function fieldsValid(row: InstructionRow, a: number, b: number, mode: number, imm: number): boolean {
  const ops = row.operands;
  let immUsed = false;
  let aUsed = false;
  let bUsed = false;
  let allowedMode = 0;
  for (let i = 0; i < ops.length; i++) {
    switch (ops[i]) {
      case 'r':
        // r goes in A, except after a control register or KSP (MOV TO CR, MOV TO KSP): then in B.
        if (!aUsed && ops[0] !== 'cr' && ops[0] !== 'ksp') {
          if (a > 7) return false;
          aUsed = true;
        } else {
          if (b > 7) return false;
          bUsed = true;
        }
        break;
      case 'cr':
        if (i === 0) {
          if (!CR_NUMBERS.has(a)) return false;
          aUsed = true;
        } else {
          if (!CR_NUMBERS.has(b)) return false;
          bUsed = true;
        }
        break;
      case 'src':
      case 't':
        allowedMode |= MODE_IMM;
        if (mode & MODE_IMM) immUsed = true;
        else {
          if (b > 7) return false;
          bUsed = true;
        }
        break;
      case 'm':
        allowedMode |= MODE_BASE;
        immUsed = true;
        if (mode & MODE_BASE) {
          if (b > 7) return false;
          bUsed = true;
        }
        break;
      case 'n':
        immUsed = true;
        break;
      case 'ksp':
        break;
    }
  }
  if (mode & ~allowedMode) return false;
  // Unused fields must be zero so that every byte pattern has at most one meaning.
  if (!aUsed && a !== 0) return false;
  if (!bUsed && b !== 0) return false;
  if (!immUsed && imm !== 0) return false;
  return true;
}
