// `interpret` (Bochs): every guest instruction is fetched, decoded and executed in software on the
// vCPU, with a software MMU walking the guest's page table. Nothing of the guest ever runs on the real
// CPU, so nothing traps: there is no hardware to trap. Every instruction costs interpretPerInstruction.
import { CycleMeter } from '../../costs';
import { EXECUTE, type GuestExit, NONE, type Outcome, RESUME, unreachable, WALK_1 } from '../../exits';
import type { Handler } from '../../handler';
import { Monitor } from '../../monitor';
import type { Technique } from '../../technique';
import type { Vm } from '../../vm';

const IO: Outcome = { via: NONE, action: { do: 'execute', charge: 'emulate' } };
const IRET: Outcome = { via: NONE, action: { do: 'execute', charge: 'reflect' } };
const DELIVER: Outcome = { via: NONE, action: { do: 'deliver', charge: 'reflect' } };

export function handleInterpreted(_vm: Vm, exit: GuestExit): Outcome {
  switch (exit.kind) {
    case 'system':
      if (exit.ins.name === 'IN' || exit.ins.name === 'OUT') return IO;
      return exit.ins.name === 'IRET' ? IRET : EXECUTE;
    case 'delivery':
      return DELIVER;
    case 'tlb-miss':
      return WALK_1;
    case 'timer':
    case 'watched-write':
    case 'indirect-branch':
    case 'stopped':
      return RESUME;
    default:
      return unreachable(exit);
  }
}

export const interpretHandler: Handler = {
  id: 'interpret',
  paging: 'software',
  realMmu: false,
  realCpl: () => 0, // the interpreter itself runs as a host program; the guest's CPL is only virtual
  handle: handleInterpreted,
  /** The guest never runs on the CPU: the interpreter (a host program) does. */
  realState: () => ({ cpl: 3, interruptsEnabled: null, mode: null, cr3: "the interpreter's own address space", idtr: 0 }),
  /** Every retired instruction is charged as interpreted; MUL and DIV cost the same to an interpreter. */
  adjustMeter(vm, meter) {
    const copy = new CycleMeter(meter.costs);
    Object.assign(copy.counts, meter.counts);
    copy.counts.instruction = 0;
    copy.counts.interpretPerInstruction += vm.machine.retired;
    return copy;
  },
};

export const interpret: Technique = {
  id: 'interpret',
  refuse(config) {
    if (config.paging === 'nested') return 'interpretation walks the guest page table in software: there is no nested paging to use';
    return undefined;
  },
  create(config) {
    return new Monitor(config, interpretHandler);
  },
};
