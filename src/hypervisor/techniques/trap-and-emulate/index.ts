// `trap-and-emulate` (CP-67, VM/370; x86 before VT-x): the guest kernel runs at real CPL 3, so every
// privileged instruction traps (#GP) and the hypervisor emulates it on the vCPU. On `classic`, PUSHF,
// POPF, SMSW and SIDT do not trap: they run on the real CPU and may betray the guest (fidelity
// violations). Memory: shadow page tables with write-protected guest page tables.
import { ROW_BY_NAME, VECTOR_NAMES } from '../../../isa/table';
import { IF } from '../../../machine/alu';
import { EXECUTE, type GuestExit, type Outcome, perPage, RESUME, unreachable, type Via, WALK_1 } from '../../exits';
import type { Handler } from '../../handler';
import { Monitor } from '../../monitor';
import type { Technique } from '../../technique';
import type { Vm } from '../../vm';
import { SENSITIVE_UNPRIVILEGED } from '../sensitive';

const trap = (cause: Extract<Via, { kind: 'trap' }>['cause']): Via => ({ kind: 'trap', cause });
const PRIVILEGED = trap('privileged');
const SOFTWARE = trap('software-interrupt');
const EXCEPTION = trap('exception');
const TIMER = trap('timer');
const HIDDEN = trap('hidden-fault');
const PT_STORE = trap('page-table-store');

const EMULATE: Outcome = { via: PRIVILEGED, action: { do: 'emulate' } };
const EMULATE_IO: Outcome = { via: PRIVILEGED, action: { do: 'device' } };
const DIRECT: Outcome = { via: { kind: 'none' }, action: { do: 'direct', realCpl: 3 } };
const REFLECT_SOFTWARE: Outcome = { via: SOFTWARE, action: { do: 'reflect', cost: 'reflect' } };
const REFLECT_EXCEPTION: Outcome = { via: EXCEPTION, action: { do: 'reflect', cost: 'reflect' } };
const INJECT_TICK: Outcome = { via: { kind: 'none' }, action: { do: 'inject', cost: 'reflect' } };
const TICK_INJECT: Outcome = { via: TIMER, action: { do: 'inject-on-entry' } };
const TICK_PEND: Outcome = { via: TIMER, action: { do: 'pend', window: false } };
const SHADOW_WRITE: Outcome = { via: PT_STORE, action: { do: 'shadow-write' } };
const FILL_SHADOW = perPage((page) => ({ via: HIDDEN, action: { do: 'fill-shadow', page } }));

/** Trap-and-emulate's answer to one exit (binary translation uses it for guest user code). */
export function handleTrapAndEmulate(vm: Vm, exit: GuestExit, isaPrivileged: (name: string) => boolean): Outcome {
  const m = vm.machine;
  switch (exit.kind) {
    case 'system': {
      const name = exit.ins.name;
      // Classic: no trap. The real CPU answers from its own state.
      if (SENSITIVE_UNPRIVILEGED.has(name) && !isaPrivileged(name)) return DIRECT;
      // INT is a software interrupt (handled at delivery); VMCALL has no meaning here (#UD is reflected).
      if (name === 'INT' || name === 'VMCALL') return EXECUTE;
      // Every other system instruction is privileged: at real CPL 3 it traps and is emulated.
      return name === 'IN' || name === 'OUT' ? EMULATE_IO : EMULATE;
    }
    case 'delivery':
      if (exit.cause === 'timer') return INJECT_TICK;
      return exit.cause === 'software' ? REFLECT_SOFTWARE : REFLECT_EXCEPTION;
    case 'timer':
      return m.flags & IF ? TICK_INJECT : TICK_PEND;
    case 'tlb-miss':
      // The hardware walks the shadow table; a page the guest maps but the shadow lacks is a hidden fault.
      if ((exit.pte & 1) === 1 && !vm.shadow[exit.page]) return FILL_SHADOW(exit.page);
      return WALK_1;
    case 'watched-write':
      return SHADOW_WRITE;
    case 'indirect-branch':
    case 'stopped':
      return RESUME;
    default:
      return unreachable(exit);
  }
}

/** The words of a trap under trap-and-emulate (and binary translation's user code). */
export function trapWords(vm: Vm, exit: GuestExit, o: Outcome, realCpl: number): readonly [string, string] {
  const m = vm.machine;
  switch (exit.kind) {
    case 'system':
      return [`#GP: privileged instruction at real CPL ${realCpl}`, `emulate ${exit.ins.name} on the vCPU`];
    case 'delivery': {
      const v = exit.vector;
      const what =
        exit.cause === 'software' ? `INT ${v}${m.cpl === 3 ? ': a system call' : ''}` : `${VECTOR_NAMES[v] ?? `INT ${v}`} in the guest`;
      return [what, `reflect vector ${v} through the guest's IDT`];
    }
    case 'timer':
      return ['timer interrupt', o.action.do === 'pend' ? 'vIF = 0: keep it pending' : 'inject virtual interrupt 32'];
    case 'tlb-miss':
      return ['hidden page fault: no shadow entry yet', 'fill the shadow entry from the guest PTE'];
    case 'watched-write':
      return ['#PF: store to a write-protected guest page table', 'emulate the store, update the shadow'];
    default:
      return [exit.kind, o.action.do];
  }
}

export function trapAndEmulateHandler(isa: 'classic' | 'strict'): Handler {
  const privileged = (name: string) => ROW_BY_NAME.get(name)?.privileged[isa] === true;
  return {
    id: 'trap-and-emulate',
    paging: 'shadow',
    realMmu: true,
    realCpl: () => 3,
    handle: (vm, exit) => handleTrapAndEmulate(vm, exit, privileged),
    trapText: (vm, exit, o) => trapWords(vm, exit, o, 3),
  };
}

export const trapAndEmulate: Technique = {
  id: 'trap-and-emulate',
  refuse(config) {
    if (config.paging === 'nested') return 'trap-and-emulate uses shadow page tables: nested paging (EPT) needs hardware assistance';
    return undefined;
  },
  create(config) {
    return new Monitor(config, trapAndEmulateHandler(config.isa));
  },
};
