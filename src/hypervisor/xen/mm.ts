// Xen's memory hypercalls (xen/arch/x86/mm.c): typed, validated page tables updated through
// mmu_update, update_va_mapping and mmuext_op.
import { CR0_PG, type Machine } from '../../machine/machine';
import {
  DOMID_SELF,
  MMU_MACHPHYS_UPDATE,
  MMU_NORMAL_PT_UPDATE,
  MMU_PT_UPDATE_PRESERVE_AD,
  MMU_UPDATE,
  MMUEXT,
  MMUEXT_OP,
  XEN_ERRNO,
} from './abi';
import { readGuest, readPhys, writeGuest, writePhys } from './memory';
import { fail, hex, ok, type Served, type Work, type XenCall } from './served';
import type { XenVcpu } from './state';

const { EPERM, ESRCH, EBUSY, EFAULT, EINVAL, ENOSYS } = XEN_ERRNO;

/** The VX page table at `base`: 16 entries of 4 bytes (isa.md, "Paging"). */
const PT_BYTES = 64;
const PRESENT = 1;
const WRITABLE = 2;

function framesOf(base: number): number[] {
  const a = base >>> 12;
  const b = (base + PT_BYTES - 1) >>> 12;
  return a === b ? [a] : [a, b];
}

/** Which frames are typed as page tables: the base's and the pinned ones (Xen's PGT_l1_page_table). */
function retype(m: Machine, x: XenVcpu): void {
  x.pageTable.fill(0);
  for (let f = 0; f < 16; f++) if (x.pinned[f]) x.pageTable[f] = 1;
  if (m.cr0 & CR0_PG) for (const f of framesOf(m.cr3 >>> 0)) if (f < 16) x.pageTable[f] = 1;
}

/**
 * get_page_from_l1e (xen/arch/x86/mm.c), for one VX PTE: a present entry must name one of the VM's
 * frames (VX: no bits above the frame number; Xen: "non-privileged attempt to map MMIO space",
 * -EPERM), and may be writable only if that frame is not a page table (get_page_type(
 * PGT_writable_page) fails on a typed frame: "could_not_pin", -EBUSY). 0 or the errno.
 */
export function checkPte(x: XenVcpu, value: number, extraTable: readonly number[] = []): number {
  if (!(value & PRESENT)) return 0;
  if (value >>> 16 !== 0) return -EPERM;
  const frame = (value >>> 12) & 15;
  if (value & WRITABLE && (x.pageTable[frame] || extraTable.includes(frame))) return -EBUSY;
  return 0;
}

function pteWords(c: XenCall, value: number, rc: number): string {
  if (!c.words) return '';
  if (rc === -EPERM) return `${hex(value)} names frame ${hex(value >>> 12)}, not one of this VM's frames`;
  return `${hex(value)} would map page-table frame ${(value >>> 12) & 15} writable`;
}

/**
 * One entry write at guest-physical `pa`, as do_mmu_update does it: in a frame typed as page table,
 * validated (mod_l1_entry); in any other frame of the VM, written as is (the PGT_writable_page case);
 * outside the VM, -EINVAL ("Could not get page for normal update"). 0 or the errno.
 */
function writePte(c: XenCall, w: Work, pa: number, value: number): number {
  const x = c.xen;
  if (pa >= 0x10000 - 3 || (pa & 3) !== 0) return -EINVAL;
  if (!x.pageTable[pa >>> 12]) {
    writePhys(c.m, pa, value);
    return 0;
  }
  const rc = checkPte(x, value);
  if (rc) return rc;
  writePhys(c.m, pa, value);
  w.ptes.push(pa);
  return 0;
}

/**
 * do_mmu_update (xen/arch/x86/mm.c): R1 the requests (`struct mmu_update` {ptr, val}, 16 bytes),
 * R2 their count, R3 where to write how many succeeded (0: nowhere), R4 the domain (DOMID_SELF).
 * `ptr` is the guest-physical address of the entry (Xen: its machine address) with the command in
 * its low 2 bits. It stops at the first refused request.
 */
