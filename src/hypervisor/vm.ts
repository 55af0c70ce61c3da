// The VMs and their vCPUs, and the vocabulary of transitions from guest to hypervisor.
import { PAGE_COUNT } from '../isa/constants';
import { Machine } from '../machine/machine';
import { type Counters, emptyCounters } from '../trace/events';
import type { CostTable } from './costs';
import type { Action, ExitReasonName, GuestExit } from './exits';

export { EXIT_REASONS, type ExitReasonName } from './exits';

import { cpuView } from './inspection';
import type { FidelityViolation, RunConfig, VmView } from './technique';
import type { TranslationCache } from './translation-cache';
import { newXenVcpu, type XenVcpu } from './xen/state';

/** The address of the hypervisor's own IDT: what a directly executed SIDT returns (the Red Pill). */
export const HYPERVISOR_IDT = 0xfc000000 | 0;

export interface Vcpu {
  /** Hardware-assisted: an interrupt-window exit is armed (a virtual interrupt waits for vIF = 1). */
  windowArmed: boolean;
  /** Hardware-assisted: the vCPU executed HLT and waits in the hypervisor for an interrupt. */
  blocked: boolean;
  /** Hardware-assisted: the vCPU is in root mode (after a VM exit, before the VM entry that follows it). */
  outside: boolean;
  /** Paravirtualization: the kernel registered its trap table (system calls then go straight to it). */
  trapTable: boolean;
  /** Paravirtualization: the #GP of an unmodified privileged instruction is being delivered (to name its cause). */
  privilegeFault: boolean;
  /** Hardware-assisted: the first entry (VMLAUNCH) was made; every later one is a VMRESUME. */
  launched: boolean;
  /** Hardware-assisted: IDT-vectoring information of the last exit (an event it interrupted, re-injected on entry), or 0. */
  vectoring: number;
  /** Xen's per-vCPU state (trap table, callbacks, vcpu_info, event channels, typed frames). */
  xen: XenVcpu;
}

/** The exit information of a VM's last VM exit (hardware-assisted), as numbers: worded when inspected. */
export interface LastExit {
  reason: ExitReasonName | null;
  /** The guest PC of the exit, the instruction there (two words), CR2 and the operand register then. */
  pc: number;
  insLo: number;
  insHi: number;
  cr2: number;
  reg: number;
  exit: GuestExit | null;
  action: Action | null;
}

/**
 * Where the hypervisor keeps this VM's structures in its own 64 KiB (host frames 0–15): the VMCS at
 * 0x1000 × (index + 1), the EPT root 0x800 above it, the shadow page table's root 0xC00 above it.
 * VirtLab's choice: the spec gives the hypervisor 64 KiB and places nothing in it.
 */
export function shadowRoot(vm: { readonly index: number }): number {
  return 0x1000 * (vm.index + 1) + 0xc00;
}

/** One VM: its machine (which holds the guest-visible state), P2M, shadow/EPT state and counters. */
export class Vm {
  readonly machine: Machine;
  /** Guest-physical frame → host frame, deliberately not contiguous. */
  readonly p2m: readonly number[];
  /** The host the VM runs on: host A, until a live migration moves it to host B (migration/live.ts). */
  host: 'host A' | 'host B' = 'host A';
  counters: Counters = emptyCounters();
  fidelity: FidelityViolation[] = [];
  /** Shadow page table: which guest-virtual pages have a filled shadow entry (shadow paging). */
  shadow: Uint8Array = new Uint8Array(PAGE_COUNT);
  /** Shadow paging: the cached shadow tables, most recently used first; `shadow` is the first one's entries. */
  shadowRoots: { readonly key: number; readonly filled: Uint8Array }[] = [{ key: -1, filled: this.shadow }];
  /** Nested paging: which guest-physical frames have an EPT entry (filled lazily, as KVM does). */
  ept: Uint8Array = new Uint8Array(PAGE_COUNT);
  vcpu: Vcpu = {
    windowArmed: false,
    blocked: false,
    outside: false,
    trapTable: false,
    privilegeFault: false,
    launched: false,
    vectoring: 0,
    xen: newXenVcpu(),
  };
  lastExit: LastExit = { reason: null, pc: 0, insLo: 0, insHi: 0, cr2: 0, reg: 0, exit: null, action: null };
  /** Binary translation: this VM's own translation cache (never shared with another VM). */
  tc: TranslationCache | null = null;
  /** Binary translation: callouts from translated code into the hypervisor. */
  callouts = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    config: RunConfig,
    costs: Readonly<CostTable>,
  ) {
    this.machine = new Machine({ variant: config.isa, costs, vm: index });
    this.machine.loadImage(config.vms[index].image);
    this.p2m = Array.from({ length: PAGE_COUNT }, (_, g) => 16 * (index + 1) + ((g * 7 + 3 * index + 5) & 15));
  }

  get virtualCpl(): number {
    return this.machine.cpl;
  }

  /** The VM as the guest sees it (virtual state) with its counters. */
  view(): VmView {
    const m = this.machine;
    const counters = {
      ...this.counters,
      vmExitsByReason: { ...this.counters.vmExitsByReason },
      hypercallsByName: { ...this.counters.hypercallsByName },
      instructions: m.retired,
      tlbMisses: m.tlbMisses,
      interrupts: m.interrupts,
      exceptions: m.exceptions,
      io: m.ioCount,
    };
    return {
      name: this.name,
      state: m.state,
      exitCode: m.state === 'powered-off' ? m.exitCode : null,
      ...(m.state === 'crashed' ? { crashReason: m.crashReason } : {}),
      console: m.console,
      cpu: cpuView(m),
      counters,
      fidelity: [...this.fidelity],
    };
  }
}
