// What a run reports of each VM, as the guest sees it: the registers, the state, the counters and the
// fidelity violations (the `vms` of interfaces.md's run JSON). Plain data; the protocol's VmView is the
// same shape (src/worker/conformance.ts checks it).
import type { Counters, VmState } from '../trace/events';

export interface CpuView {
  R0: number;
  R1: number;
  R2: number;
  R3: number;
  R4: number;
  R5: number;
  R6: number;
  R7: number;
  PC: number;
  FLAGS: number;
  CPL: number;
  CR0: number;
  CR2: number;
  CR3: number;
  IDTR: number;
  KSP: number;
}

export interface FidelityViolation {
  readonly pc: number;
  readonly instruction: string;
  readonly expected: string;
  readonly actual: string;
}

/** One VM as the guest sees it (virtual state), after or during a run. */
export interface VmView {
  readonly name: string;
  readonly state: VmState;
  readonly exitCode: number | null;
  readonly crashReason?: string;
  readonly console: string;
  readonly cpu: CpuView;
  readonly counters: Counters;
  readonly fidelity: readonly FidelityViolation[];
}
