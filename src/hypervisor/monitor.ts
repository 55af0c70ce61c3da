// The monitor: the VMs of a scenario, their vCPUs, the scheduler and world switches, and the one
// place where every transition from guest to hypervisor is recorded, counted and charged (`exit`).
// Techniques (techniques/<id>/) decide *when* the real system would leave the guest; the monitor
// says what that transition is and what it costs (Firecracker's vcpu.rs, one exhaustive match).

export { EXIT_REASONS, type Exit, type ExitReasonName, HYPERVISOR_IDT, type Vcpu, Vm } from './vm';

import { formatInstruction } from '../isa/disassembler';
import { decode } from '../isa/encoding';
import { VECTOR_NAMES } from '../isa/table';
import { IF } from '../machine/alu';
import type { Host } from '../machine/host';
import { run as runMachine } from '../machine/interpreter';
import { CR0_PG, type Machine } from '../machine/machine';
import { type MachineSnapshot, restore, snapshot } from '../machine/snapshot';
import type { Counters, EventSink, TraceEvent } from '../trace/events';
import { type CostTable, CycleMeter } from './costs';
import {
  cpuView,
  type Inspection,
  pageTableOf,
  type RealCpu,
  type ShadowEntry,
  type TranslatedBlockView,
  tlbOf,
  type VmcsView,
} from './inspection';
import { fillShadow, type Recorder, rebuildShadow, shadowNeedsFill, shadowWrite } from './shadow';
import type { FidelityViolation, PagingMode, RunConfig, RunStopReason, TechniqueId, TechniqueRun, VmView } from './technique';
import { EXIT_REASONS, type Exit, type ExitReasonName, HYPERVISOR_IDT, type Vcpu, Vm } from './vm';

export interface MonitorOptions {
  readonly paging: PagingMode | 'none' | 'software' | 'direct';
  /** The real CPU always translates (shadow or nested paging). */
  readonly realMmu: boolean;
}

/** The mutable parts of a monitor's state that a snapshot must capture besides the machines. */
interface MonitorState {
  current: number;
  sliceLeft: number;
  vms: { counters: Counters; fidelity: FidelityViolation[]; shadow: Uint8Array; ept: Uint8Array; vcpu: Vcpu }[];
  meter: Record<string, number>;
  extra: unknown;
}

/**
 * The base of every hypervisor technique: scheduling, world switches, recording. Subclasses are the
 * techniques; they implement the machine's Host hooks and call `exit` and the recorders below.
 */
export abstract class Monitor implements TechniqueRun, Host {
  readonly guests: Vm[];
  /** Cycles the hypervisor spends outside any VM (world switches, the host OS). */
  readonly meter: CycleMeter;
  private events: EventSink | null = null;
  private current = 0;
  private sliceLeft: number;
  readonly paging: PagingMode | 'none' | 'software' | 'direct';

  constructor(
    readonly config: RunConfig,
    options: MonitorOptions,
  ) {
    this.paging = options.paging;
    this.meter = new CycleMeter(config.costs);
    this.guests = config.vms.map((v, i) => new Vm(i, v.name, config, config.costs));
    for (const vm of this.guests) {
      vm.machine.host = this;
      vm.machine.alwaysTranslate = options.realMmu;
    }
    this.sliceLeft = config.timeSlice;
  }

  // ---- the run loop: round-robin by time slices of guest instructions -----------------------------------

  run(budget: number): RunStopReason {
    let left = budget;
    while (left > 0) {
      const vm = this.guests[this.current];
      if (vm.machine.state !== 'running' || this.sliceLeft <= 0) {
        if (!this.switchToNext()) return 'all-stopped';
        continue;
      }
      // Alone on the host a VM runs as long as the budget allows: slices only matter between VMs.
      const alone = this.guests.length === 1;
      const n = alone ? left : Math.min(left, this.sliceLeft);
      const before = vm.machine.retired;
      const stop = runMachine(vm.machine, n);
      const done = vm.machine.retired - before;
      if (!alone) this.sliceLeft -= done;
      left -= stop === 'budget' ? n : Math.max(done, 1);
      if (stop === 'breakpoint') return 'breakpoint';
    }
    return this.guests.some((v) => v.machine.state === 'running') ? 'budget' : 'all-stopped';
  }

