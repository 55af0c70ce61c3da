// `interpret` (Bochs): every guest instruction is fetched, decoded and executed in software on the
// vCPU, with a software MMU walking the guest's page table. Nothing of the guest ever runs on the real
// CPU, so nothing traps: there is no hardware to trap. Every instruction costs interpretPerInstruction.
//
// Charged honestly (costs.md: "software does everything the hardware does, and more"): where the
// hardware does something itself, the interpreter does the same work in software and pays what the
// hardware pays plus its own interpreted steps. Bochs follows the hardware's sequence step by step:
// exception delivery (`BX_CPU_C::interrupt` / `protected_mode_int`: read the gate, push the frame,
// load CS:EIP and the flags), IRET (`BX_CPU_C::iret_protected`: pop the frame), and its software TLB
// refill (`BX_CPU_C::translate_linear`: read the PTE, check the bits, fill the TLB entry). The step
// counts below are those of VX's own sequences (isa.md), each one interpreted step; the per-step price
// is the preset's interpretPerInstruction (a model value).
import { CycleMeter } from '../../costs';
import { type GuestExit, type Outcome, RESUME, unreachable } from '../../exits';
import type { Handler } from '../../handler';
import { Monitor } from '../../monitor';
import type { Technique } from '../../technique';
import type { Vm } from '../../vm';

/** isa.md's delivery: read the IDT entry, push SP, CPL, FLAGS, PC, then set CPL, IF and PC: 8 steps. */
export const DELIVERY_STEPS = 8;
/** IRET: pop PC, FLAGS, CPL, SP: 4 steps. */
export const IRET_STEPS = 4;
/** IN/OUT: decode the port, call the device model, move the value: 3 steps. */
export const IO_STEPS = 3;
/** A software TLB refill: read the PTE, check P/U/W, fill the entry: 3 steps. */
export const WALK_STEPS = 3;

const NONE = { kind: 'none' } as const;
const EXECUTE: Outcome = { via: NONE, action: { do: 'execute' } };
/** The device model serves IN/OUT in software, and reaches the host's own device (the console is the host's terminal): the emulation plus the access the hardware makes. */
const IO: Outcome = { via: NONE, action: { do: 'execute', charge: 'portIo', software: IO_STEPS } };
const IRET: Outcome = { via: NONE, action: { do: 'execute', charge: 'iret', software: IRET_STEPS } };
const DELIVER: Outcome = { via: NONE, action: { do: 'deliver', charge: 'exceptionDelivery', software: DELIVERY_STEPS } };
const WALK: Outcome = { via: NONE, action: { do: 'walk', refs: 1, software: WALK_STEPS } };

export function handleInterpreted(_vm: Vm, exit: GuestExit): Outcome {
  switch (exit.kind) {
    case 'system':
      if (exit.ins.name === 'IN' || exit.ins.name === 'OUT') return IO;
      return exit.ins.name === 'IRET' ? IRET : EXECUTE;
    case 'delivery':
      return DELIVER;
    case 'tlb-miss':
      return WALK;
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
  /** adjustMeter's total, for event times: the same meter as the run's total. */
  meterTotal(vm) {
    const meter = vm.machine.meter;
    const c = meter.costs;
    return meter.total() - meter.counts.instruction * c.instruction + vm.machine.retired * c.interpretPerInstruction;
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