export function mmuUpdate(c: XenCall, w: Work, reqs: number, count: number, done: number, dom: number): Served {
  const m = c.m;
  if (dom !== DOMID_SELF) return fail(c, -ESRCH, `domain ${hex(dom)}: only DOMID_SELF`);
  let i = 0;
  let rc = 0;
  let why = '';
  for (; i < count >>> 0; i++) {
    const e = (reqs + i * MMU_UPDATE.size) | 0;
    const ptr = readGuest(m, e + MMU_UPDATE.ptr);
    const val = readGuest(m, e + MMU_UPDATE.val);
    const valHi = readGuest(m, e + MMU_UPDATE.val + 4);
    if (ptr === undefined || val === undefined || valHi === undefined) {
      rc = -EFAULT;
      why = `request ${i} at ${hex(e)} is not mapped`;
      break;
    }
    const cmd = ptr & 3;
    if (cmd !== MMU_NORMAL_PT_UPDATE && cmd !== MMU_PT_UPDATE_PRESERVE_AD) {
      // MMU_MACHPHYS_UPDATE: VirtLab keeps no machine-to-physical table (Xen: -EINVAL for a translated
      // guest); any other command is -ENOSYS, as do_mmu_update's default.
      rc = cmd === MMU_MACHPHYS_UPDATE ? -EINVAL : -ENOSYS;
      why = `request ${i}: command ${cmd}`;
      break;
    }
    const pa = (ptr & ~3) >>> 0;
    rc = valHi !== 0 ? -EPERM : writePte(c, w, pa, val);
    if (rc) {
      why = isTableFrame(c.xen, pa) ? `request ${i}: ${pteWords(c, val, rc)}` : `request ${i}: ${hex(pa)} is outside the VM`;
      break;
    }
  }
  if (done !== 0 && !writeGuest(m, done, i)) return fail(c, -EFAULT, 'success count not writable');
  if (rc) return fail(c, rc, why);
  return ok(c, `${i} page-table entr${i === 1 ? 'y' : 'ies'} validated and written`);
}

function isTableFrame(x: XenVcpu, pa: number): boolean {
  return pa < 0x10000 && x.pageTable[pa >>> 12] === 1;
}

const UVMF_TLB_FLUSH = 1;
const UVMF_INVLPG = 2;

/**
 * do_update_va_mapping (xen/arch/x86/pv/mm.c, x86_32 PAE arguments): R1 the virtual address, R2/R3
 * the new PTE (low, high word), R4 flags (UVMF_INVLPG 2, UVMF_TLB_FLUSH 1): the entry mapping R1 in
 * the current page table, validated as mmu_update validates.
 */
export function updateVaMapping(c: XenCall, w: Work, va: number, lo: number, hi: number, flags: number): Served {
  const m = c.m;
  if (va >>> 0 >= 0x10000 || !(m.cr0 & CR0_PG)) return fail(c, -EINVAL, `${hex(va)} has no page-table entry`);
  const pa = ((m.cr3 >>> 0) + ((va >>> 12) & 15) * 4) >>> 0;
  const rc = hi !== 0 ? -EPERM : writePte(c, w, pa, lo);
  if (rc) return fail(c, rc, pteWords(c, lo, rc));
  const how = flags & 3;
  if (how === UVMF_INVLPG) m.invalidatePage(va, 'update_va_mapping (UVMF_INVLPG)');
  else if (how === UVMF_TLB_FLUSH) m.flushTlb('update_va_mapping (UVMF_TLB_FLUSH)');
  return ok(c, `PTE of ${hex(va)} ← ${hex(lo)} (validated)`);
}

/**
 * do_mmuext_op (xen/arch/x86/mm.c): R1 the ops (`struct mmuext_op` {cmd, arg1, arg2}, 12 bytes), R2
 * their count, R3 the success count (0: none), R4 DOMID_SELF. VX's base pointer is a byte address
 * (CR3 is one), so NEW_BASEPTR's and PIN_L1_TABLE's arg1 is the table's guest-physical address.
 */
