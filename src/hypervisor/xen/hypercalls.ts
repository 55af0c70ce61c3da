// Xen's hypercalls, served on the vCPU: number in R0 (or VMCALL's immediate, which the hypercall
// page's stub `mov $nr, %eax` puts there), arguments R1–R5 (EBX, ECX, EDX, ESI, EDI), result in R0:
// 0 or a negative Xen errno. Each case names the Xen function it follows (xen/common/, xen/arch/x86/;
// x86_32 argument order, as in Linux's arch/x86/include/asm/xen/hypercall.h).
//
// Served under paravirtualization (a PV kernel in ring 1) and under hardware assistance (an HVM
// guest's VMCALL, same numbers, as Xen HVM guests use them; the PV-only calls there answer -ENOSYS).
import { HYPERCALL, HYPERCALL_NAMES, type HypercallName, MULTICALL_ENTRY, XEN_ERRNO, XEN_VERSION, XENVER_version } from './abi';
import { consoleIo } from './console';
import { upcallMask, updateSystemTime } from './events';
import { guestPa, readGuest, writeGuest } from './memory';
import { mmuextOp, mmuUpdate, updateVaMapping } from './mm';
import { schedOp, setTimerOp } from './schedule';
import { fail, hex, ok, type Served, type Work, type XenCall } from './served';
import { iret, setTrapTable } from './traps';
import { eventChannelOp, vcpuOp } from './vcpu';

const { EPERM, EFAULT, EINVAL, ENOSYS } = XEN_ERRNO;

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

export { checkPte } from './mm';
export type { XenCall } from './served';
export { guestPa, upcallMask };
