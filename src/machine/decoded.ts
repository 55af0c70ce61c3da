// The decode cache's word (Machine.xop): an instruction's exec code and its two register fields packed
// into one Int32, so that the fast loop reads one array per instruction where it read three (measured:
// the native compute loop about 8% faster). -1: not decoded. The fast loop writes these as literals
// that name them (`d >>> 20 /* DECODED_B_SHIFT */`): scripts/gen-opcodes.mjs keeps them current.

/** Bits 0–15: the exec code (opcode × 2, plus 1 for an immediate source, plus OBSERVED). */
export const DECODED_EXEC_MASK = 0xffff;
/** Bits 16–19: register a. */
export const DECODED_A_SHIFT = 16;
/** Bits 20–23: register b (8 when an address has no base register). */
export const DECODED_B_SHIFT = 20;
/** A register field's width. */
export const DECODED_REG_MASK = 0xf;

export function packDecoded(x: number, a: number, b: number): number {
  return x | (a << DECODED_A_SHIFT) | (b << DECODED_B_SHIFT);
}
export function execOf(d: number): number {
  return d & DECODED_EXEC_MASK;
}
export function regAOf(d: number): number {
  return (d >>> DECODED_A_SHIFT) & DECODED_REG_MASK;
}
export function regBOf(d: number): number {
  return (d >>> DECODED_B_SHIFT) & DECODED_REG_MASK;
}
