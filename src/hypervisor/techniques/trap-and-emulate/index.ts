// `trap-and-emulate` (CP-67, VM/370; x86 before VT-x): the guest kernel runs at real CPL 3, so every
// privileged instruction traps (#GP) and the hypervisor emulates it on the vCPU. On `classic`, PUSHF,
// POPF, SMSW and SIDT do not trap: they run on the real CPU and may betray the guest (fidelity
// violations). Memory: shadow page tables with write-protected guest page tables.
import { ROW_BY_NAME, VECTOR_NAMES } from '../../../isa/table';
import { IF } from '../../../machine/alu';
import type { DeliveryCause, SystemInstruction } from '../../../machine/host';
import type { Machine } from '../../../machine/machine';
import { HYPERVISOR_IDT, Monitor, type Vm } from '../../monitor';
import type { RunConfig, Technique, TechniqueId } from '../../technique';
import { effectOf } from '../effects';
import { completeDirect, runDirectly, SENSITIVE_UNPRIVILEGED } from '../sensitive';

export class TrapAndEmulateRun extends Monitor {
  protected readonly techniqueId: TechniqueId = 'trap-and-emulate';

  constructor(config: RunConfig) {
    super(config, { paging: 'shadow', realMmu: true });
  }

  realCpl(_vm: Vm): number {
    return 3;
  }

  system(m: Machine, ins: SystemInstruction): boolean {
    const vm = this.vmOf(m);
    const row = ROW_BY_NAME.get(ins.name);
    if (SENSITIVE_UNPRIVILEGED.has(ins.name) && !row?.privileged[this.config.isa]) {
      // Classic: no trap. The real CPU answers from its own state.
      const out = runDirectly(m, ins, { cpl: 3, interrupts: true, paging: true, idtr: HYPERVISOR_IDT });
      if (out === 'faulted') return true;
      if (out) this.fidelityViolation(vm, out.instruction, out.expected, out.actual);
      completeDirect(m, ins);
      return true;
    }
    // INT is a software interrupt (handled at delivery); VMCALL has no meaning here (#UD is reflected).
    if (ins.name === 'INT' || ins.name === 'VMCALL') return false;
    // Every other system instruction is privileged: at real CPL 3 it traps and is emulated.
    const text = this.instructionAt(vm);
    this.exit(vm, { kind: 'trap', cause: '#GP: privileged instruction at real CPL 3', action: `emulate ${ins.name} on the vCPU` });
    this.emulate(vm, text, effectOf(m, ins));
    if (ins.name === 'MOV TO CR' && ins.a !== 2) {
      const value = m.r[ins.b];
      this.rebuildShadow(vm, ins.a === 0 ? value : m.cr0, ins.a === 3 ? value : m.cr3);
    } else if (ins.name === 'INVLPG') {
      vm.shadow[(m.r[ins.b] >>> 12) & 15] = 0;
    } else if (ins.name === 'IN' || ins.name === 'OUT') {
      this.viaHostOs(vm, 'I/O');
    }
    // The machine now performs the instruction on the virtual state: that is the emulation.
    return false;
  }

  delivering(m: Machine, vector: number, cause: DeliveryCause, _returnPc = 0): void {
    const vm = this.vmOf(m);
    if (cause === 'timer') {
      this.inject(vm, vector, 'reflect');
      return;
    }
    const name = VECTOR_NAMES[vector] ?? `INT ${vector}`;
    const what = cause === 'software' ? `INT ${vector}${m.cpl === 3 ? ': a system call' : ''}` : `${name} in the guest`;
    this.exit(vm, { kind: 'trap', cause: what, action: `reflect vector ${vector} through the guest's IDT` });
    this.reflect(vm, vector);
  }

  timerFired(m: Machine): void {
    const vm = this.vmOf(m);
    const vif = (m.flags & IF) !== 0;
    this.exit(vm, { kind: 'trap', cause: 'timer interrupt', action: vif ? 'inject virtual interrupt 32' : 'vIF = 0: keep it pending' });
    this.viaHostOs(vm, 'host timer interrupt');
  }

  tlbMiss(m: Machine, page: number, pte: number): void {
    const vm = this.vmOf(m);
    if (this.shadowNeedsFill(vm, page, pte)) {
      this.exit(vm, { kind: 'trap', cause: 'hidden page fault: no shadow entry yet', action: 'fill the shadow entry from the guest PTE' });
      this.fillShadow(vm, page);
    }
  }

  watchedWrite(m: Machine, pa: number, size: number): void {
    const vm = this.vmOf(m);
    const text = this.instructionAt(vm);
    this.exit(vm, {
      kind: 'trap',
      cause: '#PF: store to a write-protected guest page table',
      action: 'emulate the store, update the shadow',
    });
    this.emulate(vm, text, this.shadowWrite(vm, pa, size));
  }
}

export const trapAndEmulate: Technique = {
  id: 'trap-and-emulate',
  refuse(config) {
    if (config.paging === 'nested') return 'trap-and-emulate uses shadow page tables: nested paging (EPT) needs hardware assistance';
    return undefined;
  },
  create(config) {
    return new TrapAndEmulateRun(config);
  },
};
