// `native`: bare metal. The guest is the only software on one VX machine, at real CPL 0.

import { MEMORY_SIZE, PAGE_COUNT } from '../../../isa/constants';
import { IF } from '../../../machine/alu';
import { run } from '../../../machine/interpreter';
import { Machine } from '../../../machine/machine';
import { type MachineSnapshot, restore, snapshot } from '../../../machine/snapshot';
import { emptyCounters } from '../../../trace/events';
import { cpuView, type Inspection, pageTableOf, tlbOf } from '../../inspection';
import type { RunConfig, Technique, TechniqueRun, VmView } from '../../technique';

class NativeRun implements TechniqueRun {
  readonly paging = 'none' as const;
  private readonly m: Machine;

  constructor(private readonly config: RunConfig) {
    this.m = new Machine({ variant: config.isa, costs: config.costs, vm: 0 });
    this.m.loadImage(config.vms[0].image);
  }

  run(budget: number) {
    const stop = run(this.m, budget);
    if (stop === 'breakpoint') return 'breakpoint';
    return stop === 'budget' ? 'budget' : 'all-stopped';
  }

  steps(): number {
    return this.m.retired;
  }

  vms(): VmView[] {
    const m = this.m;
    const counters = emptyCounters();
    counters.instructions = m.retired;
    counters.interrupts = m.interrupts;
    counters.exceptions = m.exceptions;
    counters.io = m.ioCount;
    counters.tlbMisses = m.tlbMisses;
    return [
      {
        name: this.config.vms[0].name,
        state: m.state,
        exitCode: m.state === 'powered-off' ? m.exitCode : null,
        ...(m.state === 'crashed' ? { crashReason: m.crashReason } : {}),
        console: m.console,
        cpu: cpuView(m),
        counters,
        fidelity: [],
      },
    ];
  }

  cycles() {
    return { total: this.m.meter.total(), byCategory: this.m.meter.byCategory() };
  }

  setEvents(sink: Parameters<TechniqueRun['setEvents']>[0], trace: boolean): void {
    this.m.events = sink;
    this.m.trace = trace && sink !== null;
  }

  setBreakpoints(_vm: number, addresses: readonly number[]): void {
    if (addresses.length === 0) {
      this.m.breakpoints = null;
      return;
    }
    const bp = new Uint8Array(MEMORY_SIZE);
    for (const a of addresses) if (a >= 0 && a < MEMORY_SIZE) bp[a] = 1;
    this.m.breakpoints = bp;
  }

  snapshot(): MachineSnapshot {
    return snapshot(this.m);
  }

  restore(s: unknown): void {
    restore(this.m, s as MachineSnapshot);
  }

  inspect(): Inspection {
    const m = this.m;
    return {
      technique: 'native',
      hypervisorType: 1,
      current: 0,
      vms: [
        {
          name: this.config.vms[0].name,
          layer: m.cpl === 0 ? 'guest-kernel' : 'guest-user',
          virtual: cpuView(m),
          real: { cpl: m.cpl, interruptsEnabled: (m.flags & IF) !== 0, mode: null, cr3: 'the page table', idtr: m.idtr >>> 0 },
          tlb: tlbOf(m),
          pageTable: pageTableOf(m),
          p2m: Array.from({ length: PAGE_COUNT }, (_, i) => i),
          host: 'host A',
          shadow: null,
          ept: null,
          vmcs: null,
          blocks: null,
          hypercalls: null,
        },
      ],
    };
  }

  readMemory(_vm: number, address: number, length: number): Uint8Array {
    return this.m.mem.slice(address, address + length);
  }
}

export const native: Technique = {
  id: 'native',
  refuse(config) {
    if (config.vms.length > 1) return 'bare metal runs one machine: native cannot run a scenario with several VMs';
    return undefined;
  },
  create(config) {
    return new NativeRun(config);
  },
};