  /** Moves to the next running VM: a world switch when it is another VM. False when none runs. */
  private switchToNext(): boolean {
    const n = this.guests.length;
    for (let k = 1; k <= n; k++) {
      const next = (this.current + k) % n;
      if (this.guests[next].machine.state !== 'running') continue;
      if (next !== this.current) this.worldSwitch(this.guests[this.current], this.guests[next]);
      this.current = next;
      this.sliceLeft = this.config.timeSlice;
      return true;
    }
    return false;
  }

  private worldSwitch(from: Vm, to: Vm): void {
    this.meter.charge('worldSwitch');
    to.counters.worldSwitches++;
    this.record(to, { kind: 'world-switch', from: from.name, to: to.name });
    if (!this.config.taggedTlb) to.machine.flushTlb('world switch: the 2006 CPU has no tagged TLB');
  }

  steps(): number {
    let s = 0;
    for (const vm of this.guests) s += vm.machine.retired;
    return s;
  }

  // ---- recording: events, counters, costs --------------------------------------------------------------

  protected record(vm: Vm, e: DistributiveOmit<TraceEvent, 'vm' | 'pc' | 'time'>, pc = vm.machine.pc): void {
    if (!this.events) return;
    // Completing the caller's literal is much cheaper than spreading it into a new object.
    const ev = e as { vm?: number; pc?: number; time?: number };
    ev.vm = vm.index;
    ev.pc = pc >>> 0;
    ev.time = this.now();
    this.events.push(ev as TraceEvent);
  }

  now(): number {
    let t = this.meter.total();
    for (const vm of this.guests) t += vm.machine.meter.total();
    return t;
  }

  protected charge(vm: Vm, cost: keyof CostTable, times = 1): void {
    vm.machine.meter.charge(cost, times);
  }

  /** The text of the instruction at the guest's PC, for events. */
  protected instructionAt(vm: Vm): string {
    const m = vm.machine;
    const bytes = new Uint8Array(8);
    for (let i = 0; i < 8; i++) {
      const p = this.peekPhys(m, (m.pc + i) | 0);
      bytes[i] = p < 0 ? 0 : m.mem[p];
    }
    const d = decode(bytes, 0);
    return d ? formatInstruction(d) : '(undefined instruction)';
  }

  /** Guest-virtual to guest-physical without side effects (no TLB fill, no fault), or -1. */
  protected peekPhys(m: Machine, va: number): number {
    const a = va >>> 0;
    if (a >= 0x10000) return -1;
    if (!(m.cr0 & CR0_PG)) return a;
    const pa = (m.cr3 >>> 0) + (a >>> 12) * 4;
    if (pa + 3 >= 0x10000) return -1;
    const pte = m.mem[pa] | (m.mem[pa + 1] << 8) | (m.mem[pa + 2] << 16) | (m.mem[pa + 3] << 24);
    return pte & 1 ? (pte & 0xf000) | (a & 0xfff) : -1;
  }

  /**
   * Every transition from guest to hypervisor comes through here: it is recorded as its event,
   * counted, charged, and (without a tagged TLB) empties the TLB.
   */
  protected exit(vm: Vm, exit: Exit): void {
    const c = vm.counters;
    switch (exit.kind) {
      case 'trap':
        c.traps++;
        this.charge(vm, 'trapRoundTrip');
        this.record(vm, {
          kind: 'trap',
          cause: exit.cause,
          instruction: this.instructionAt(vm),
          realCpl: this.realCpl(vm),
          virtualCpl: vm.virtualCpl,
          action: exit.action,
        });
        break;
      case 'vm-exit': {
        c.vmExits++;
        c.vmExitsByReason[exit.reason] = (c.vmExitsByReason[exit.reason] ?? 0) + 1;
        this.charge(vm, 'vmExitRoundTrip');
        this.record(vm, { kind: 'vm-exit', reason: EXIT_REASONS[exit.reason], reasonName: exit.reason, qualification: exit.qualification });
        this.onVmExit(vm, exit.reason, exit.qualification);
        if (!this.config.taggedTlb) vm.machine.flushTlb('VM exit: the 2006 CPU has no tagged TLB (no VPID)');
        return;
      }
      case 'hypercall':
        this.countHypercall(vm, exit.name);
        this.charge(vm, 'hypercallRoundTrip');
        break;
      case 'callout':
        this.charge(vm, 'callout');
        return;
    }
    // A trap needs no TLB flush: the hypervisor lives in a corner of every address space (as VMware's did).
  }

  /** Hook for hardware-assisted: keeps the VMCS exit information. */
  protected onVmExit(_vm: Vm, _reason: ExitReasonName, _qualification: string): void {}

