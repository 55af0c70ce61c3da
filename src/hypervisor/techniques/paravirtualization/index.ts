// `paravirtualization` (Xen): the guest kernel is modified to ask the hypervisor (hypercalls, VMCALL n)
// instead of running privileged instructions. It runs at real CPL 1: an unmodified privileged
// instruction faults there and #GP is reflected into the guest, and POPF at CPL 1 silently keeps IF
// (a fidelity violation). System calls registered with set_trap_table go straight to the guest
// kernel (Xen's fast path); other exceptions and interrupts come through the hypervisor. The guest's
// page table is read-only to it: updates go through the validated mmu_update hypercall.
import { ROW_BY_NAME, VECTOR_NAMES } from '../../../isa/table';
import { IF } from '../../../machine/alu';
import type { DeliveryCause, SystemInstruction } from '../../../machine/host';
import type { Machine } from '../../../machine/machine';
import { HYPERCALLS, serveHypercall } from '../../hypercalls';
import { HYPERVISOR_IDT, Monitor, type Vm } from '../../monitor';
import type { RunConfig, Technique, TechniqueId } from '../../technique';
import { completeDirect, runDirectly, SENSITIVE_UNPRIVILEGED } from '../sensitive';

export class ParavirtualizationRun extends Monitor {
  protected readonly techniqueId: TechniqueId = 'paravirtualization';
  /** Set while the #GP of a privileged instruction at real CPL 1 is delivered (to name its cause). */
  private privilegeFault = false;
  /** Per VM: whether the kernel registered its trap table through the hypercall (the fast path). */
  private trapTable: boolean[];

  constructor(config: RunConfig) {
    super(config, { paging: 'direct', realMmu: false });
    this.trapTable = this.guests.map(() => false);
  }

  realCpl(vm: Vm): number {
    return vm.virtualCpl === 0 ? 1 : 3;
  }

  system(m: Machine, ins: SystemInstruction): boolean {
    const vm = this.vmOf(m);
    if (ins.name === 'VMCALL') {
      const n = ins.imm;
      const name = HYPERCALLS[n] ?? 'unknown';
      this.exit(vm, { kind: 'hypercall', number: n, name });
      const pc = m.pc;
      const out = serveHypercall(m, n);
      if (out.name === 'set_trap_table') this.trapTable[vm.index] = true;
      if (out.pagingChanged) this.watchPageTable(vm);
      this.hypercallDone(vm, n, out.name, out.args, out.result, pc);
      return true;
    }
    if (ins.name === 'INT') return false; // delivered at `delivering`
    const row = ROW_BY_NAME.get(ins.name);
    const realCpl = this.realCpl(vm);
    if (SENSITIVE_UNPRIVILEGED.has(ins.name) && !row?.privileged[this.config.isa]) {
      const out = runDirectly(m, ins, { cpl: realCpl, interrupts: true, paging: true, idtr: HYPERVISOR_IDT });
      if (out === 'faulted') return true;
      if (out) this.fidelityViolation(vm, out.instruction, out.expected, out.actual);
      completeDirect(m, ins);
      return true;
    }
    // An unmodified privileged instruction: at real CPL 1 it faults, and #GP goes to the guest.
    if (realCpl > 0 && row?.privileged[this.config.isa]) {
      this.privilegeFault = true;
      m.raise(13, 0);
      this.privilegeFault = false;
      return true;
    }
    return false;
  }

  delivering(m: Machine, vector: number, cause: DeliveryCause, returnPc: number): void {
    const vm = this.vmOf(m);
    const name = VECTOR_NAMES[vector] ?? `INT ${vector}`;
    if (cause === 'timer') {
      this.inject(vm, vector, 'reflect');
      return;
    }
    if (cause === 'software' && this.trapTable[vm.index]) {
      // Xen's fast system-call path: straight into the guest kernel, no hypervisor on the way.
      this.charge(vm, 'exceptionDelivery');
      this.record(vm, { kind: 'interrupt', vector, name, cause, returnPc: returnPc >>> 0 });
      return;
    }
    const what =
      cause === 'software'
        ? `INT ${vector} (no trap table registered with set_trap_table)`
        : this.privilegeFault
          ? '#GP: privileged instruction at real CPL 1 (an unmodified kernel)'
          : `${name} in the guest`;
    this.exit(vm, { kind: 'trap', cause: what, action: `reflect vector ${vector} to the guest kernel` });
    this.reflect(vm, vector);
  }

  timerFired(m: Machine): void {
    const vm = this.vmOf(m);
    this.exit(vm, {
      kind: 'trap',
      cause: 'timer interrupt',
      action: m.flags & IF ? 'inject virtual interrupt 32' : 'events masked: keep it pending',
    });
    this.viaHostOs(vm, 'host timer interrupt');
  }

  tlbMiss(m: Machine): void {
    // The hardware walks the guest's own (validated) page table: no shadow, no hidden faults.
    this.charge(this.vmOf(m), 'memoryReference');
  }

  /** The guest's page table is mapped read-only: a direct store traps, and Xen validates and emulates it. */
  watchedWrite(m: Machine, pa: number): void {
    const vm = this.vmOf(m);
    const text = this.instructionAt(vm);
    this.exit(vm, {
      kind: 'trap',
      cause: '#PF: store to the read-only guest page table',
      action: 'validate and emulate it (like mmu_update)',
    });
    this.emulate(vm, text, `page-table entry at 0x${pa.toString(16)} validated and written`);
  }

  private watchPageTable(vm: Vm): void {
    const m = vm.machine;
    m.watch.fill(0);
    if (m.cr0 & 0x80000000) {
      const start = m.cr3 >>> 0;
      if (start < 0x10000) m.watch[start >>> 12] = 1;
      if (start + 63 < 0x10000) m.watch[(start + 63) >>> 12] = 1;
    }
  }

  protected saveExtra(): unknown {
    return [...this.trapTable];
  }

  protected loadExtra(s: unknown): void {
    this.trapTable = [...(s as boolean[])];
  }
}

export const paravirtualization: Technique = {
  id: 'paravirtualization',
  refuse(config) {
    if (config.paging === 'nested')
      return 'a paravirtualized guest manages its own page table through hypercalls: nested paging does not apply';
    return undefined;
  },
  create(config) {
    return new ParavirtualizationRun(config);
  },
};