export function mmuextOp(c: XenCall, w: Work, ops: number, count: number, done: number, dom: number): Served {
  const m = c.m;
  const x = c.xen;
  if (dom !== DOMID_SELF) return fail(c, -ESRCH, `domain ${hex(dom)}: only DOMID_SELF`);
  const said: string[] = [];
  let i = 0;
  let rc = 0;
  for (; i < count >>> 0 && rc === 0; i++) {
    const e = (ops + i * MMUEXT_OP.size) | 0;
    const cmd = readGuest(m, e + MMUEXT_OP.cmd);
    const arg1 = readGuest(m, e + MMUEXT_OP.arg1);
    if (cmd === undefined || arg1 === undefined) {
      rc = -EFAULT;
      said.push(`op ${i} not mapped`);
      break;
    }
    switch (cmd) {
      case MMUEXT.NEW_BASEPTR: {
        // new_guest_cr3 → get_page_and_type(PGT_root_page_table): the table is validated entry by entry.
        const base = arg1 >>> 0;
        if (base + PT_BYTES > 0x10000) {
          rc = -EINVAL;
          said.push(`${hex(base)} is not a frame of this VM`);
          break;
        }
        const own = framesOf(base);
        const bad = firstBadEntry(m, x, base, own);
        if (bad >= 0) {
          rc = -EINVAL;
          said.push(`entry ${bad} of the table at ${hex(base)} maps a page-table frame writable`);
          break;
        }
        m.cr3 = base | 0;
        m.cr0 |= CR0_PG;
        retype(m, x);
        m.flushTlb('mmuext_op MMUEXT_NEW_BASEPTR');
        w.pagingChanged = true;
        said.push(`NEW_BASEPTR ${hex(base)}`);
        break;
      }
      case MMUEXT.PIN_L1_TABLE: {
        const base = arg1 >>> 0;
        if (base + PT_BYTES > 0x10000 || firstBadEntry(m, x, base, framesOf(base)) >= 0) {
          rc = -EINVAL;
          said.push(`PIN_L1_TABLE ${hex(base)} refused`);
          break;
        }
        for (const f of framesOf(base)) x.pinned[f] = 1;
        retype(m, x);
        w.pagingChanged = true;
        said.push(`PIN_L1_TABLE ${hex(base)}`);
        break;
      }
      case MMUEXT.UNPIN_TABLE:
        for (const f of framesOf(arg1 >>> 0)) if (f < 16) x.pinned[f] = 0;
        retype(m, x);
        w.pagingChanged = true;
        said.push(`UNPIN_TABLE ${hex(arg1)}`);
        break;
      case MMUEXT.TLB_FLUSH_LOCAL:
        m.flushTlb('mmuext_op MMUEXT_TLB_FLUSH_LOCAL');
        said.push('TLB_FLUSH_LOCAL');
        break;
      case MMUEXT.INVLPG_LOCAL:
        m.invalidatePage(arg1, 'mmuext_op MMUEXT_INVLPG_LOCAL');
        said.push(`INVLPG_LOCAL ${hex(arg1)}`);
        break;
      default:
        rc = -ENOSYS;
        said.push(`command ${cmd}`);
    }
  }
  const succeeded = rc ? i - 1 : i;
  if (done !== 0 && !writeGuest(m, done, succeeded)) return fail(c, -EFAULT, 'success count not writable');
  return rc ? fail(c, rc, said.join('; ')) : ok(c, said.join('; '));
}

/** The first entry of the table at `base` that get_page_from_l1e refuses, or -1. */
function firstBadEntry(m: Machine, x: XenVcpu, base: number, own: readonly number[]): number {
  for (let i = 0; i < 16; i++) if (checkPte(x, readPhys(m, base + 4 * i), own) !== 0) return i;
  return -1;
}
