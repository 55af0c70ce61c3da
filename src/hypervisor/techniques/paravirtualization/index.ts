// `paravirtualization` (Xen): the guest kernel is modified to ask the hypervisor (hypercalls, VMCALL n)
// instead of running privileged instructions. It runs at real CPL 1: an unmodified privileged
// instruction faults there and #GP is reflected into the guest, and POPF at CPL 1 silently keeps IF
// (a fidelity violation). System calls registered with set_trap_table go straight to the guest
// kernel (Xen's fast path); other exceptions and interrupts come through the hypervisor. The guest's
// page table is read-only to it: updates go through the validated mmu_update hypercall.
import { ROW_BY_NAME, VECTOR_NAMES } from '../../../isa/table';
import { IF } from '../../../machine/alu';
import { EXECUTE, type GuestExit, HYPERCALL, NONE, type Outcome, RESUME, unreachable, type Via, WALK_1 } from '../../exits';
import type { Handler } from '../../handler';
import { Monitor } from '../../monitor';
import type { Technique } from '../../technique';
import type { Vm } from '../../vm';
import { SENSITIVE_UNPRIVILEGED } from '../sensitive';

const trap = (cause: Extract<Via, { kind: 'trap' }>['cause']): Via => ({ kind: 'trap', cause });
const DIRECT: Outcome = { via: NONE, action: { do: 'direct', realCpl: 1 } };
const RAISE_GP: Outcome = { via: NONE, action: { do: 'raise', vector: 13 } };
const INJECT_TICK: Outcome = { via: NONE, action: { do: 'inject', cost: 'reflect' } };
const FAST_SYSCALL: Outcome = { via: NONE, action: { do: 'deliver', charge: 'exceptionDelivery' } };
const REFLECT_GP: Outcome = { via: trap('privileged-cpl1'), action: { do: 'reflect', cost: 'reflect' } };
const REFLECT_INT: Outcome = { via: trap('software-interrupt-no-trap-table'), action: { do: 'reflect', cost: 'reflect' } };
const REFLECT_EXCEPTION: Outcome = { via: trap('exception'), action: { do: 'reflect', cost: 'reflect' } };
const TICK_INJECT: Outcome = { via: trap('timer'), action: { do: 'inject-on-entry' } };
const TICK_PEND: Outcome = { via: trap('timer'), action: { do: 'pend', window: false } };
const VALIDATE: Outcome = { via: trap('page-table-store'), action: { do: 'validate-pte' } };

export function handleParavirtualized(vm: Vm, exit: GuestExit, privileged: (name: string) => boolean): Outcome {
  const m = vm.machine;
  switch (exit.kind) {
    case 'system': {
      const ins = exit.ins;
      if (ins.name === 'VMCALL') return { via: HYPERCALL, action: { do: 'hypercall', number: ins.imm } };
      if (ins.name === 'INT') return EXECUTE; // delivered at `delivery`
      if (SENSITIVE_UNPRIVILEGED.has(ins.name) && !privileged(ins.name)) return DIRECT;
      // An unmodified privileged instruction: at real CPL 1 it faults, and #GP goes to the guest.
      if (m.cpl === 0 && privileged(ins.name)) return RAISE_GP;
      return EXECUTE;
    }
    case 'delivery':
      if (exit.cause === 'timer') return INJECT_TICK;
      // Xen's fast system-call path: straight into the guest kernel, no hypervisor on the way.
      if (exit.cause === 'software') return vm.vcpu.trapTable ? FAST_SYSCALL : REFLECT_INT;
      return vm.vcpu.privilegeFault ? REFLECT_GP : REFLECT_EXCEPTION;
    case 'timer':
      return m.flags & IF ? TICK_INJECT : TICK_PEND;
    case 'tlb-miss':
      // The hardware walks the guest's own (validated) page table: no shadow, no hidden faults.
      return WALK_1;
    case 'watched-write':
      // The guest's page table is mapped read-only: a direct store traps, and Xen validates and emulates it.
      return VALIDATE;
    case 'indirect-branch':
    case 'stopped':
      return RESUME;
    default:
      return unreachable(exit);
  }
}

function trapWords(vm: Vm, exit: GuestExit, o: Outcome): readonly [string, string] {
  switch (exit.kind) {
    case 'delivery': {
      const v = exit.vector;
      const what =
        exit.cause === 'software'
          ? `INT ${v} (no trap table registered with set_trap_table)`
          : o.via.kind === 'trap' && o.via.cause === 'privileged-cpl1'
            ? '#GP: privileged instruction at real CPL 1 (an unmodified kernel)'
            : `${VECTOR_NAMES[v] ?? `INT ${v}`} in the guest`;
      return [what, `reflect vector ${v} to the guest kernel`];
    }
    case 'timer':
      return ['timer interrupt', vm.machine.flags & IF ? 'inject virtual interrupt 32' : 'events masked: keep it pending'];
    case 'watched-write':
      return ['#PF: store to the read-only guest page table', 'validate and emulate it (like mmu_update)'];
    default:
      return [exit.kind, o.action.do];
  }
}

export function paravirtualizationHandler(isa: 'classic' | 'strict'): Handler {
  const privileged = (name: string) => ROW_BY_NAME.get(name)?.privileged[isa] === true;
  return {
    id: 'paravirtualization',
    paging: 'direct',
    realMmu: false,
    realCpl: (vm) => (vm.machine.cpl === 0 ? 1 : 3),
    handle: (vm, exit) => handleParavirtualized(vm, exit, privileged),
    trapText: trapWords,
  };
}

export const paravirtualization: Technique = {
  id: 'paravirtualization',
  refuse(config) {
    if (config.paging === 'nested')
      return 'a paravirtualized guest manages its own page table through hypercalls: nested paging does not apply';
    return undefined;
  },
  create(config) {
    return new Monitor(config, paravirtualizationHandler(config.isa));
  },
};