  protected countHypercall(vm: Vm, name: string): void {
    vm.counters.hypercalls++;
    vm.counters.hypercallsByName[name] = (vm.counters.hypercallsByName[name] ?? 0) + 1;
  }

  protected vmEntry(vm: Vm): void {
    this.record(vm, { kind: 'vm-entry' });
  }

  protected emulate(vm: Vm, instruction: string, effect: string): void {
    vm.counters.emulated++;
    this.charge(vm, 'emulate');
    this.record(vm, { kind: 'emulate', instruction, effect });
  }

  protected reflect(vm: Vm, vector: number): void {
    vm.counters.reflected++;
    this.charge(vm, 'reflect');
    this.record(vm, { kind: 'reflect', vector, name: VECTOR_NAMES[vector] ?? `INT ${vector}` });
  }

  protected inject(vm: Vm, vector: number, cost: 'inject' | 'reflect'): void {
    vm.counters.injected++;
    this.charge(vm, cost);
    this.record(vm, { kind: 'inject', vector, name: VECTOR_NAMES[vector] ?? `INT ${vector}` });
  }

  protected fidelityViolation(vm: Vm, instruction: string, expected: string, actual: string): void {
    vm.counters.fidelityViolations++;
    if (vm.fidelity.length < 1000) vm.fidelity.push({ pc: vm.machine.pc >>> 0, instruction, expected, actual });
    this.record(vm, { kind: 'fidelity-violation', instruction, expected, actual });
  }

  /** Type 2: the hypervisor goes through the host OS and back (two world switches). */
  protected viaHostOs(vm: Vm, why: string): void {
    if (this.config.hypervisorType !== 2) return;
    this.meter.charge('hostOsRoundTrip');
    vm.counters.worldSwitches += 2;
    this.record(vm, { kind: 'world-switch', from: 'hypervisor', to: `host OS (${why})` });
    this.record(vm, { kind: 'world-switch', from: 'host OS', to: 'hypervisor' });
  }

  // ---- shadow page tables (shadow.ts): used by trap-and-emulate, binary translation, hardware-assisted ----

  private readonly recorder: Recorder = { charge: (vm, c, n) => this.charge(vm, c, n), record: (vm, e) => this.record(vm, e) };

  protected rebuildShadow(vm: Vm, cr0: number, cr3: number): void {
    rebuildShadow(this.recorder, vm, cr0, cr3);
  }

  protected shadowWrite(vm: Vm, pa: number, size: number): string {
    return shadowWrite(this.recorder, vm, pa, size);
  }

  protected shadowNeedsFill(vm: Vm, page: number, pte: number): boolean {
    return shadowNeedsFill(this.recorder, vm, page, pte);
  }

  protected fillShadow(vm: Vm, page: number): void {
    fillShadow(this.recorder, vm, page);
  }

  /** A hypercall has been served (after its exit): counted by name, with its arguments and result. */
  protected hypercallDone(vm: Vm, number: number, name: string, args: number[], result: number, pc: number): void {
    this.record(vm, { kind: 'hypercall', number, name, args, result }, pc);
  }

  // ---- what techniques must say -------------------------------------------------------------------------

  /** The real CPL while this VM's guest code runs. */
  abstract realCpl(vm: Vm): number;

  // Host hooks: techniques implement them.
  abstract system(m: Machine, ins: Parameters<Host['system']>[1]): boolean;
  abstract delivering(m: Machine, vector: number, cause: Parameters<Host['delivering']>[2], returnPc: number): void;
  abstract timerFired(m: Machine): void;
  abstract tlbMiss(m: Machine, page: number, pte: number, access: Parameters<Host['tlbMiss']>[3]): void;
  abstract watchedWrite(m: Machine, pa: number, size: number): void;
  stateChanged(_m: Machine, _reason?: string): void {}

  protected vmOf(m: Machine): Vm {
    return this.guests[m.vm];
  }

  /** Technique-specific state for snapshots (default: none). */
  protected saveExtra(): unknown {
    return undefined;
  }
  protected loadExtra(_s: unknown): void {}

  // ---- TechniqueRun --------------------------------------------------------------------------------------

  cycles() {
    const meters = [this.meter, ...this.guests.map((v) => v.machine.meter)];
    const byCategory: Record<string, number> = {};
    let total = 0;
    for (const m of meters) {
      const adjusted = this.adjustMeter(m);
      total += adjusted.total();
      for (const [k, v] of Object.entries(adjusted.byCategory())) byCategory[k] = (byCategory[k] ?? 0) + v;
    }
    return { total, byCategory };
  }

