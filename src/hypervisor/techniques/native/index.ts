// `native`: bare metal. The guest is the only software on one VX machine, at real CPL 0.
import { run } from '../../../machine/interpreter';
import { Machine } from '../../../machine/machine';
import { type MachineSnapshot, restore, snapshot } from '../../../machine/snapshot';
import { emptyCounters } from '../../../trace/events';
import type { CpuView, RunConfig, Technique, TechniqueRun, VmView } from '../../technique';

export function cpuView(m: Machine): CpuView {
  const r = m.r;
  return {
    R0: r[0] >>> 0,
    R1: r[1] >>> 0,
    R2: r[2] >>> 0,
    R3: r[3] >>> 0,
    R4: r[4] >>> 0,
    R5: r[5] >>> 0,
    R6: r[6] >>> 0,
    R7: r[7] >>> 0,
    PC: m.pc >>> 0,
    FLAGS: m.flags >>> 0,
    CPL: m.cpl,
    CR0: m.cr0 >>> 0,
    CR2: m.cr2 >>> 0,
    CR3: m.cr3 >>> 0,
    IDTR: m.idtr >>> 0,
    KSP: m.ksp >>> 0,
  };
}

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
    const bp = new Uint8Array(0x10000);
    for (const a of addresses) if (a >= 0 && a < 0x10000) bp[a] = 1;
    this.m.breakpoints = bp;
  }

  snapshot(): MachineSnapshot {
    return snapshot(this.m);
  }

  restore(s: unknown): void {
    restore(this.m, s as MachineSnapshot);
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
