// `binary-translation` (VMware Workstation and ESX before VT-x; Adams & Agesen 2006): guest-kernel code
// is never run as written. Each basic block is translated on first use into the VM's translation cache
// (translation-cache.ts) and runs at real CPL 1: sensitive instructions become inline vCPU updates
// (CLI, STI, PUSHF, POPF) or callouts into the hypervisor, IN/OUT calls into the device model,
// indirect branches translation-cache lookups, and page-table stores callouts (adaptive translation).
// Guest-user code runs directly at CPL 3, as under trap-and-emulate. Memory: shadow page tables.
import { ROW_BY_NAME } from '../../../isa/table';
import { type GuestExit, type Outcome, unreachable } from '../../exits';
import type { Handler } from '../../handler';
import { Monitor } from '../../monitor';
import type { Technique } from '../../technique';
import { INLINE } from '../../translation-cache';
import type { Vm } from '../../vm';
import { handleTrapAndEmulate, trapWords } from '../trap-and-emulate';

export type { Block, TranslatedInstruction, Translation } from '../../translation-cache';

const NONE = { kind: 'none' } as const;
const INLINE_UPDATE: Outcome = { via: NONE, action: { do: 'inline' } };
const EXECUTE: Outcome = { via: NONE, action: { do: 'execute' } };
const CALLOUT: Outcome = { via: { kind: 'callout', cost: 'callout' }, action: { do: 'emulate' } };
const DEVICE: Outcome = { via: { kind: 'callout', cost: 'translatedIo' }, action: { do: 'device' } };
/** INT in translated kernel code is a callout that reflects it: no trap. */
const REFLECT: Outcome = { via: { kind: 'callout', cost: 'callout' }, action: { do: 'reflect', cost: 'reflect' } };
const PT_STORE: Outcome = { via: { kind: 'callout', cost: 'translatedPageTableWrite' }, action: { do: 'shadow-write' } };
const TC_LOOKUP: Outcome = { via: NONE, action: { do: 'tc-lookup' } };

/** Binary translation's answer to an exit of translated kernel code (CPL 0). */
function handleTranslated(vm: Vm, exit: GuestExit, privileged: (name: string) => boolean): Outcome {
  switch (exit.kind) {
    case 'system': {
      const name = exit.ins.name;
      if (INLINE.has(name)) return INLINE_UPDATE; // the vCPU's own semantics: exactly bare metal's
      if (name === 'INT' || name === 'VMCALL') return EXECUTE; // reflected at delivery
      if (name === 'IN' || name === 'OUT') return DEVICE;
      return CALLOUT;
    }
    case 'delivery':
      if (exit.cause === 'software') return REFLECT;
      return handleTrapAndEmulate(vm, exit, privileged);
    case 'watched-write':
      // Adaptive translation: the translated store calls the hypervisor, which updates the shadow.
      return PT_STORE;
    case 'indirect-branch':
      return TC_LOOKUP;
    case 'timer':
    case 'tlb-miss':
    case 'stopped':
      return handleTrapAndEmulate(vm, exit, privileged);
    default:
      return unreachable(exit);
  }
}

export function binaryTranslationHandler(isa: 'classic' | 'strict'): Handler {
  const privileged = (name: string) => ROW_BY_NAME.get(name)?.privileged[isa] === true;
  const realCpl = (vm: Vm) => (vm.machine.cpl === 0 ? 1 : 3);
  return {
    id: 'binary-translation',
    paging: 'shadow',
    realMmu: true,
    translates: true,
    realCpl,
    // Guest user code runs directly, as under trap-and-emulate.
    handle: (vm, exit) => (vm.machine.cpl === 0 ? handleTranslated(vm, exit, privileged) : handleTrapAndEmulate(vm, exit, privileged)),
    trapText: (vm, exit, o) => trapWords(vm, exit, o, realCpl(vm)),
    realState: (vm, base) => ({ ...base, cpl: realCpl(vm) }),
  };
}

export const binaryTranslation: Technique = {
  id: 'binary-translation',
  refuse(config) {
    if (config.paging === 'nested') return 'binary translation uses shadow page tables: nested paging (EPT) needs hardware assistance';
    return undefined;
  },
  create(config) {
    return new Monitor(config, binaryTranslationHandler(config.isa));
  },
};
