// `binary-translation` (VMware Workstation and ESX before VT-x; Adams & Agesen 2006): guest-kernel code
// is never run as written. Each basic block is translated on first use into the VM's translation cache
// (translation-cache.ts) and runs at real CPL 1: sensitive instructions become inline vCPU updates
// (CLI, STI, PUSHF, POPF) or callouts into the hypervisor, IN/OUT calls into the device model,
// indirect branches translation-cache lookups, and page-table stores, after the trace fault of their
// first execution, callouts (adaptive translation). Pages of translated code are traced: a store into
// one is a hidden fault that drops the blocks translated from it.
// Guest-user code runs directly at CPL 3, as under trap-and-emulate. Memory: shadow page tables.
import { ROW_BY_NAME } from '../../../isa/table';
import { CODE_CHUNK_SHIFT } from '../../../machine/machine';
import { type GuestExit, type Outcome, unreachable, type Via } from '../../exits';
import type { Handler } from '../../handler';
import { Monitor } from '../../monitor';
import type { Technique } from '../../technique';
import { guestPhys, INLINE } from '../../translation-cache';
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
const TRACE: Via = { kind: 'trap', cause: 'trace-fault' };
/** Adaptive translation, first execution: the store ran as is and took a trace fault; it is retranslated. */
const PT_TRACE_FAULT: Outcome = { via: TRACE, action: { do: 'shadow-write', retranslate: true } };
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
    case 'watched-write': {
      // Adaptive translation (Adams & Agesen 2006, §3.2): a kernel store to a page table is first
      // translated as an ordinary store; on its first execution it takes a trace fault, and the
      // translator retranslates its block with a callout for the store, which later executions take.
      const pa = guestPhys(vm.machine, vm.machine.pc);
      return pa >= 0 && vm.tc?.calloutStores.has(pa) ? PT_STORE : PT_TRACE_FAULT;
    }
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
    // A store into translated code is a trace fault, whoever made it. Otherwise guest user code runs
    // directly, as under trap-and-emulate.
    handle: (vm, exit) => {
      // (A page-table store is never on a chunk of decoded code: the typed-array test keeps it cheap.)
      if (exit.kind === 'watched-write' && vm.machine.codeChunks[exit.pa >> CODE_CHUNK_SHIFT] !== 0 && vm.tc?.covers(exit.pa))
        return { via: TRACE, action: { do: 'invalidate-traced', page: exit.pa >>> 12 } };
      return vm.machine.cpl === 0 ? handleTranslated(vm, exit, privileged) : handleTrapAndEmulate(vm, exit, privileged);
    },
    trapText: (vm, exit, o) => {
      if (o.action.do === 'invalidate-traced')
        return [
          'trace fault: a store into a page of translated code (write-protected through the shadow table)',
          'drop the blocks translated from that page',
        ];
      if (o.action.do === 'shadow-write' && o.action.retranslate)
        return [
          'trace fault: a translated store hit a write-protected guest page table',
          'emulate the store, update the shadow, retranslate the block with a callout for the store',
        ];
      return trapWords(vm, exit, o, realCpl(vm));
    },
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
