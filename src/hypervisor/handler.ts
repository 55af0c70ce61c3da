// What a technique is: a handler of guest exits (Firecracker's `handle_kvm_exit`: one exhaustive
// match). `handle` looks at the exit and the VM and says how control left the guest and what happens
// next; it records, counts and charges nothing itself: the monitor does, in one place.

import type { CycleMeter } from './costs';
import type { GuestExit, Outcome } from './exits';
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
  /** A VM exit's qualification in words. */
  qualification?(vm: Vm, exit: GuestExit, o: Outcome): string;
  /** The real CPU while this VM's code runs, when it differs from the monitor's default. */
  realState?(vm: Vm, base: RealCpu): RealCpu;
  /** The VMCS (hardware-assisted). */
  vmcs?(vm: Vm): VmcsView;
  /** Interpretation charges instructions as interpreted. */
  adjustMeter?(vm: Vm, meter: CycleMeter): CycleMeter;
  /** The total of `adjustMeter`'s meter, without building it: what event times are read from. */
  meterTotal?(vm: Vm): number;
}
