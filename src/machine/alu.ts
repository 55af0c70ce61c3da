// Flag rules of isa.md as small pure functions, shared by the fast loop and the reference step
// (TurboFan inlines them). Values are signed 32-bit integers; flags are returned as FLAGS bits.
import { FLAG_BITS } from '../isa/constants';
import type { InstructionName } from '../isa/table';

export const CF = FLAG_BITS.CF;
export const ZF = FLAG_BITS.ZF;
export const SF = FLAG_BITS.SF;
export const IF = FLAG_BITS.IF;
export const OF = FLAG_BITS.OF;
export const ARITH = CF | ZF | SF | OF;
/** Flags that INC and DEC write (CF is left unchanged). */
export const ZSO = ZF | SF | OF;
export const DEFINED = ARITH | IF;

export function zs(r: number): number {
  return (r === 0 ? ZF : 0) | (r < 0 ? SF : 0);
}

export function addFlags(a: number, b: number, r: number): number {
  // Carry out of bit 31: the sum wrapped, so it is below an operand (unsigned; no 33-bit sum in a double).
  return zs(r) | (r >>> 0 < a >>> 0 ? CF : 0) | (((a ^ r) & (b ^ r)) < 0 ? OF : 0);
}

export function subFlags(a: number, b: number, r: number): number {
  return zs(r) | (a >>> 0 < b >>> 0 ? CF : 0) | (((a ^ b) & (a ^ r)) < 0 ? OF : 0);
}

/** INC: OF when 0x7FFFFFFF becomes 0x80000000. CF is not among the returned bits. */
export function incFlags(r: number): number {
  return zs(r) | (r === -0x80000000 ? OF : 0);
}

/** DEC: OF when 0x80000000 becomes 0x7FFFFFFF. */
export function decFlags(r: number): number {
  return zs(r) | (r === 0x7fffffff ? OF : 0);
}

export function negFlags(a: number, r: number): number {
  return zs(r) | (a !== 0 ? CF : 0) | (a === -0x80000000 ? OF : 0);
}

/** High 32 bits of the unsigned 64-bit product, exactly (doubles alone would round). */
export function mulHigh(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const lo = a0 * b0;
  const mid1 = a1 * b0;
  const mid2 = a0 * b1;
  const carry = ((lo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16) + carry) | 0;
}

export function mulFlags(r: number, high: number): number {
  return zs(r) | (high !== 0 ? CF | OF : 0);
}

/** SHL/SHR/SAR's result, count = src & 31 (numbers only: the fast loop allocates nothing). */
export function shifted(kind: 0 | 1 | 2, a: number, count: number): number {
  const c = count & 31;
  return kind === 0 ? a << c : kind === 1 ? (a >>> c) | 0 : a >> c;
}

/** SHL/SHR/SAR's flags, given the result `r`: CF = last bit shifted out (kept when count = 0), OF = 0. */
export function shiftFlags(kind: 0 | 1 | 2, a: number, count: number, r: number, flags: number): number {
  const c = count & 31;
  if (c === 0) return (flags & ~ARITH) | zs(a) | (flags & CF);
  const cf = kind === 0 ? (a >>> (32 - c)) & 1 : kind === 1 ? (a >>> (c - 1)) & 1 : (a >> (c - 1)) & 1;
  return (flags & ~ARITH) | zs(r) | cf;
}

/** Condition of a conditional jump, by its row name. */
export function condition(name: InstructionName, f: number): boolean {
  const z = (f & ZF) !== 0;
  const c = (f & CF) !== 0;
  const s = (f & SF) !== 0;
  const o = (f & OF) !== 0;
  switch (name) {
    case 'JZ':
      return z;
    case 'JNZ':
      return !z;
    case 'JC':
      return c;
    case 'JNC':
      return !c;
    case 'JS':
      return s;
    case 'JNS':
      return !s;
    case 'JL':
      return s !== o;
    case 'JGE':
      return s === o;
    case 'JLE':
      return z || s !== o;
    case 'JG':
      return !z && s === o;
    case 'JA':
      return !c && !z;
    case 'JBE':
      return c || z;
  }
  return false;
}
