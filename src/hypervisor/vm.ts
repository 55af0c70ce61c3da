// The VMs and their vCPUs, and the vocabulary of transitions from guest to hypervisor.
import { Machine } from '../machine/machine';
import { type Counters, emptyCounters } from '../trace/events';
import type { CostTable } from './costs';
import { cpuView } from './inspection';
import type { FidelityViolation, RunConfig, VmView } from './technique';

/** Intel's VM-exit reasons (basic exit reason numbers) used by VX. */
export const EXIT_REASONS = {
  EXCEPTION: 0,
  EXTERNAL_INTERRUPT: 1,
  TRIPLE_FAULT: 2,
  INTERRUPT_WINDOW: 7,
  HLT: 12,
  INVLPG: 14,
  VMCALL: 18,
  CR_ACCESS: 28,
  IO_INSTRUCTION: 30,
  EPT_VIOLATION: 48,
} as const;
export type ExitReasonName = keyof typeof EXIT_REASONS;

/** The address of the hypervisor's own IDT: what a directly executed SIDT returns (the Red Pill). */
export const HYPERVISOR_IDT = 0xfc000000 | 0;

/** Every way control passes from a guest to the hypervisor. */
export type Exit =
  /** The guest faulted into the hypervisor (trap-and-emulate, binary translation, paravirtualization). */
  | { readonly kind: 'trap'; readonly cause: string; readonly action: string }
  /** A hardware-assisted VM exit. */
  | { readonly kind: 'vm-exit'; readonly reason: ExitReasonName; readonly qualification: string }
  /** An explicit hypercall (paravirtualization; hardware-assisted VMCALL exits use 'vm-exit'). */
  | { readonly kind: 'hypercall'; readonly number: number; readonly name: string }
  /** A callout from translated code into the hypervisor (binary translation: same ring, no trap). */
  | { readonly kind: 'callout'; readonly instruction: string };

export interface Vcpu {
  /** Virtual interrupts pending for injection are the machine's `irqPending`; this marks an armed window. */
  windowArmed: boolean;
  /** Hardware-assisted: the vCPU executed HLT and waits in the hypervisor for an interrupt. */
  blocked: boolean;
}

/** One VM: its machine (which holds the guest-visible state), P2M, shadow/EPT state and counters. */
export class Vm {
  readonly machine: Machine;
  /** Guest-physical frame → host frame, deliberately not contiguous. */
  readonly p2m: readonly number[];
  counters: Counters = emptyCounters();
  fidelity: FidelityViolation[] = [];
  /** Shadow page table: which guest-virtual pages have a filled shadow entry (shadow paging). */
  shadow: Uint8Array = new Uint8Array(16);
  /** Nested paging: which guest-physical frames have an EPT entry (filled lazily, as KVM does). */
  ept: Uint8Array = new Uint8Array(16);
  vcpu: Vcpu = { windowArmed: false, blocked: false };

  constructor(
    readonly index: number,
    readonly name: string,
    config: RunConfig,
    costs: Readonly<CostTable>,
  ) {
    this.machine = new Machine({ variant: config.isa, costs, vm: index });
    this.machine.loadImage(config.vms[index].image);
    this.p2m = Array.from({ length: 16 }, (_, g) => 16 * (index + 1) + ((g * 7 + 3 * index + 5) & 15));
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