  /** Interpretation charges instructions differently; others use the meter as it is. */
  protected adjustMeter(m: CycleMeter): CycleMeter {
    return m;
  }

  /** The guest-visible (virtual) state of every VM. */
  vms(): VmView[] {
    return this.guests.map((vm) => vm.view());
  }

  setEvents(sink: EventSink | null, trace: boolean): void {
    this.events = sink;
    for (const vm of this.guests) {
      vm.machine.events = sink;
      vm.machine.trace = trace && sink !== null;
    }
  }

  setBreakpoints(vm: number, addresses: readonly number[]): void {
    const m = this.guests[vm]?.machine;
    if (!m) return;
    if (addresses.length === 0) {
      m.breakpoints = null;
      return;
    }
    const bp = new Uint8Array(0x10000);
    for (const a of addresses) if (a >= 0 && a < 0x10000) bp[a] = 1;
    m.breakpoints = bp;
  }

  snapshot(): { machines: MachineSnapshot[]; state: MonitorState } {
    return {
      machines: this.guests.map((v) => snapshot(v.machine)),
      state: structuredClone({
        current: this.current,
        sliceLeft: this.sliceLeft,
        vms: this.guests.map((v) => ({ counters: v.counters, fidelity: v.fidelity, shadow: v.shadow, ept: v.ept, vcpu: v.vcpu })),
        meter: { ...this.meter.counts },
        extra: this.saveExtra(),
      }),
    };
  }

  restore(s: unknown): void {
    const snap = s as { machines: MachineSnapshot[]; state: MonitorState };
    const st = structuredClone(snap.state);
    this.guests.forEach((vm, i) => {
      restore(vm.machine, snap.machines[i]);
      vm.counters = st.vms[i].counters;
      vm.fidelity = st.vms[i].fidelity;
      vm.shadow = st.vms[i].shadow;
      vm.ept = st.vms[i].ept;
      vm.vcpu = st.vms[i].vcpu;
    });
    this.current = st.current;
    this.sliceLeft = st.sliceLeft;
    Object.assign(this.meter.counts, st.meter);
    this.loadExtra(st.extra);
  }

  inspect(): Inspection {
    return {
      technique: this.techniqueId,
      hypervisorType: this.config.hypervisorType,
      current: this.current,
      vms: this.guests.map((vm) => {
        const m = vm.machine;
        const pageTable = pageTableOf(m);
        const mapped = (page: number, filled: boolean): ShadowEntry => {
          const frame = pageTable ? pageTable[page].frame : page;
          return { page, hostFrame: filled ? vm.p2m[frame] : null };
        };
        return {
          name: vm.name,
          layer: m.cpl === 0 ? 'guest-kernel' : 'guest-user',
          virtual: cpuView(m),
          real: this.realState(vm),
          tlb: tlbOf(m),
          pageTable,
          p2m: vm.p2m,
          shadow: this.paging === 'shadow' ? Array.from({ length: 16 }, (_, p) => mapped(p, vm.shadow[p] === 1)) : null,
          ept:
            this.paging === 'nested' ? Array.from({ length: 16 }, (_, f) => ({ page: f, hostFrame: vm.ept[f] ? vm.p2m[f] : null })) : null,
          vmcs: this.vmcsOf(vm),
          blocks: this.blocksOf(vm),
          hypercalls: vm.counters.hypercalls || this.techniqueId === 'paravirtualization' ? { ...vm.counters.hypercallsByName } : null,
        };
      }),
    };
  }

  /** The technique's id, for inspection. */
  protected abstract readonly techniqueId: TechniqueId;

  /** The real CPU while this VM's code runs. */
  protected realState(vm: Vm): RealCpu {
    return {
      cpl: this.realCpl(vm),
      interruptsEnabled: true,
      mode: null,
      cr3: this.paging === 'shadow' ? `shadow table of ${vm.name}` : 'the guest page table',
      idtr: HYPERVISOR_IDT >>> 0,
    };
  }

  protected vmcsOf(_vm: Vm): VmcsView | null {
    return null;
  }

  protected blocksOf(_vm: Vm): TranslatedBlockView[] | null {
    return null;
  }

  readMemory(vm: number, address: number, length: number): Uint8Array {
    return this.guests[vm]?.machine.mem.slice(address, address + length) ?? new Uint8Array(0);
  }

  /** Real IF while guest code runs directly: the hypervisor keeps interrupts enabled. */
  protected vif(vm: Vm): boolean {
    return (vm.machine.flags & IF) !== 0;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
