// Xen's hypercalls, served on the vCPU: number in R0 (or VMCALL's immediate, which the hypercall
// page's stub `mov $nr, %eax` puts there), arguments R1–R5 (EBX, ECX, EDX, ESI, EDI), result in R0:
// 0 or a negative Xen errno. Each case names the Xen function it follows (xen/common/, xen/arch/x86/;
// x86_32 argument order, as in Linux's arch/x86/include/asm/xen/hypercall.h).
//
// Served under paravirtualization (a PV kernel in ring 1) and under hardware assistance (an HVM
// guest's VMCALL, same numbers, as Xen HVM guests use them; the PV-only calls there answer -ENOSYS).
import { CR0_PG, type Machine } from '../../machine/machine';
import {
  CONSOLEIO_write,
  DOMID_SELF,
  EVTCHN_BIND_VIRQ,
  EVTCHNOP,
  HYPERCALL,
  HYPERCALL_NAMES,
  type HypercallName,
  MMU_MACHPHYS_UPDATE,
  MMU_NORMAL_PT_UPDATE,
  MMU_PT_UPDATE_PRESERVE_AD,
  MMU_UPDATE,
  MMUEXT,
  MMUEXT_OP,
  MULTICALL_ENTRY,
  REGISTER_VCPU_INFO,
  SCHED_SHUTDOWN,
  SCHEDOP,
  SHUTDOWN,
  TRAP_INFO,
  VCPU_INFO,
  VCPUOP_register_vcpu_info,
  VIRQ_TIMER,
  XEN_ERRNO,
  XEN_VERSION,
  XENVER_version,
} from './abi';
import { portOfVirq, setPending, setUpcallMask, unmaskPort, upcallMask, updateSystemTime } from './events';
import { guestPa, readGuest, readGuestByte, readPhys, writeGuest, writePhys } from './memory';
import type { XenVcpu } from './state';

const { EPERM, ENOENT, ESRCH, EBUSY, EEXIST, EFAULT, EINVAL, ENOSPC, ENOSYS } = XEN_ERRNO;
const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

/** The VX page table at `base`: 16 entries of 4 bytes (isa.md, "Paging"). */
const PT_BYTES = 64;
const PRESENT = 1;
const WRITABLE = 2;

export interface HypercallOutcome {
  readonly number: number;
  readonly name: HypercallName | 'unknown';
  readonly args: number[];
  readonly result: number;
  /** What it did, in words (built only when `words` was asked for). */
  readonly effect: string;
  /** The guest's base page table changed (the hypervisor follows it: watch, or shadow). */
  readonly pagingChanged: boolean;
  /** Guest-physical addresses of page-table entries written (for a shadow). */
  readonly ptesWritten: readonly number[];
  /** The calls a multicall made, by name (counted each under its own name). */
  readonly entries: readonly (HypercallName | 'unknown')[];
  /** SCHEDOP_yield: the vCPU gives up the rest of its time slice. */
  readonly yielded: boolean;
}

/** What the monitor hands the server. */
export interface XenCall {
  readonly m: Machine;
  readonly xen: XenVcpu;
  /** A PV guest (ring-1 kernel); false for an HVM guest's VMCALL. */
  readonly pv: boolean;
  /** Build effect strings (only when someone listens). */
  readonly words: boolean;
}

interface Served {
  result: number;
  effect: string;
}

/** Mutable scratch of one hypercall (a multicall's entries add to it). */
interface Work {
  pagingChanged: boolean;
  ptes: number[];
  entries: (HypercallName | 'unknown')[];
  yielded: boolean;
  /** The vCPU's PC was set by the call (iret) or it stopped running (block, shutdown): do not step on. */
  tookPc: boolean;
  inMulticall: boolean;
  /**
   * Work Xen does in this crossing before it preempts itself (hypercall_preempt_check): console bytes,
   * multicall entries. Spent, the call creates a continuation: its arguments are rewritten and the
   * VMCALL runs again (hypercall_create_continuation), so a guest cannot make one instruction cost
   * unbounded work.
   */
  budget: number;
  /** The arguments R1–R3 to re-run the interrupted call with, when it was preempted. */
  continuation: [number, number, number] | null;
}

/** Console bytes (or multicall entries × 8) Xen handles per crossing before a continuation. */
const BUDGET = 512;
const ENTRY_WORK = 8;

/**
 * Serves hypercall `n` and completes the VMCALL: R0 ← the result and the PC moves on, except for
 * `iret` (which returns to the interrupted code and leaves R0 alone, as x86_32's iret stub restores
 * EAX) and calls that stop the vCPU.
 */
