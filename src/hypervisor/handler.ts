// What a technique is: a handler of guest exits (Firecracker's `handle_kvm_exit`: one exhaustive
// match). `handle` looks at the exit and the VM and says how control left the guest and what happens
// next; it records, counts and charges nothing itself: the monitor does, in one place.

import type { CycleMeter } from './costs';
import type { ExitReasonName, GuestExit, Outcome, VmxStep } from './exits';
import type { RealCpu, VmcsView } from './inspection';
import type { TechniqueId } from './technique';
import type { Vm } from './vm';

export type MonitorPaging = 'shadow' | 'nested' | 'software' | 'direct';

export interface Handler {
  readonly id: TechniqueId;
  /** How guest memory is virtualized. */
  readonly paging: MonitorPaging;
  /** The real CPU always translates (shadow or nested paging), even with guest paging off. */
  readonly realMmu: boolean;
  /** Binary translation: each VM gets a translation cache, and kernel code runs from it. */
  readonly translates?: boolean;
  /** The real CPL while this VM's guest code runs. */
  realCpl(vm: Vm): number;
  /** The one exhaustive switch: what the real system does at this exit. */
  handle(vm: Vm, exit: GuestExit): Outcome;
  /** A trap's cause and action in words (only called when someone listens, or to inspect). */
  trapText?(vm: Vm, exit: GuestExit, o: Outcome): readonly [cause: string, action: string];
  /** What the real hypervisor's handler for a VM-exit reason does (KVM's function, in plain words). */
  exitHandler?(reason: ExitReasonName): string;
  /** A VM exit's qualification in words. */
  qualification?(vm: Vm, exit: GuestExit, o: Outcome): string;
  /** The real CPU while this VM's code runs, when it differs from the monitor's default. */
  realState?(vm: Vm, base: RealCpu): RealCpu;
  /** The VMCS (hardware-assisted). */
  vmcs?(vm: Vm): VmcsView;
  /**
   * Hardware assistance: the VMX instructions the hypervisor executes (only called when someone listens):
   * its setup before the first entry, its VMREADs on an exit, its VMWRITEs before the entry.
   */
  readonly vmx?: {
    setup(vm: Vm): VmxStep[];
    reads(vm: Vm, exit: GuestExit, o: Outcome, vectoring: number): VmxStep[];
    writes(vm: Vm, exit: GuestExit, o: Outcome, pc: number): VmxStep[];
    /** The VM-entry interruption information for an injected vector. */
    injection(vector: number, cause: 'exception' | 'timer' | 'software'): number;
    /** The vendor's number and name for an exit (Intel's basic exit reason, or AMD's SVM_EXIT_* code). */
    exitCode(reason: ExitReasonName, exit: GuestExit, o: Outcome): readonly [number, string];
    /** The instruction that enters the guest: VMLAUNCH then VMRESUME on Intel, VMRUN every time on AMD. */
    entry(first: boolean): string;
    /** Where the injection is written: VM_ENTRY_INTR_INFO_FIELD (VMCS) or control.EVENTINJ (VMCB). */
    readonly injectionField: string;
    /** How a write of a control structure field is named in the trace (VMWRITE, or a VMCB store). */
    readonly writeName: string;
  };
  /** A vCPU halted with interrupts on gives the CPU to the next VM (false: HLT runs in the guest and keeps it). */
  yields?(vm: Vm): boolean;
  /** Interpretation charges instructions as interpreted. */
  adjustMeter?(vm: Vm, meter: CycleMeter): CycleMeter;
  /** The total of `adjustMeter`'s meter, without building it: what event times are read from. */
  meterTotal?(vm: Vm): number;
}
