// `interpret` (Bochs): every guest instruction is fetched, decoded and executed in software on the
// vCPU, with a software MMU walking the guest's page table. Nothing of the guest ever runs on the real
// CPU, so nothing traps: there is no hardware to trap. Every instruction costs interpretPerInstruction.

import { VECTOR_NAMES } from '../../../isa/table';
import type { DeliveryCause, SystemInstruction } from '../../../machine/host';
import type { Machine } from '../../../machine/machine';
import { CycleMeter } from '../../costs';
import type { RealCpu } from '../../inspection';
import { Monitor, type Vm } from '../../monitor';
import type { RunConfig, Technique, TechniqueId } from '../../technique';

export class InterpretRun extends Monitor {
  protected readonly techniqueId: TechniqueId = 'interpret';

  constructor(config: RunConfig) {
    super(config, { paging: 'software', realMmu: false });
  }

  realCpl(_vm: Vm): number {
    return 0; // the interpreter itself runs as a host program; the guest's CPL is only virtual
  }

  system(m: Machine, ins: SystemInstruction): boolean {
    if (ins.name === 'IN' || ins.name === 'OUT') this.charge(this.vmOf(m), 'emulate');
    if (ins.name === 'IRET') this.charge(this.vmOf(m), 'reflect');
    return false;
  }

  delivering(m: Machine, vector: number, cause: DeliveryCause, returnPc: number): void {
    const vm = this.vmOf(m);
    this.charge(vm, 'reflect');
    this.record(vm, { kind: 'interrupt', vector, name: VECTOR_NAMES[vector] ?? `INT ${vector}`, cause, returnPc: returnPc >>> 0 });
  }

  /** The guest never runs on the CPU: the interpreter (a host program) does. */
  protected realState(): RealCpu {
    return { cpl: 3, interruptsEnabled: null, mode: null, cr3: "the interpreter's own address space", idtr: 0 };
  }

  timerFired(_m: Machine): void {}

  tlbMiss(m: Machine): void {
    this.charge(this.vmOf(m), 'memoryReference');
  }

  watchedWrite(): void {}

  /** Every retired instruction is charged as interpreted; MUL and DIV cost the same to an interpreter. */
  protected adjustMeter(meter: CycleMeter): CycleMeter {
    const vm = this.guests.find((v) => v.machine.meter === meter);
    if (!vm) return meter;
    const copy = new CycleMeter(meter.costs);
    Object.assign(copy.counts, meter.counts);
    copy.counts.instruction = 0;
    copy.counts.interpretPerInstruction += vm.machine.retired;
    return copy;
  }
}

export const interpret: Technique = {
  id: 'interpret',
  refuse(config) {
    if (config.paging === 'nested') return 'interpretation walks the guest page table in software: there is no nested paging to use';
    return undefined;
  },
  create(config) {
    return new InterpretRun(config);
  },
};
