// What emulating a system instruction does to the vCPU, in words a student can follow.
import { CR0_PG, PAGE_INDEX_MASK, PAGE_SHIFT } from '../../isa/constants';
import { IF } from '../../machine/alu';
import type { SystemInstruction } from '../../machine/host';
import type { Machine } from '../../machine/machine';

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase()}`;

export function effectOf(m: Machine, ins: SystemInstruction): string {
  const r = m.r;
  switch (ins.name) {
    case 'CLI':
      return 'vIF ← 0';
    case 'STI':
      return m.irqPending ? 'vIF ← 1; the pending timer interrupt is injected' : 'vIF ← 1';
    case 'IRET':
      return 'pop PC, FLAGS, CPL, SP from the guest stack into the vCPU';
    case 'HLT':
      return m.flags & IF ? 'vCPU waits for its next virtual timer tick' : 'vIF = 0: the VM halts';
    case 'IN':
      return `device model: R${ins.a} ← port ${hex(ins.imm)}`;
    case 'OUT':
      return `device model: port ${hex(ins.port)} ← ${hex(ins.src)}`;
    case 'LIDT':
      return `virtual IDTR ← ${hex(ins.src)}`;
    case 'MOV TO CR':
      return ins.a === 3
        ? `virtual CR3 ← ${hex(r[ins.b])}; switch to its shadow table`
        : ins.a === 0
          ? `virtual CR0 ← ${hex(r[ins.b] & CR0_PG)}; paging ${r[ins.b] & CR0_PG ? 'on' : 'off'}`
          : `virtual CR2 ← ${hex(r[ins.b])}`;
    case 'MOV FROM CR':
      return `R${ins.a} ← virtual CR${ins.b}`;
    case 'MOV TO KSP':
      return `virtual KSP ← ${hex(r[ins.b])}`;
    case 'MOV FROM KSP':
      return `R${ins.a} ← virtual KSP`;
    case 'INVLPG':
      return `drop the TLB and shadow entries of page ${(r[ins.a] >>> PAGE_SHIFT) & PAGE_INDEX_MASK}`;
    case 'PUSHF':
      return 'push the virtual FLAGS (vIF included)';
    case 'POPF':
      return 'pop FLAGS into the vCPU (vIF included)';
    case 'SMSW':
      return `R${ins.a} ← virtual CR0.PG | virtual CPL`;
    case 'CPUID':
      return `R0 ← "VX86"; R1 ← the virtual CPU's features 0x${(m.cpuidFeatures >>> 0).toString(16).toUpperCase()} (hypervisor present)`;
    case 'SIDT':
      return `R${ins.a} ← virtual IDTR`;
    default:
      return ins.name;
  }
}
