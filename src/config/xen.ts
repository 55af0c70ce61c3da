// Xen's hypercall numbers (xen/include/public/xen.h, `__HYPERVISOR_<name>`), the ones VirtLab serves:
// the vocabulary the engine (src/hypervisor/xen/) and the page's hypercall table share, so that
// both name and number every call the same way.
export const XEN_HYPERCALLS = {
  set_trap_table: 0,
  mmu_update: 1,
  stack_switch: 3,
  set_callbacks: 4,
  multicall: 13,
  update_va_mapping: 14,
  set_timer_op: 15,
  xen_version: 17,
  console_io: 18,
  iret: 23,
  vcpu_op: 24,
  mmuext_op: 26,
  sched_op: 29,
  event_channel_op: 32,
} as const;
export type XenHypercallName = keyof typeof XEN_HYPERCALLS;
