// The disassembler: bytes back to VX assembly that assembles to the same bytes.
import { type Decoded, decode, encode } from './encoding';
import { CONTROL_REGISTERS, INSTRUCTION_SIZE, MODE_BASE, MODE_IMM, REGISTERS } from './table';

const CR_NAME: Record<number, string> = Object.fromEntries(Object.entries(CONTROL_REGISTERS).map(([k, v]) => [v, k]));

export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16).toUpperCase()}`;
}

function imm(v: number): string {
  // Small values read best in decimal; addresses and masks in hex. Both assemble to the same bits.
  return v >= -4096 && v <= 4096 ? String(v) : hex(v);
}

/** The text of one decoded instruction. */
export function formatInstruction(d: Decoded): string {
  const { row } = d;
  const parts: string[] = [];
  for (const f of row.operands) {
    switch (f) {
      case 'r':
        parts.push(REGISTERS[row.operands[0] === 'cr' || row.operands[0] === 'ksp' ? d.b : d.a]);
        break;
      case 'src':
      case 't':
        parts.push(d.mode & MODE_IMM ? imm(d.imm) : REGISTERS[d.b]);
        break;
      case 'm':
        if (d.mode & MODE_BASE) {
          const base = REGISTERS[d.b];
          parts.push(
            d.imm === 0 ? `[${base}]` : d.imm < 0 && d.imm > -0x10000 ? `[${base} - ${imm(-d.imm)}]` : `[${base} + ${imm(d.imm)}]`,
          );
        } else {
          parts.push(`[${hex(d.imm)}]`);
        }
        break;
      case 'n':
        parts.push(row.encoding === 'out' ? hex(d.port) : row.name === 'IN' ? hex(d.imm) : imm(d.imm));
        break;
      case 'cr':
        parts.push(CR_NAME[row.operands[0] === 'cr' ? d.a : d.b]);
        break;
      case 'ksp':
        parts.push('KSP');
        break;
    }
  }
  return parts.length ? `${row.mnemonic} ${parts.join(', ')}` : row.mnemonic;
}

/** Disassembles one instruction at `offset`, or undefined when the bytes are not a canonical instruction. */
export function disassembleAt(bytes: Uint8Array, offset: number): string | undefined {
  const d = decode(bytes, offset);
  if (!d) return undefined;
  const again = encode(d.row, d.a, d.b, d.mode, d.imm, d.port);
  for (let i = 0; i < INSTRUCTION_SIZE; i++) if (again[i] !== bytes[offset + i]) return undefined;
  return formatInstruction(d);
}

export interface DisassemblyLine {
  readonly address: number;
  readonly text: string;
  readonly isInstruction: boolean;
}

/** Disassembles a whole image in 8-byte steps; what is not an instruction becomes `.byte`. */
export function disassemble(bytes: Uint8Array, start = 0, end = bytes.length): DisassemblyLine[] {
  const out: DisassemblyLine[] = [];
  for (let a = start; a < end; a += INSTRUCTION_SIZE) {
    const text = a + INSTRUCTION_SIZE <= end ? disassembleAt(bytes, a) : undefined;
    if (text) out.push({ address: a, text, isInstruction: true });
    else {
      const chunk = Array.from(bytes.subarray(a, Math.min(a + INSTRUCTION_SIZE, end)), (b) => hex(b));
      out.push({ address: a, text: `.byte ${chunk.join(', ')}`, isInstruction: false });
    }
  }
  return out;
}

/** Source text for a disassembly listing, assembling back to the same bytes. */
export function disassembleToSource(bytes: Uint8Array): string {
  return disassemble(bytes)
    .map((l) => `  ${l.text}`)
    .join('\n');
}
