// Xen reading and writing guest memory (copy_from_guest / copy_to_guest): guest-virtual addresses
// translated through the guest's own page table with kernel rights, no TLB fill and no fault on the
// guest; a bad address is -EFAULT for the caller, never a fault injected into the guest.
import { CR0_PG, type Machine } from '../../machine/machine';

/** Guest-virtual → guest-physical (kernel rights), or -1. */
export function guestPa(m: Machine, va: number): number {
  const a = va >>> 0;
  if (a >= 0x10000) return -1;
  if (!(m.cr0 & CR0_PG)) return a;
  const pa = (m.cr3 >>> 0) + (a >>> 12) * 4;
  if (pa + 3 >= 0x10000) return -1;
  const pte = m.mem[pa] | (m.mem[pa + 1] << 8) | (m.mem[pa + 2] << 16) | (m.mem[pa + 3] << 24);
  return pte & 1 ? (pte & 0xf000) | (a & 0xfff) : -1;
}

/** A 32-bit word at guest-virtual va, or undefined (-EFAULT). */
export function readGuest(m: Machine, va: number): number | undefined {
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const p = guestPa(m, (va + i) | 0);
    if (p < 0) return undefined;
    v |= m.mem[p] << (8 * i);
  }
  return v;
}

export function readGuestByte(m: Machine, va: number): number | undefined {
  const p = guestPa(m, va);
  return p < 0 ? undefined : m.mem[p];
}

/** Writes a word at guest-virtual va; false (-EFAULT) when a byte is not mapped (then nothing is written). */
export function writeGuest(m: Machine, va: number, value: number): boolean {
  const ps: number[] = [];
  for (let i = 0; i < 4; i++) {
    const p = guestPa(m, (va + i) | 0);
    if (p < 0) return false;
    ps.push(p);
  }
  for (let i = 0; i < 4; i++) m.hostStore(ps[i], (value >>> (8 * i)) & 0xff);
  return true;
}

/** Guest-physical word access (Xen's own mapping of a frame: vcpu_info, shared_info, page tables). */
export function readPhys(m: Machine, pa: number): number {
  const mem = m.mem;
  return mem[pa] | (mem[pa + 1] << 8) | (mem[pa + 2] << 16) | (mem[pa + 3] << 24);
}

export function writePhys(m: Machine, pa: number, value: number): void {
  for (let i = 0; i < 4; i++) m.hostStore(pa + i, (value >>> (8 * i)) & 0xff);
}
