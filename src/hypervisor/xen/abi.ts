// Xen's guest-visible interface, as names and numbers: the one header everything else implements
// (architecture.md: "Xen xen/include/public/xen.h"). Every number below is Xen's own; the file it
// comes from is named beside it. Nothing here is VirtLab's invention except the VX layouts marked
// "VX", which follow x86_32's structures word for word (docs/xen-interface.md).
import { XEN_HYPERCALLS, type XenHypercallName } from '../../config';

/** xen/include/public/xen.h: `#define __HYPERVISOR_<name> <n>` (the ones VirtLab serves; src/config/xen.ts). */
export const HYPERCALL = XEN_HYPERCALLS;
export type HypercallName = XenHypercallName;

/** Number → name, for the events and the Inspector's hypercall table. */
export const HYPERCALL_NAMES: Readonly<Record<number, HypercallName>> = Object.fromEntries(
  Object.entries(HYPERCALL).map(([name, n]) => [n, name as HypercallName]),
);

/** xen/include/public/errno.h (Xen's errno values, returned negated in R0). */
export const XEN_ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ENOSYS: 38,
} as const;
export const ERRNO_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(XEN_ERRNO).map(([k, v]) => [-v, `-${k}`]));

/** xen.h: the low two bits of an mmu_update request's `ptr` select the command. */
export const MMU_NORMAL_PT_UPDATE = 0;
export const MMU_MACHPHYS_UPDATE = 1;
export const MMU_PT_UPDATE_PRESERVE_AD = 2;

/** xen.h: `struct mmuext_op` commands. */
export const MMUEXT = {
  PIN_L1_TABLE: 0,
  UNPIN_TABLE: 4,
  NEW_BASEPTR: 5,
  TLB_FLUSH_LOCAL: 6,
  INVLPG_LOCAL: 7,
} as const;

/** xen/include/public/sched.h. */
export const SCHEDOP = { yield: 0, block: 1, shutdown: 2 } as const;
/** sched.h: `struct sched_shutdown.reason`. */
export const SHUTDOWN = { poweroff: 0, reboot: 1, suspend: 2, crash: 3 } as const;

/** xen/include/public/event_channel.h. */
export const EVTCHNOP = { bind_virq: 1, close: 3, send: 4, bind_ipi: 7, unmask: 9 } as const;
/** xen.h: `#define VIRQ_TIMER 0` (Timebase update, and/or requested timeout). */
export const VIRQ_TIMER = 0;

/** xen/include/public/vcpu.h. */
export const VCPUOP_register_vcpu_info = 10;

/** xen.h: CONSOLEIO_write / CONSOLEIO_read. */
export const CONSOLEIO_write = 0;

/** xen/include/public/version.h: XENVER_version returns (major << 16) | minor. */
export const XENVER_version = 0;
/** The version VirtLab reports: Xen 3.0, the release of the x86_32 PV ABI modelled here. */
export const XEN_VERSION = (3 << 16) | 0;

/** xen.h: DOMID_SELF, the only domain a guest names here. */
export const DOMID_SELF = 0x7ff0;

/** xen/include/public/callback.h: CALLBACKTYPE_event, _failsafe (set_callbacks takes both entries). */
export const CALLBACKTYPE_event = 0;

// ---- layouts in guest memory (VX: x86_32's structures, 32-bit words) -----------------------------------

/**
 * `struct trap_info` (arch-x86/xen.h): { uint8_t vector; uint8_t flags; uint16_t cs; unsigned long
 * address; } = 8 bytes on x86_32. flags bits 0–1: the DPL (who may `INT n` it); bit 2: clear the event
 * mask on entry (an "interrupt gate", TI_SET_IF). An entry with address 0 ends the table.
 */
export const TRAP_INFO = { size: 8, vector: 0, flags: 1, cs: 2, address: 4 } as const;
export const TI_DPL_MASK = 3;
export const TI_IF = 4;

/** `struct mmu_update` (xen.h): { uint64_t ptr; uint64_t val; } = 16 bytes. */
export const MMU_UPDATE = { size: 16, ptr: 0, val: 8 } as const;

/** `struct mmuext_op` (xen.h) on x86_32: { unsigned int cmd; union { mfn | linear_addr } arg1; union arg2; } = 12 bytes. */
export const MMUEXT_OP = { size: 12, cmd: 0, arg1: 4, arg2: 8 } as const;

/**
 * `struct multicall_entry` (xen.h) on x86_32: { unsigned long op, result; unsigned long args[6]; } =
 * 32 bytes: op at +0, result at +4, args at +8 … +28.
 */
export const MULTICALL_ENTRY = { size: 32, op: 0, result: 4, args: 8 } as const;

/**
 * `struct vcpu_info` (xen.h, arch-x86/xen.h for x86_32): evtchn_upcall_pending (uint8) +0,
 * evtchn_upcall_mask (uint8) +1, evtchn_pending_sel (xen_ulong_t, 32 bits) +4, arch.cr2 +8
 * (arch_vcpu_info: cr2, pad[5]), time (struct vcpu_time_info) +32 with its system_time (64 bits) at
 * +48; 64 bytes in all. VX: system_time counts the guest's ticks (its instructions), not nanoseconds.
 */
export const VCPU_INFO = { size: 64, pending: 0, mask: 1, pendingSel: 4, cr2: 8, systemTime: 48 } as const;

/**
 * `struct shared_info` (xen.h) on x86_32: vcpu_info[32] (2,048 bytes), then
 * evtchn_pending[32] (a bitmap of 32 × 32 ports) at +0x800, evtchn_mask[32] at +0x880.
 */
export const SHARED_INFO = { evtchnPending: 0x800, evtchnMask: 0x880 } as const;
/** VX: one pending word (ports 0–31) is all a 16-frame VM needs. */
export const NR_PORTS = 32;

/** `struct vcpu_register_vcpu_info` (vcpu.h): { uint64_t mfn; uint32_t offset; uint32_t rsvd; }. */
export const REGISTER_VCPU_INFO = { size: 16, mfn: 0, offset: 8 } as const;

/** `struct evtchn_bind_virq` (event_channel.h): { uint32_t virq; uint32_t vcpu; evtchn_port_t port (OUT); }. */
export const EVTCHN_BIND_VIRQ = { virq: 0, vcpu: 4, port: 8 } as const;
/** `struct evtchn_send` and `struct evtchn_unmask`: { evtchn_port_t port; }. */
export const EVTCHN_PORT = { port: 0 } as const;

/** `struct sched_shutdown` (sched.h): { unsigned int reason; }. */
export const SCHED_SHUTDOWN = { reason: 0 } as const;

/** x86_32 Xen: the system-call vector that may go straight to the guest kernel (int80_direct_trap). */
export const INT80 = 0x80;
