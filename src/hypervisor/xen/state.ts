// What Xen keeps for one PV vCPU: its copy of the trap table (Xen's `arch.pv.trap_ctxt`), the
// callback entries, where its vcpu_info lives, its event channels and the frames typed as page
// tables. Plain data (numbers and arrays): it is saved and restored with the vCPU.

export interface XenVcpu {
  /** trap_ctxt[v].address (0: none registered), as set_trap_table copied it. */
  traps: number[];
  /** trap_ctxt[v].flags: DPL in bits 0–1, TI_IF in bit 2. */
  trapFlags: number[];
  /** set_callbacks: the event upcall entry (0: none) and the failsafe entry. */
  callback: number;
  failsafe: number;
  /** Guest-physical address of the registered vcpu_info (-1: none; VCPUOP_register_vcpu_info). */
  vcpuInfo: number;
  /** Event channel port → VIRQ bound to it (-1: port free). Port 0 is never allocated (Xen reserves it). */
  portVirq: number[];
  /** Guest-physical frames typed as page tables (1) by MMUEXT_NEW_BASEPTR or MMUEXT_PIN_L1_TABLE. */
  pageTable: number[];
  /** Frames pinned (MMUEXT_PIN_L1_TABLE): they keep their type when not the base. */
  pinned: number[];
  /** set_timer_op: the deadline in guest ticks, or -1 when no timeout is armed. */
  timer: number;
  /** Xen is already handling a fault of this vCPU (a refused page-table store): the #PF it reflects is no new trap. */
  inXen: boolean;
  /** Bounce frames Xen built (traps), upcalls it made (events), multicall entries it ran. */
  bounces: number;
  upcalls: number;
  multicallEntries: number;
}

export function newXenVcpu(): XenVcpu {
  return {
    traps: new Array(256).fill(0),
    trapFlags: new Array(256).fill(0),
    callback: 0,
    failsafe: 0,
    vcpuInfo: -1,
    portVirq: new Array(32).fill(-1),
    pageTable: new Array(16).fill(0),
    pinned: new Array(16).fill(0),
    timer: -1,
    inXen: false,
    bounces: 0,
    upcalls: 0,
    multicallEntries: 0,
  };
}
