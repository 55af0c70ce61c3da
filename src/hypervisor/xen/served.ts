// What every Xen hypercall shares: the call the monitor hands over, the scratch of one crossing, and
// the result (0 or a negative Xen errno) with its words, built only when someone listens.
import type { Machine } from '../../machine/machine';
import type { HypercallName } from './abi';
import type { XenVcpu } from './state';

export const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

/** What the monitor hands the server. */
export interface XenCall {
  readonly m: Machine;
  readonly xen: XenVcpu;
  /** A PV guest (ring-1 kernel); false for an HVM guest's VMCALL. */
  readonly pv: boolean;
  /** Build effect strings (only when someone listens). */
  readonly words: boolean;
}

export interface Served {
  result: number;
  effect: string;
}

/** Mutable scratch of one hypercall (a multicall's entries add to it). */
export interface Work {
  pagingChanged: boolean;
  ptes: number[];
  entries: (HypercallName | 'unknown')[];
  yielded: boolean;
  /** The vCPU's PC was set by the call (iret) or it stopped running (block, shutdown): do not step on. */
  tookPc: boolean;
  inMulticall: boolean;
  /**
   * Work Xen does in this crossing before it preempts itself (hypercall_preempt_check): console bytes,
   * multicall entries. Spent, the call creates a continuation: its arguments are rewritten and the
   * VMCALL runs again (hypercall_create_continuation), so a guest cannot make one instruction cost
   * unbounded work.
   */
  budget: number;
  /** The arguments R1–R3 to re-run the interrupted call with, when it was preempted. */
  continuation: [number, number, number] | null;
}

export function ok(c: XenCall, effect: string): Served {
  return { result: 0, effect: c.words ? effect : '' };
}

export function fail(c: XenCall, errno: number, why: string): Served {
  return { result: errno, effect: c.words ? `refused: ${why}` : '' };
}
