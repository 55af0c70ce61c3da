// Event channels, the vcpu_info page and Xen's bounce frame.
//
// Followed: Xen's 2-level event channels (xen/common/event_2l.c `evtchn_2l_set_pending`,
// `evtchn_2l_unmask`), `vcpu_mark_events_pending` (xen/include/xen/event.h) and, for the frame,
// x86_32's `create_bounce_frame` (xen/arch/x86/x86_32/entry.S, Xen 3.x/4.2): the saved EFLAGS.IF is
// !evtchn_upcall_mask, an event callback sets the mask, and a trap whose trap_info has TI_IF set too.
import { IF } from '../../machine/alu';
import type { Machine } from '../../machine/machine';
import { NR_PORTS, SHARED_INFO, VCPU_INFO } from './abi';
import { guestPa, readPhys, writePhys } from './memory';
import type { XenVcpu } from './state';

/** The shared_info page holding the registered vcpu_info (VirtLab: vcpu_info at offset 0 of it). */
function sharedInfo(x: XenVcpu): number {
  return x.vcpuInfo & ~0xfff;
}

export function upcallMask(m: Machine, x: XenVcpu): number {
  return x.vcpuInfo < 0 ? 1 : m.mem[x.vcpuInfo + VCPU_INFO.mask];
}

export function setUpcallMask(m: Machine, x: XenVcpu, mask: number): void {
  if (x.vcpuInfo >= 0) m.hostStore(x.vcpuInfo + VCPU_INFO.mask, mask);
}

/**
 * update_vcpu_system_time (xen/arch/x86/time.c): Xen refreshes vcpu_info.time whenever it enters
 * the guest; VX's system time is the guest's tick count.
 */
export function updateSystemTime(m: Machine, x: XenVcpu): void {
  if (x.vcpuInfo < 0) return;
  writePhys(m, x.vcpuInfo + VCPU_INFO.systemTime, m.ticks);
  writePhys(m, x.vcpuInfo + VCPU_INFO.systemTime + 4, Math.floor(m.ticks / 2 ** 32));
}

/** An upcall is due: events pending and not masked, and a callback registered (Xen's test_all_events). */
export function upcallDue(m: Machine, x: XenVcpu): boolean {
  return x.vcpuInfo >= 0 && x.callback !== 0 && m.mem[x.vcpuInfo + VCPU_INFO.pending] !== 0 && m.mem[x.vcpuInfo + VCPU_INFO.mask] === 0;
}

/**
 * evtchn_2l_set_pending: sets the port's bit in shared_info.evtchn_pending; unless the port is masked
 * (evtchn_mask) or already pending, sets the selector bit and evtchn_upcall_pending. True when the
 * vCPU now has an event pending (it must be woken if blocked).
 */
export function setPending(m: Machine, x: XenVcpu, port: number): boolean {
  if (x.vcpuInfo < 0 || port <= 0 || port >= NR_PORTS) return false;
  const s = sharedInfo(x);
  const bit = 1 << port;
  const pending = readPhys(m, s + SHARED_INFO.evtchnPending);
  if (pending & bit) return false;
  writePhys(m, s + SHARED_INFO.evtchnPending, pending | bit);
  if (readPhys(m, s + SHARED_INFO.evtchnMask) & bit) return false;
  return markPending(m, x);
}

/** Selector bit 0 (ports 0–31 are word 0) and evtchn_upcall_pending (vcpu_mark_events_pending). */
function markPending(m: Machine, x: XenVcpu): boolean {
  const v = x.vcpuInfo;
  const sel = readPhys(m, v + VCPU_INFO.pendingSel);
  if (!(sel & 1)) writePhys(m, v + VCPU_INFO.pendingSel, sel | 1);
  m.hostStore(v + VCPU_INFO.pending, 1);
  return true;
}

/** evtchn_2l_unmask: clears the port's mask bit; a pending port then marks the vCPU pending. */
export function unmaskPort(m: Machine, x: XenVcpu, port: number): void {
  if (x.vcpuInfo < 0) return;
  const s = sharedInfo(x);
  const bit = 1 << port;
  writePhys(m, s + SHARED_INFO.evtchnMask, readPhys(m, s + SHARED_INFO.evtchnMask) & ~bit);
  if (readPhys(m, s + SHARED_INFO.evtchnPending) & bit) markPending(m, x);
}

/** The port bound to VIRQ `virq`, or 0. */
export function portOfVirq(x: XenVcpu, virq: number): number {
  const p = x.portVirq.indexOf(virq);
  return p > 0 ? p : 0;
}

/**
 * Builds Xen's bounce frame on the guest kernel stack and enters the guest kernel at `entry`.
 * VX's frame is its interrupt frame (isa.md): old SP, old CPL, FLAGS, return PC (x86_32's SS:ESP,
 * CS, EFLAGS, EIP), on KSP (the stack stack_switch named) when coming from guest user mode. FLAGS.IF
 * in the frame is !evtchn_upcall_mask; with `mask`, events are masked on entry. False when the frame
 * cannot be written: Xen then crashes the domain (domain_crash_synchronous).
 */
export function bounce(m: Machine, x: XenVcpu, entry: number, returnPc: number, mask: boolean): boolean {
  const oldSp = m.r[7];
  const oldCpl = m.cpl;
  const masked = upcallMask(m, x) !== 0;
  const flags = (m.flags & ~IF) | (masked ? 0 : IF);
  const sp = oldCpl > 0 ? m.ksp : oldSp;
  const frame = [oldSp, oldCpl, flags, returnPc];
  const pas: number[] = [];
  for (let i = 0; i < 4; i++) {
    for (let b = 0; b < 4; b++) {
      const p = guestPa(m, (sp - 4 * (i + 1) + b) | 0);
      if (p < 0) return false;
      pas.push(p);
    }
  }
  for (let i = 0; i < 4; i++) for (let b = 0; b < 4; b++) m.hostStore(pas[4 * i + b], (frame[i] >>> (8 * b)) & 0xff);
  m.r[7] = (sp - 16) | 0;
  m.cpl = 0;
  if (mask) setUpcallMask(m, x, 1);
  // FLAGS.IF mirrors the virtual IF (!evtchn_upcall_mask) at each entry into the guest kernel.
  m.flags = upcallMask(m, x) ? m.flags & ~IF : m.flags | IF;
  m.pc = entry;
  m.waiting = false;
  updateSystemTime(m, x);
  return true;
}
