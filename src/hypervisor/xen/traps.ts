// Xen's trap hypercalls: the virtual IDT (set_trap_table) and the return from a guest exception (iret).
import { TRAP_INFO, XEN_ERRNO } from './abi';
import { setUpcallMask } from './events';
import { readGuest, readGuestByte } from './memory';
import { fail, hex, ok, type Served, type Work, type XenCall } from './served';

const { EFAULT, EINVAL } = XEN_ERRNO;

/**
 * xen/arch/x86/pv/traps.c (x86_32 traps.c before 4.3) do_set_trap_table: NULL clears the table;
 * else copy `struct trap_info` entries until one with address 0. VX's trap_info is 8 bytes: vector
 * (byte), flags (byte: DPL bits 0–1, TI_IF bit 2), cs (16 bits, unused), address (word).
 */
export function setTrapTable(c: XenCall, va: number): Served {
  const m = c.m;
  const x = c.xen;
  if (va === 0) {
    x.traps.fill(0);
    x.trapFlags.fill(0);
    return ok(c, 'trap table cleared');
  }
  let count = 0;
  for (let i = 0; i < 256; i++) {
    const e = (va + i * TRAP_INFO.size) | 0;
    const vector = readGuestByte(c.m, e + TRAP_INFO.vector);
    const flags = readGuestByte(m, e + TRAP_INFO.flags);
    const address = readGuest(m, e + TRAP_INFO.address);
    if (vector === undefined || flags === undefined || address === undefined)
      return fail(c, -EFAULT, `trap_info at ${hex(e)} is not mapped`);
    if (address === 0) break;
    x.traps[vector] = address;
    x.trapFlags[vector] = flags;
    count++;
  }
  return ok(c, `${count} trap handlers registered (trap_info at ${hex(va)})`);
}

/** x86_64 do_iret (x86_32's is the same with the VX frame): pop PC, FLAGS, CPL, SP; mask ← !FLAGS.IF. */
export function iret(c: XenCall, w: Work): Served {
  const m = c.m;
  if (w.inMulticall) return fail(c, -EINVAL, 'iret inside a multicall');
  const sp = m.r[7];
  const pc = readGuest(m, sp);
  const flags = readGuest(m, sp + 4);
  const cpl = readGuest(m, sp + 8);
  const oldSp = readGuest(m, sp + 12);
  w.tookPc = true;
  if (pc === undefined || flags === undefined || cpl === undefined || oldSp === undefined) {
    // do_iret: "domain_crash(v->domain)" when the frame cannot be read.
    m.setState('crashed', 'Xen: the iret frame could not be read (domain_crash)');
    return { result: -EFAULT, effect: c.words ? 'the iret frame could not be read: the domain crashes' : '' };
  }
  m.pc = pc;
  m.flags = flags & 0xac1;
  m.cpl = cpl & 3;
  m.r[7] = oldSp;
  setUpcallMask(c.m, c.xen, flags & 0x200 ? 0 : 1);
  return ok(c, `return to ${hex(pc)} at virtual CPL ${cpl & 3}; evtchn_upcall_mask ← ${flags & 0x200 ? 0 : 1}`);
}