export function serveHypercall(c: XenCall, n: number): HypercallOutcome {
  const m = c.m;
  const r = m.r;
  const args = [r[1] >>> 0, r[2] >>> 0, r[3] >>> 0, r[4] >>> 0, r[5] >>> 0];
  const w: Work = {
    pagingChanged: false,
    ptes: [],
    entries: [],
    yielded: false,
    tookPc: false,
    inMulticall: false,
    budget: BUDGET,
    continuation: null,
  };
  const next = (m.pc + 8) | 0;
  updateSystemTime(m, c.xen);
  const out = call(c, w, n, r[1], r[2], r[3], r[4], r[5]);
  if (w.continuation && !w.tookPc) {
    // Preempted: the VMCALL runs again with what is left (R0 untouched, the PC stays).
    [r[1], r[2], r[3]] = w.continuation;
  } else if (!w.tookPc) {
    r[0] = out.result;
    m.pc = next;
  }
  // Retired last: a timer tick inside `retire` finds the call complete.
  if (m.state === 'running' || w.tookPc) m.retire(1);
  return {
    number: n,
    name: HYPERCALL_NAMES[n] ?? 'unknown',
    args,
    result: out.result,
    effect: out.effect,
    pagingChanged: w.pagingChanged,
    ptesWritten: w.ptes,
    entries: w.entries,
    yielded: w.yielded,
  };
}

function call(c: XenCall, w: Work, n: number, a1: number, a2: number, a3: number, a4: number, a5: number): Served {
  const name = HYPERCALL_NAMES[n];
  // An HVM guest has no PV MMU, trap table, callbacks or iret (Xen's hvm_hypercall_table lacks them).
  if (name === undefined || (!c.pv && !HVM_CALLS.has(name))) return fail(c, -ENOSYS, `no hypercall ${n}${name ? ` for an HVM guest` : ''}`);
  // Xen's hvm_hypercall: an HVM guest's hypercall from CPL > 0 returns -EPERM.
  if (!c.pv && c.m.cpl !== 0) return fail(c, -EPERM, 'hypercall from guest user mode');
  switch (name) {
    case 'set_trap_table':
      return setTrapTable(c, a1);
    case 'mmu_update':
      return mmuUpdate(c, w, a1, a2, a3, a4);
    case 'stack_switch':
      // x86_32 do_stack_switch(ss, esp): R1 the kernel stack segment (VX has none), R2 the stack.
      c.m.ksp = a2;
      return ok(c, `kernel stack ← ${hex(a2)}`);
    case 'set_callbacks':
      // x86_32 do_set_callbacks(event_selector, event_address, failsafe_selector, failsafe_address).
      c.xen.callback = a2;
      c.xen.failsafe = a4;
      return ok(c, `event callback ${hex(a2)}, failsafe ${hex(a4)}`);
    case 'multicall':
      return multicall(c, w, a1, a2);
    case 'update_va_mapping':
      return updateVaMapping(c, w, a1, a2, a3, a4);
    case 'set_timer_op':
      return setTimerOp(c, a1, a2);
    case 'xen_version':
      // xen/common/kernel.c do_xen_version: XENVER_version is (major << 16) | minor.
      return a1 === XENVER_version ? { result: XEN_VERSION, effect: c.words ? 'Xen 3.0' : '' } : fail(c, -ENOSYS, `XENVER ${a1}`);
    case 'console_io':
      return consoleIo(c, w, a1, a2, a3);
    case 'iret':
      return iret(c, w);
    case 'vcpu_op':
      return vcpuOp(c, a1, a2, a3);
    case 'mmuext_op':
      return mmuextOp(c, w, a1, a2, a3, a4);
    case 'sched_op':
      return schedOp(c, w, a1, a2);
    case 'event_channel_op':
      return eventChannelOp(c, a1, a2);
    default:
      void a5;
      return fail(c, -ENOSYS, `no hypercall ${n}`);
  }
}

const HVM_CALLS: ReadonlySet<HypercallName> = new Set([
  'xen_version',
  'console_io',
  'sched_op',
  'set_timer_op',
  'vcpu_op',
  'event_channel_op',
  'multicall',
]);

function ok(c: XenCall, effect: string): Served {
  return { result: 0, effect: c.words ? effect : '' };
}

function fail(c: XenCall, errno: number, why: string): Served {
  return { result: errno, effect: c.words ? `refused: ${why}` : '' };
}

// ---- traps and callbacks ---------------------------------------------------------------------------------

/**
 * xen/arch/x86/pv/traps.c (x86_32 traps.c before 4.3) do_set_trap_table: NULL clears the table;
 * else copy `struct trap_info` entries until one with address 0. VX's trap_info is 8 bytes: vector
 * (byte), flags (byte: DPL bits 0–1, TI_IF bit 2), cs (16 bits, unused), address (word).
 */
