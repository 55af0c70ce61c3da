// The sensitive but unprivileged instructions of `classic` (PUSHF, POPF, SMSW, SIDT, CPUID) run directly on
// the real CPU under trap-and-emulate and paravirtualization: the guest gets the real CPU's answer,
// not its virtual state's. This computes both and applies the real one (isa.md, virtualization.md).

import { CPUID_BARE_METAL, CPUID_VENDOR } from '../../isa/constants';
import { ARITH, DEFINED, IF } from '../../machine/alu';
import type { SystemInstruction } from '../../machine/host';
import { CR0_PG, type Machine } from '../../machine/machine';

export const SENSITIVE_UNPRIVILEGED = new Set(['PUSHF', 'POPF', 'SMSW', 'SIDT', 'CPUID']);

export interface RealCpu {
  readonly cpl: number;
  /** The real IF while guest code runs: the hypervisor keeps interrupts on. */
  readonly interrupts: boolean;
  readonly paging: boolean;
  readonly idtr: number;
}

export interface DirectOutcome {
  readonly instruction: string;
  readonly expected: string;
  readonly actual: string;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase()}`;

/**
 * Runs one of PUSHF, POPF, SMSW, SIDT directly on the real CPU. Returns the fidelity violation when
 * the result differs from what bare metal would do with the guest's virtual state; undefined when it
 * does not, or 'faulted' when it faulted (the fault has then been delivered). The caller records the
 * violation at the instruction's PC, then completes it with `completeDirect`.
 */
export function runDirectly(m: Machine, ins: SystemInstruction, real: RealCpu): DirectOutcome | undefined | 'faulted' {
  const r = m.r;
  const vflags = m.flags;
  let outcome: DirectOutcome | undefined;
  switch (ins.name) {
    case 'PUSHF': {
      const actual = (vflags & ARITH) | (real.interrupts ? IF : 0);
      const expected = vflags & DEFINED;
      if (!m.write((r[7] - 4) | 0, actual, 4)) return 'faulted';
      r[7] = (r[7] - 4) | 0;
      if (actual !== expected)
        outcome = { instruction: 'PUSHF', expected: `IF=${expected & IF ? 1 : 0}`, actual: `IF=${actual & IF ? 1 : 0}` };
      break;
    }
    case 'POPF': {
      const v = m.read(r[7], 4);
      if (v === undefined) return 'faulted';
      r[7] = (r[7] + 4) | 0;
      // At real CPL > 0, IF is silently kept: the vCPU's IF does not change either (nobody trapped).
      const actual = real.cpl === 0 ? v & DEFINED : (v & ARITH) | (vflags & IF);
      const expected = m.cpl === 0 ? v & DEFINED : (v & ARITH) | (vflags & IF);
      m.flags = actual;
      if (actual !== expected)
        outcome = { instruction: 'POPF', expected: `IF=${expected & IF ? 1 : 0}`, actual: `IF=${actual & IF ? 1 : 0}` };
      break;
    }
    case 'SMSW': {
      const actual = (real.paging ? CR0_PG : 0) | real.cpl;
      const expected = (m.cr0 & CR0_PG) | m.cpl;
      r[ins.a] = actual;
      if (actual !== expected) outcome = { instruction: `SMSW R${ins.a}`, expected: hex(expected), actual: hex(actual) };
      break;
    }
    case 'SIDT': {
      const actual = real.idtr;
      const expected = m.idtr;
      r[ins.a] = actual;
      if (actual !== expected) outcome = { instruction: `SIDT R${ins.a}`, expected: hex(expected), actual: hex(actual) };
      break;
    }
    case 'CPUID': {
      // The real CPU answers with its own features (no hypervisor bit); the VM should see its virtual CPU's.
      const actual = CPUID_BARE_METAL;
      const expected = m.cpuidFeatures;
      r[0] = CPUID_VENDOR;
      r[1] = actual;
      if (actual !== expected) outcome = { instruction: 'CPUID', expected: `R1=${hex(expected)}`, actual: `R1=${hex(actual)}` };
      break;
    }
  }
  return outcome;
}

/** Completes a directly run instruction: the PC moves on and it retires. */
export function completeDirect(m: Machine, ins: SystemInstruction): void {
  m.pc = (m.pc + 8) | 0;
  m.retire(ins.units);
}