function setTrapTable(c: XenCall, va: number): Served {
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
function iret(c: XenCall, w: Work): Served {
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

// ---- memory ---------------------------------------------------------------------------------------------

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
function mmuUpdate(c: XenCall, w: Work, reqs: number, count: number, done: number, dom: number): Served {
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
function updateVaMapping(c: XenCall, w: Work, va: number, lo: number, hi: number, flags: number): Served {
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
function mmuextOp(c: XenCall, w: Work, ops: number, count: number, done: number, dom: number): Served {
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

// ---- batching ---------------------------------------------------------------------------------------------

/**
 * do_multicall (xen/common/multicall.c): R1 the entries (`struct multicall_entry` {op, result,
 * args[6]}, 32 bytes), R2 their count. Each entry's call runs with its six arguments and its result
 * is written back into the entry; a failing entry does not stop the batch. One crossing for all.
 */
function multicall(c: XenCall, w: Work, list: number, count: number): Served {
  const m = c.m;
  if (w.inMulticall) return fail(c, -EINVAL, 'multicall inside a multicall');
  w.inMulticall = true;
  let i = 0;
  for (; i < count >>> 0; i++) {
    const e = (list + i * MULTICALL_ENTRY.size) | 0;
    if (w.budget <= 0) {
      // do_multicall's hypercall_preempt_check: continue with the entries left, from this one.
      w.continuation = [e, (count >>> 0) - i, 0];
      break;
    }
    w.budget -= ENTRY_WORK;
    const op = readGuest(m, e + MULTICALL_ENTRY.op);
    const a: number[] = [];
    for (let k = 0; k < 5; k++) a.push(readGuest(m, e + MULTICALL_ENTRY.args + 4 * k) ?? 0);
    if (op === undefined) {
      w.inMulticall = false;
      return fail(c, -EFAULT, `entry ${i} at ${hex(e)} is not mapped`);
    }
    w.entries.push(HYPERCALL_NAMES[op] ?? 'unknown');
    const res = op === HYPERCALL.iret ? fail(c, -EINVAL, 'iret inside a multicall') : call(c, w, op, a[0], a[1], a[2], a[3], a[4]);
    if (w.continuation) {
      // The entry itself was preempted: its arguments are rewritten, and the multicall resumes at it.
      const [r1, r2, r3] = w.continuation;
      writeGuest(m, e + MULTICALL_ENTRY.args, r1);
      writeGuest(m, e + MULTICALL_ENTRY.args + 4, r2);
      writeGuest(m, e + MULTICALL_ENTRY.args + 8, r3);
      w.continuation = [e, (count >>> 0) - i, 0];
      break;
    }
    if (!writeGuest(m, e + MULTICALL_ENTRY.result, res.result)) break;
    if (m.state !== 'running' || w.tookPc) {
      i++;
      break;
    }
  }
  w.inMulticall = false;
  if (w.continuation) return ok(c, `${i} entr${i === 1 ? 'y' : 'ies'} run; preempted: the rest in a continuation`);
  return ok(c, `${i} entr${i === 1 ? 'y' : 'ies'} run in one crossing`);
}

// ---- time, console, scheduling ------------------------------------------------------------------------------

/**
 * do_set_timer_op (xen/arch/x86/x86_32 and common/domain.c): a one-shot timeout at an absolute
 * time (R1 low, R2 high); 0 cancels; a time already past sends VIRQ_TIMER at once. VX: the guest's
 * clock is its tick count (IN 0x41), so the timeout is a tick.
 */
function setTimerOp(c: XenCall, lo: number, hi: number): Served {
  const m = c.m;
  const x = c.xen;
  if (lo === 0 && hi === 0) {
    x.timer = -1;
    m.timerPeriod = 0;
    m.timerNext = -1;
    return ok(c, 'timeout cancelled');
  }
  const deadline = hi !== 0 ? Number.MAX_SAFE_INTEGER : lo >>> 0;
  if (deadline <= m.ticks) {
    x.timer = -1;
    const port = portOfVirq(x, VIRQ_TIMER);
    if (port) setPending(m, x, port);
    return ok(c, `timeout ${deadline} already past: VIRQ_TIMER sent now`);
  }
  x.timer = deadline;
  m.timerPeriod = 0;
  m.timerNext = deadline;
  return ok(c, `one-shot timeout at tick ${deadline}`);
}

/**
 * do_console_io (xen/drivers/char/console.c): CONSOLEIO_write R2 bytes from the buffer at R3.
 * guest_console_write preempts itself on long writes and continues with the rest.
 */
function consoleIo(c: XenCall, w: Work, cmd: number, count: number, buf: number): Served {
  const m = c.m;
  if (cmd !== CONSOLEIO_write) return fail(c, -ENOSYS, `CONSOLEIO command ${cmd}`);
  const n = Math.min(count >>> 0, Math.max(w.budget, 0));
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) {
    const b = readGuestByte(m, (buf + i) | 0);
    if (b === undefined) return fail(c, -EFAULT, `buffer byte ${hex(buf + i)} is not mapped`);
    bytes.push(b);
  }
  for (const b of bytes) m.portOut(0xe9, b);
  w.budget -= n;
  if (n < count >>> 0) w.continuation = [cmd, (count >>> 0) - n, (buf + n) | 0];
  return ok(c, `console ← ${JSON.stringify(String.fromCharCode(...bytes))}${w.continuation ? ' (preempted: the rest follows)' : ''}`);
}

/**
 * do_sched_op (xen/common/sched/core.c): R1 the command, R2 its argument. SCHEDOP_block enables
 * event delivery and blocks unless an event is pending (do_block: local_event_delivery_enable, then
 * local_events_need_delivery); SCHEDOP_shutdown reads `struct sched_shutdown` {reason}.
 */
function schedOp(c: XenCall, w: Work, cmd: number, arg: number): Served {
  const m = c.m;
  const x = c.xen;
  switch (cmd) {
    case SCHEDOP.yield:
      w.yielded = true;
      return ok(c, 'vCPU yields the rest of its time slice');
    case SCHEDOP.block: {
      if (!c.pv) {
        m.pc = (m.pc + 8) | 0;
        m.r[0] = 0;
        w.tookPc = true;
        m.waiting = true;
        return ok(c, 'vCPU blocked until its next interrupt');
      }
      setUpcallMask(m, x, 0);
      m.flags |= 0x200;
      const pending = x.vcpuInfo >= 0 && m.mem[x.vcpuInfo + VCPU_INFO.pending] !== 0;
      if (pending) return ok(c, 'events unmasked; one is pending: no block, the upcall follows');
      m.pc = (m.pc + 8) | 0;
      m.r[0] = 0;
      w.tookPc = true;
      m.waiting = true;
      return ok(c, 'events unmasked; vCPU blocked until an event arrives');
    }
    case SCHEDOP.shutdown: {
      const reason = readGuest(m, arg + SCHED_SHUTDOWN.reason);
      if (reason === undefined) return fail(c, -EFAULT, 'sched_shutdown not mapped');
      m.pc = (m.pc + 8) | 0;
      m.r[0] = 0;
      w.tookPc = true;
      if (reason === SHUTDOWN.crash) {
        m.setState('crashed', 'SCHEDOP_shutdown with SHUTDOWN_crash');
        return ok(c, 'the domain crashed itself (SHUTDOWN_crash)');
      }
      // VX's power-off carries an exit code: the shutdown reason (poweroff 0, reboot 1, suspend 2).
      m.exitCode = reason | 0;
      m.setState('powered-off');
      return ok(c, `domain shut down (reason ${reason})`);
    }
    default:
      return fail(c, -ENOSYS, `SCHEDOP ${cmd}`);
  }
}

/**
 * do_vcpu_op (xen/common/domain.c): R1 the command, R2 the vCPU, R3 the argument.
 * VCPUOP_register_vcpu_info (map_vcpu_info): `struct vcpu_register_vcpu_info` {mfn (64 bits), offset}.
 */
function vcpuOp(c: XenCall, cmd: number, vcpu: number, arg: number): Served {
  const m = c.m;
  const x = c.xen;
  if (vcpu !== 0) return fail(c, -ENOENT, `vCPU ${vcpu}: the VM has one`);
  if (cmd !== VCPUOP_register_vcpu_info) return fail(c, -ENOSYS, `VCPUOP ${cmd}`);
  const mfn = readGuest(m, arg + REGISTER_VCPU_INFO.mfn);
  const mfnHi = readGuest(m, arg + REGISTER_VCPU_INFO.mfn + 4);
  const offset = readGuest(m, arg + REGISTER_VCPU_INFO.offset);
  if (mfn === undefined || mfnHi === undefined || offset === undefined) return fail(c, -EFAULT, 'vcpu_register_vcpu_info not mapped');
  if (x.vcpuInfo >= 0) return fail(c, -EINVAL, 'vcpu_info already registered');
  // VirtLab: the page holding vcpu_info is also the domain's shared_info, so vcpu_info sits at offset 0.
  if (mfnHi !== 0 || mfn >>> 0 >= 16 || offset !== 0) return fail(c, -EINVAL, `frame ${mfn}, offset ${offset}`);
  const pa = (mfn >>> 0) << 12;
  x.vcpuInfo = pa;
  // A vCPU boots with events masked; nothing was pending before (no spurious event to carry over).
  m.hostStore(pa + VCPU_INFO.pending, 0);
  m.hostStore(pa + VCPU_INFO.mask, 1);
  writePhys(m, pa + VCPU_INFO.pendingSel, 0);
  writePhys(m, pa + VCPU_INFO.cr2, m.cr2);
  return ok(c, `vcpu_info at guest-physical ${hex(pa)} (events masked)`);
}

/** do_event_channel_op (xen/common/event_channel.c): R1 the command, R2 its structure. */
function eventChannelOp(c: XenCall, cmd: number, arg: number): Served {
  const m = c.m;
  const x = c.xen;
  switch (cmd) {
    case EVTCHNOP.bind_virq: {
      // evtchn_bind_virq: {virq, vcpu, port (out)}.
      const virq = readGuest(m, arg + EVTCHN_BIND_VIRQ.virq);
      const vcpu = readGuest(m, arg + EVTCHN_BIND_VIRQ.vcpu);
      if (virq === undefined || vcpu === undefined) return fail(c, -EFAULT, 'evtchn_bind_virq not mapped');
      if (virq >>> 0 >= 24) return fail(c, -EINVAL, `VIRQ ${virq}`);
      if (vcpu !== 0) return fail(c, -ENOENT, `vCPU ${vcpu}`);
      if (portOfVirq(x, virq)) return fail(c, -EEXIST, `VIRQ ${virq} is already bound`);
      const port = x.portVirq.indexOf(-1, 1);
      if (port < 0) return fail(c, -ENOSPC, 'no free port');
      if (!writeGuest(m, arg + EVTCHN_BIND_VIRQ.port, port)) return fail(c, -EFAULT, 'evtchn_bind_virq.port not writable');
      x.portVirq[port] = virq;
      return ok(c, `VIRQ ${virq}${virq === VIRQ_TIMER ? ' (VIRQ_TIMER)' : ''} bound to port ${port}`);
    }
    case EVTCHNOP.bind_ipi: {
      // evtchn_bind_ipi: {vcpu, port (out)}: a channel the vCPU can send to itself.
      const vcpu = readGuest(m, arg);
      if (vcpu === undefined) return fail(c, -EFAULT, 'evtchn_bind_ipi not mapped');
      if (vcpu !== 0) return fail(c, -ENOENT, `vCPU ${vcpu}`);
      const port = x.portVirq.indexOf(-1, 1);
      if (port < 0) return fail(c, -ENOSPC, 'no free port');
      if (!writeGuest(m, arg + 4, port)) return fail(c, -EFAULT, 'evtchn_bind_ipi.port not writable');
      x.portVirq[port] = IPI;
      return ok(c, `IPI channel on port ${port}`);
    }
    case EVTCHNOP.send: {
      // evtchn_send: an IPI channel is set pending; a VIRQ channel cannot be sent to (-EINVAL).
      const port = readGuest(m, arg);
      if (port === undefined) return fail(c, -EFAULT, 'evtchn_send not mapped');
      if (port >>> 0 >= x.portVirq.length || x.portVirq[port] !== IPI) return fail(c, -EINVAL, `port ${port} is not an IPI channel`);
      setPending(m, x, port);
      return ok(c, `port ${port} set pending`);
    }
    case EVTCHNOP.unmask: {
      const port = readGuest(m, arg);
      if (port === undefined) return fail(c, -EFAULT, 'evtchn_unmask not mapped');
      if (port >>> 0 >= x.portVirq.length || port === 0) return fail(c, -EINVAL, `port ${port}`);
      unmaskPort(m, x, port);
      return ok(c, `port ${port} unmasked`);
    }
    case EVTCHNOP.close: {
      const port = readGuest(m, arg);
      if (port === undefined) return fail(c, -EFAULT, 'evtchn_close not mapped');
      if (port >>> 0 >= x.portVirq.length || port === 0 || x.portVirq[port] === -1) return fail(c, -EINVAL, `port ${port}`);
      x.portVirq[port] = -1;
      return ok(c, `port ${port} closed`);
    }
    default:
      return fail(c, -ENOSYS, `EVTCHNOP ${cmd}`);
  }
}

/** portVirq's mark for an IPI channel (EVTCHNOP_bind_ipi). */
const IPI = -2;

export { guestPa, upcallMask };
