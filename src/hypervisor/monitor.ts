// The monitor: the VMs of a scenario, their vCPUs, the scheduler and world switches, and the one
// place where every transition from guest to hypervisor is recorded, counted and charged.
//
// The machine tells its host where the real system would leave the guest (machine/host.ts); the
// monitor turns each of those moments into a `GuestExit` value, asks the technique's handler what the
// real system does (`Handler.handle`, one exhaustive switch), and applies the outcome here: the exit
// (`via`), then the action, then, under hardware assistance, the VM entry that follows
// whenever the guest resumes. Events are built only when a sink listens.
//
// Followed: Firecracker's `Vcpu::run_emulation` / `handle_kvm_exit` and Cloud Hypervisor's
// `Vcpu::run() -> VmExit` (an exit is a value; one match handles it); KVM's `vcpu_enter_guest`
// (arch/x86/kvm/x86.c) for the order exit → handler → pending-event injection → entry.

export { EXIT_REASONS, type ExitReasonName, HYPERVISOR_IDT, type Vcpu, Vm } from './vm';

import {
  CPUID_VIRTUAL,
  MEMORY_SIZE,
  PAGE_COUNT,
  PAGE_INDEX_MASK,
  PAGE_OFFSET_MASK,
  PAGE_SHIFT,
  PTE_FRAME_MASK,
  PTE_P,
  PTE_SIZE,
} from '../isa/constants';
import { formatInstruction } from '../isa/disassembler';
import { decode } from '../isa/encoding';
import { VECTOR_NAMES } from '../isa/table';
import type { DeliveryCause, Host, SystemInstruction } from '../machine/host';
import { run as runMachine } from '../machine/interpreter';
import { type Access, CR0_PG, type Machine } from '../machine/machine';
import { type MachineSnapshot, restore, snapshot } from '../machine/snapshot';
import type { Counters, EventSink, TraceEvent } from '../trace/events';
import { CycleMeter } from './costs';
import { type Action, EXIT_REASONS, type ExitSlot, exitSlot, type GuestExit, keepExit, type Outcome, unreachable, type Via } from './exits';
import type { Handler, MonitorPaging } from './handler';
import { cpuView, type Inspection, pageTableOf, type RealCpu, type ShadowEntry, type TranslatedBlockView, tlbOf } from './inspection';
import { fillShadow, type Recorder, rebuildShadow, shadowWrite, shadowWriteWords } from './shadow';
import type { FidelityViolation, RunConfig, RunStopReason, TechniqueRun, VmView } from './technique';
import { effectOf } from './techniques/effects';
import { completeDirect, runDirectly } from './techniques/sensitive';
import { type Block, isIndirect, TranslationCache } from './translation-cache';
import { HYPERVISOR_IDT, type LastExit, type Vcpu, Vm } from './vm';
import { INT80, TI_IF, VCPU_INFO } from './xen/abi';
import { bounce, portOfVirq, setPending, upcallDue } from './xen/events';
import { checkPte, serveHypercall } from './xen/hypercalls';

/** The mutable parts of a monitor's state that a snapshot must capture besides the machines. */
interface MonitorState {
  current: number;
  sliceLeft: number;
  vms: {
    counters: Counters;
    fidelity: FidelityViolation[];
    shadow: Uint8Array;
    shadowRoots: Vm['shadowRoots'];
    ept: Uint8Array;
    vcpu: Vcpu;
    lastExit: LastExit;
    callouts: number;
    tc: ReturnType<TranslationCache['save']> | null;
    /** Which host the VM is on and its frames there (a live migration changes both). */
    host: Vm['host'];
    p2m: readonly number[];
  }[];
  meter: Record<string, number>;
}

export type EventBody = DistributiveOmit<TraceEvent, 'vm' | 'pc' | 'time'>;

/** What a live migration needs to see of the guest while it runs (migration/live.ts). */
export interface MigrationHooks {
  /** A store to a guest-physical page watched for dirty logging (bit 1 of the machine's `watch`). */
  stored(vm: Vm, page: number): void;
  /** A TLB miss on a guest-physical frame (post-copy: a page not yet received is a network fault). */
  touched(vm: Vm, frame: number, access: Access): void;
  /** After an exit: the technique may have reset `watch`; the migration's protections are put back. */
  rearm(vm: Vm): void;
  /** The hypervisor itself wrote guest page `page` (Xen's paging_mark_dirty on copy_to_guest): dirty, no fault. */
  hypervisorStored(vm: Vm, page: number): void;
}

const vectorName = (v: number) => VECTOR_NAMES[v] ?? `INT ${v}`;

const TIMER: GuestExit = { kind: 'timer' };
const STOPPED: GuestExit = { kind: 'stopped' };
const NO_INSTRUCTION: SystemInstruction = { name: 'NOP', a: 0, b: 0, imm: 0, port: 0, src: 0, immediate: false, units: 0 };

export class Monitor implements TechniqueRun, Host {
  readonly guests: Vm[];
  /** Cycles the hypervisor spends outside any VM (world switches, the host OS). */
  readonly meter: CycleMeter;
  readonly paging: MonitorPaging;
  private events: EventSink | null = null;
  /** Reusable exits, one per dispatch depth, and the copies the VMCS view keeps of each VM's last exit. */
  private readonly slots: ExitSlot[] = [];
  private depth = 0;
  private readonly keptExits: ExitSlot[] = [];
  private readonly keptIns: SystemInstruction[] = [];
  /** A live migration in progress (migration/live.ts), or null: then no store or miss costs anything more. */
  migration: MigrationHooks | null = null;
  private current = 0;
  private sliceLeft: number;
  private readonly recorder: Recorder;

  constructor(
    readonly config: RunConfig,
    readonly handler: Handler,
  ) {
    this.paging = handler.paging;
    this.meter = new CycleMeter(config.costs);
    this.guests = config.vms.map((v, i) => new Vm(i, v.name, config, config.costs));
    for (const vm of this.guests) {
      vm.machine.host = this;
      vm.machine.alwaysTranslate = handler.realMmu;
      // What the hypervisor writes into guest memory is dirty for a migration too.
      vm.machine.hostStoreHook = (pa) => this.migration?.hypervisorStored(vm, pa >>> PAGE_SHIFT);
      // The VM's virtual CPU, as its hypervisor presents it to CPUID (hypervisor present, no VMX).
      vm.machine.cpuidFeatures = CPUID_VIRTUAL;
      if (handler.translates) vm.tc = new TranslationCache();
      // Several VMs: a vCPU halted with interrupts on blocks and the CPU goes to the next VM ("HLT and blocking").
      vm.machine.yieldWhenWaiting = config.vms.length > 1 && (handler.yields?.(vm) ?? true);
    }
    this.sliceLeft = config.timeSlice;
    this.recorder = {
      charge: (vm, c, n) => vm.machine.meter.charge(c, n),
      listening: () => this.events !== null,
      record: (vm, e) => this.record(vm, e),
    };
  }

  // ---- the run loop: round-robin by time slices of guest instructions -----------------------------------

  run(budget: number): RunStopReason {
    let left = budget;
    while (left > 0) {
      const vm = this.guests[this.current];
      if (!this.runnable(vm) || this.sliceLeft <= 0) {
        if (!this.switchToNext()) {
          if (!this.guests.some((v) => v.machine.state === 'running')) return 'all-stopped';
          this.idle(); // every running VM is blocked: host time passes until the first timer fires
        }
        continue;
      }
      if (this.handler.vmx && !vm.vcpu.launched) this.launch(vm);
      // Alone on the host a VM runs as long as the budget allows: slices only matter between VMs.
      const alone = this.guests.length === 1;
      // A blocked VM's timer ends the slice when it fires: the woken vCPU runs at once (the host scheduler's
      // wake-up preemption, as when kvm_vcpu_kick wakes a vCPU thread blocked in kvm_vcpu_block).
      const n = alone ? left : Math.min(left, this.sliceLeft, this.nextWake(vm));
      const before = vm.machine.retired;
      const stop = runMachine(vm.machine, n);
      const done = vm.machine.retired - before;
      if (!alone) {
        this.sliceLeft -= done;
        // One host clock: the timers of blocked VMs count the instructions the running VM retired.
        if (this.passTime(done, vm)) this.sliceLeft = 0;
        if (stop === 'blocked') this.sliceLeft = 0; // kvm_vcpu_block: the CPU goes to the next VM at once
      }
      left -= stop === 'budget' ? n : Math.max(done, 1);
      if (stop === 'breakpoint') return 'breakpoint';
    }
    return this.guests.some((v) => v.machine.state === 'running') ? 'budget' : 'all-stopped';
  }

  /** A VM the CPU can run now: running, and not blocked in HLT waiting for a timer that has not fired. */
  private runnable(vm: Vm): boolean {
    return vm.machine.state === 'running' && !this.blocked(vm);
  }

  /** Host time passes for the blocked VMs (their timers count it), `n` instructions of another VM. True when one woke. */
  private passTime(n: number, running: Vm | null): boolean {
    let woke = false;
    if (n <= 0) return woke;
    for (const other of this.guests) {
      const m = other.machine;
      if (other === running || !this.blocked(other)) continue;
      m.tick(n);
      // Ticks that fell due meanwhile are one pending interrupt, as on one interrupt line.
      while (m.timerNext >= 0 && m.timerNext <= m.ticks) m.timerNext += m.timerPeriod;
      woke ||= m.irqPending;
    }
    return woke;
  }

  private blocked(vm: Vm): boolean {
    const m = vm.machine;
    return m.state === 'running' && m.waiting && m.yieldWhenWaiting && !m.irqPending && m.timerNext >= 0;
  }

  /** Host instructions until the first blocked VM's timer fires (other than `running`). */
  private nextWake(running: Vm): number {
    let wait = Number.POSITIVE_INFINITY;
    for (const v of this.guests)
      if (v !== running && this.blocked(v)) wait = Math.min(wait, Math.max(1, v.machine.timerNext - v.machine.ticks));
    return wait;
  }

  /** Every running VM is blocked: the host idles until the earliest timer among them fires. */
  private idle(): void {
    let wait = Number.POSITIVE_INFINITY;
    for (const v of this.guests) if (this.blocked(v)) wait = Math.min(wait, v.machine.timerNext - v.machine.ticks);
    this.passTime(Number.isFinite(wait) ? Math.max(1, wait) : 1, null);
  }

  /** Moves to the next runnable VM: a world switch when it is another VM. False when none can run. */
  private switchToNext(): boolean {
    const n = this.guests.length;
    for (let k = 1; k <= n; k++) {
      const next = (this.current + k) % n;
      if (!this.runnable(this.guests[next])) continue;
      if (next !== this.current) this.worldSwitch(this.guests[this.current], this.guests[next]);
      this.current = next;
      this.sliceLeft = this.config.timeSlice;
      return true;
    }
    return false;
  }

  /** Hardware assistance: the hypervisor sets up the vCPU's VMCS and enters the guest for the first time (VMLAUNCH). */
  private launch(vm: Vm): void {
    vm.vcpu.launched = true;
    if (!this.events || !this.handler.vmx) return;
    for (const st of this.handler.vmx.setup(vm)) this.record(vm, { kind: 'vmx', ...st });
    this.record(vm, { kind: 'vm-entry', instruction: this.handler.vmx.entry(true) });
  }

  private worldSwitch(from: Vm, to: Vm): void {
    this.meter.charge('worldSwitch');
    to.counters.worldSwitches++;
    if (this.events) this.record(to, { kind: 'world-switch', from: from.name, to: to.name });
    if (!this.config.taggedTlb) to.machine.flushTlb('world switch: the 2006 CPU has no tagged TLB');
  }

  steps(): number {
    let s = 0;
    for (const vm of this.guests) s += vm.machine.retired;
    return s;
  }

  now(): number {
    let t = this.meter.total();
    // The same meter as the total (cycles()): interpretation's adjusted one where the handler has it.
    for (const vm of this.guests) t += this.handler.meterTotal ? this.handler.meterTotal(vm) : vm.machine.meter.total();
    return t;
  }

  // ---- the machine's moments, as exit values ---------------------------------------------------------------

  system(m: Machine, ins: SystemInstruction): boolean {
    const e = this.slot('system');
    e.ins = ins;
    return this.dispatch(this.guests[m.vm], e as GuestExit);
  }

  delivering(m: Machine, vector: number, cause: DeliveryCause, returnPc: number): boolean {
    const e = this.slot('delivery');
    e.vector = vector;
    e.cause = cause;
    e.returnPc = returnPc;
    return this.dispatch(this.guests[m.vm], e as GuestExit);
  }

  timerFired(m: Machine): void {
    this.dispatch(this.guests[m.vm], TIMER);
  }

  tlbMiss(m: Machine, page: number, pte: number, access: Access): void {
    // Post-copy: the first touch of a page not yet on host B is a network fault (migration/live.ts).
    if (this.migration) this.migration.touched(this.guests[m.vm], m.paging ? (pte >>> 12) & 15 : page & 15, access);
    const e = this.slot('tlb-miss');
    e.page = page;
    e.pte = pte;
    e.access = access;
    this.dispatch(this.guests[m.vm], e as GuestExit);
  }

  watchedWrite(m: Machine, pa: number, size: number, va: number, value: number, far = pa): boolean {
    const vm = this.guests[m.vm];
    if (this.migration) {
      // Dirty logging (bit 1 of `watch`): logged and handled by the migration; only a page-table watch
      // (bit 0) goes on to the technique.
      this.migration.stored(vm, pa >>> PAGE_SHIFT);
      if (far >>> PAGE_SHIFT !== pa >>> PAGE_SHIFT) this.migration.stored(vm, far >>> PAGE_SHIFT);
      const at = m.watch[pa >>> PAGE_SHIFT] & 1 ? pa : m.watch[far >>> PAGE_SHIFT] & 1 ? far : -1;
      if (at < 0) return false;
      pa = at;
    }
    return this.dispatch(vm, this.watchedSlot(pa, size, va, value));
  }

  /**
   * Xen's return-to-guest path (x86_32 entry.S test_all_events): an event is pending and the vCPU's
   * evtchn_upcall_mask is clear, so Xen masks events and enters the guest's event callback through a
   * bounce frame. Reached between instructions, after the exit or hypercall that made it due.
   */
  upcall(m: Machine): void {
    const vm = this.guests[m.vm];
    const x = vm.vcpu.xen;
    if (!upcallDue(m, x)) return;
    const from = m.pc;
    if (!bounce(m, x, x.callback, m.pc, true)) {
      m.setState('crashed', 'Xen: the event upcall frame could not be written on the guest kernel stack (domain_crash)');
      return;
    }
    x.upcalls++;
    vm.counters.injected++;
    m.meter.charge('upcall');
    if (this.events)
      this.record(
        vm,
        {
          kind: 'inject',
          vector: 0,
          name: `event upcall to the callback at 0x${(x.callback >>> 0).toString(16)} (evtchn_upcall_mask ← 1)`,
        },
        from,
      );
  }

  stateChanged(m: Machine): void {
    this.dispatch(this.guests[m.vm], STOPPED);
  }

  observe(m: Machine, _name: string, ins: SystemInstruction): void {
    const e = this.slot('indirect-branch');
    e.ins = ins;
    this.dispatch(this.guests[m.vm], e as GuestExit);
  }

  /**
   * Handles one exit: asks the technique, then applies its outcome. Returns true when the hypervisor
   * completed the instruction itself (system exits). A retry (an EPT violation mapped) asks again,
   * as the guest re-executes the access after the VM entry.
   */
  private dispatch(vm: Vm, exit: GuestExit): boolean {
    this.depth++;
    try {
      return this.dispatchAgain(vm, exit);
    } finally {
      this.depth--;
    }
  }

  /** This depth's reusable exit (exits nest: a delivery while an instruction is emulated). */
  private slot(kind: GuestExit['kind']): ExitSlot {
    const e = (this.slots[this.depth] ??= exitSlot());
    e.kind = kind;
    return e;
  }

  private watchedSlot(pa: number, size: number, va: number | undefined, value: number | undefined): GuestExit {
    const e = this.slot('watched-write');
    e.pa = pa;
    e.size = size;
    e.va = va;
    e.value = value;
    return e as GuestExit;
  }

  private dispatchAgain(vm: Vm, exit: GuestExit): boolean {
    for (;;) {
      const o = this.handler.handle(vm, exit);
      const pc = vm.machine.pc;
      this.leave(vm, exit, o);
      const done = this.apply(vm, exit, o);
      if (this.events && this.handler.vmx && o.via.kind === 'vm-exit')
        for (const st of this.handler.vmx.writes(vm, exit, o, pc)) this.record(vm, { kind: 'vmx', ...st });
      // The guest resumes unless the vCPU blocked or the entry waits for the injection that follows.
      if (vm.vcpu.outside && !vm.vcpu.blocked && o.action.do !== 'inject-on-entry' && vm.machine.state === 'running') this.enter(vm);
      // The technique may have rewritten the watched pages (a shadow rebuild): a migration's protections stay.
      if (this.migration) this.migration.rearm(vm);
      if (o.action.do !== 'map-ept') return done;
    }
  }

  /**
   * The VM entry (VMRESUME). An event whose delivery the exit interrupted is re-injected first
   * (KVM's vmx_complete_interrupts queues it again; the entry delivers it): the machine then finishes
   * building the very frame it was building.
   */
  private enter(vm: Vm): void {
    vm.vcpu.outside = false;
    const vectoring = vm.vcpu.vectoring;
    if (vectoring) {
      vm.vcpu.vectoring = 0;
      const vector = vectoring & 0xff;
      vm.counters.injected++;
      vm.machine.meter.charge('inject');
      if (this.events) {
        const x = this.handler.vmx;
        if (x) this.record(vm, { kind: 'vmx', name: x.writeName, field: x.injectionField, value: vectoring });
        this.record(vm, { kind: 'inject', vector, name: vectorName(vector) });
      }
    }
    if (this.events)
      this.record(vm, this.handler.vmx ? { kind: 'vm-entry', instruction: this.handler.vmx.entry(false) } : { kind: 'vm-entry' });
  }

  /** How control left the guest: recorded, counted and charged. */
  private leave(vm: Vm, exit: GuestExit, o: Outcome): void {
    const via = o.via;
    const c = vm.counters;
    const m = vm.machine;
    switch (via.kind) {
      case 'none':
        return;
      case 'trap':
        c.traps++;
        m.meter.charge('trapRoundTrip');
        if (this.events) {
          const [cause, action] = this.handler.trapText?.(vm, exit, o) ?? [via.cause, o.action.do];
          this.record(vm, {
            kind: 'trap',
            cause,
            instruction: this.instructionAt(vm),
            realCpl: this.handler.realCpl(vm),
            virtualCpl: m.cpl,
            action,
          });
        }
        break;
      case 'vm-exit': {
        c.vmExits++;
        const [code, name] = this.handler.vmx?.exitCode(via.reason, exit, o) ?? [EXIT_REASONS[via.reason], via.reason];
        c.vmExitsByReason[name] = (c.vmExitsByReason[name] ?? 0) + 1;
        m.meter.charge('vmExitRoundTrip');
        vm.vcpu.outside = true;
        // An exit while the CPU delivers an event: the IDT-vectoring information says which (SDM §27.2.4).
        vm.vcpu.vectoring = m.inDelivery && this.handler.vmx ? this.handler.vmx.injection(m.deliveryVector, m.deliveryCause) : 0;
        this.keepExitInfo(vm, via.reason, exit, o.action);
        if (this.events) {
          const qualification = this.handler.qualification?.(vm, exit, o) ?? '';
          const handler = this.handler.exitHandler?.(via.reason);
          this.record(vm, {
            kind: 'vm-exit',
            reason: code,
            reasonName: name,
            qualification,
            ...(handler ? { handler } : {}),
          });
          if (this.handler.vmx)
            for (const st of this.handler.vmx.reads(vm, exit, o, vm.vcpu.vectoring)) this.record(vm, { kind: 'vmx', ...st });
        }
        if (!this.config.taggedTlb) m.flushTlb('VM exit: the 2006 CPU has no tagged TLB (no VPID)');
        break;
      }
      case 'hypercall':
        m.meter.charge('hypercallRoundTrip');
        break;
      case 'callout':
        m.meter.charge(via.cost);
        vm.callouts++;
        break;
      default:
        unreachable(via);
    }
    // Type 2: a timer interrupt that leaves the guest reaches the host OS first (two world switches).
    if (exit.kind === 'timer') this.viaHostOs(vm, 'host timer interrupt');
  }

  /** What the hypervisor does next. True when it completed a system instruction itself. */
  private apply(vm: Vm, exit: GuestExit, o: Outcome): boolean {
    const m = vm.machine;
    const a = o.action;
    const c = vm.counters;
    switch (a.do) {
      case 'resume':
        return false;
      case 'execute':
        if (a.charge) m.meter.charge(a.charge);
        if (a.software) m.meter.charge('interpretPerInstruction', a.software);
        return false;
      case 'emulate': {
        const ins = insOf(exit);
        this.emulated(vm, o.via, this.events ? (o.via.kind === 'callout' ? `callout: ${effectOf(m, ins)}` : effectOf(m, ins)) : '');
        if (this.paging === 'shadow') this.followPaging(vm, ins);
        this.lookupAfterCallout(vm, o.via, ins);
        return false;
      }
      case 'inline':
        m.meter.charge('inlineVirtual');
        return false;
      case 'device': {
        const ins = insOf(exit);
        const callout = o.via.kind === 'callout';
        this.emulated(vm, o.via, this.events ? (callout ? `call into the ${effectOf(m, ins)}` : effectOf(m, ins)) : '');
        // The device model runs inside the exit: in a type 2 hypervisor, in the host OS.
        const type2 = this.config.hypervisorType === 2;
        if (type2) this.hostOs(vm, 'I/O', true);
        const isIn = ins.name === 'IN';
        m.completeIo(isIn, ins.a, isIn ? ins.imm : ins.port, ins.src, ins.units);
        if (type2) this.hostOs(vm, 'I/O', false);
        this.lookupAfterCallout(vm, o.via, ins);
        return true;
      }
      case 'hypercall':
        this.hypercall(vm, a.number);
        return true;
      case 'refuse-hypercall':
        // KVM's kvm_emulate_hypercall: `if (kvm_x86_call(get_cpl)(vcpu) != 0) { ret = -KVM_EPERM; goto out; }`.
        m.r[0] = -1;
        completeDirect(m, insOf(exit));
        return true;
      case 'direct': {
        const ins = insOf(exit);
        const out = runDirectly(m, ins, { cpl: a.realCpl, interrupts: true, paging: true, idtr: HYPERVISOR_IDT });
        if (out === 'faulted') return true;
        if (out) {
          c.fidelityViolations++;
          if (vm.fidelity.length < 1000) vm.fidelity.push({ pc: m.pc >>> 0, ...out });
          if (this.events) this.record(vm, { kind: 'fidelity-violation', ...out });
        }
        completeDirect(m, ins);
        return true;
      }
      case 'raise':
        vm.vcpu.privilegeFault = true;
        m.raise(a.vector, 0);
        vm.vcpu.privilegeFault = false;
        return true;
      case 'reflect': {
        const v = (exit as { vector: number }).vector;
        c.reflected++;
        m.meter.charge(a.cost);
        if (this.events) this.record(vm, { kind: 'reflect', vector: v, name: vectorName(v) });
        return false;
      }
      case 'inject': {
        const v = (exit as { vector: number }).vector;
        vm.vcpu.blocked = false;
        vm.vcpu.windowArmed = false;
        c.injected++;
        m.meter.charge(a.cost);
        if (this.events) {
          const x = this.handler.vmx;
          if (x) {
            const cause = (exit as { cause?: DeliveryCause }).cause ?? 'exception';
            this.record(vm, { kind: 'vmx', name: x.writeName, field: x.injectionField, value: x.injection(v, cause) });
          }
          this.record(vm, { kind: 'inject', vector: v, name: vectorName(v) });
        }
        return false;
      }
      case 'deliver': {
        const e = exit as Extract<GuestExit, { kind: 'delivery' }>;
        m.meter.charge(a.charge);
        if (a.software) m.meter.charge('interpretPerInstruction', a.software);
        if (this.events)
          this.record(vm, { kind: 'interrupt', vector: e.vector, name: vectorName(e.vector), cause: e.cause, returnPc: e.returnPc >>> 0 });
        return false;
      }
      case 'pend':
        if (a.window) vm.vcpu.windowArmed = true;
        return false;
      case 'inject-on-entry':
        return false;
      case 'block': {
        const ins = insOf(exit);
        this.emulated(vm, o.via, this.events ? effectOf(m, ins) : '');
        vm.vcpu.blocked = true;
        return false;
      }
      case 'walk':
        m.meter.charge('memoryReference', a.refs);
        if (a.software) m.meter.charge('interpretPerInstruction', a.software);
        return false;
      case 'fill-shadow':
        m.meter.charge('memoryReference');
        fillShadow(this.recorder, vm, a.page);
        return false;
      case 'map-ept':
        vm.ept[a.frame] = 1;
        // Its own event: an EPT fill is not a shadow-table update (and shadowUpdates does not count it).
        if (this.events) this.record(vm, { kind: 'ept-update', frame: a.frame, hostFrame: vm.p2m[a.frame] });
        return false;
      case 'shadow-write': {
        const e = exit as Extract<GuestExit, { kind: 'watched-write' }>;
        const text = this.events ? this.instructionAt(vm) : '';
        const entry = shadowWrite(this.recorder, vm, e.pa, e.size);
        const callout = o.via.kind === 'callout';
        const what = !this.events ? '' : callout ? `callout (page-table store): ${shadowWriteWords(entry)}` : shadowWriteWords(entry);
        this.emulated(vm, o.via, what, text);
        if (callout) this.lookupNext(vm);
        if (a.retranslate && vm.tc) {
          // Adaptive translation: the store's block is dropped; it is translated again, with a callout for the store.
          const pc = this.peekPhys(m, m.pc);
          if (pc >= 0) this.dropBlocks(vm, vm.tc.retranslateStore(pc));
        }
        return false;
      }
      case 'invalidate-traced': {
        // A hidden fault: the guest never sees it (the store then completes as on bare metal).
        c.hiddenFaults++;
        m.meter.charge('hiddenFault');
        if (this.events) this.record(vm, { kind: 'hidden-fault', address: a.page << 12 });
        if (vm.tc) this.dropBlocks(vm, vm.tc.invalidatePage(a.page));
        return false;
      }
      case 'validate-pte':
        return this.validatePte(vm, exit as Extract<GuestExit, { kind: 'watched-write' }>, o.via);
      case 'bounce': {
        const e = exit as Extract<GuestExit, { kind: 'delivery' }>;
        return this.bounceTrap(vm, e);
      }
      case 'int80': {
        const e = exit as Extract<GuestExit, { kind: 'delivery' }>;
        const x = vm.vcpu.xen;
        m.meter.charge('exceptionDelivery');
        if (this.events)
          this.record(vm, { kind: 'interrupt', vector: e.vector, name: vectorName(e.vector), cause: e.cause, returnPc: e.returnPc >>> 0 });
        if (!bounce(m, x, x.traps[INT80], e.returnPc, false)) m.setState('crashed', 'the 0x80 frame could not be pushed');
        return true;
      }
      case 'virq':
        this.sendVirq(vm, a.virq);
        return false;
      case 'tc-lookup': {
        const e = exit as Extract<GuestExit, { kind: 'indirect-branch' }>;
        m.meter.charge('indirectBranch');
        const target = e.ins.name === 'RET' ? this.peekWord(m, m.r[7]) : m.r[e.ins.b];
        const tpa = target === undefined ? -1 : this.peekPhys(m, target);
        if (tpa >= 0 && vm.tc?.hasBlock(tpa)) {
          c.tcHits++;
          if (this.events) this.record(vm, { kind: 'tc-hit', block: target! >>> 0 });
        }
        return false;
      }
      case 'stop':
        return false;
      default:
        return unreachable(a);
    }
  }

  /** The hypervisor emulated an instruction on the vCPU: counted, charged (callouts pay their own way), recorded. */
  private emulated(vm: Vm, via: Via, effect: string, text?: string): void {
    vm.counters.emulated++;
    if (via.kind !== 'callout') vm.machine.meter.charge('emulate');
    if (this.events) this.record(vm, { kind: 'emulate', instruction: text ?? this.instructionAt(vm), effect });
  }

  /** Shadow paging follows the guest's paging: a CR0/CR3 write rebuilds the shadow, INVLPG drops an entry. */
  private followPaging(vm: Vm, ins: SystemInstruction): void {
    const m = vm.machine;
    if (ins.name === 'MOV TO CR' && ins.a !== 2) {
      const value = m.r[ins.b];
      rebuildShadow(this.recorder, vm, ins.a === 0 ? value : m.cr0, ins.a === 3 ? value : m.cr3);
    } else if (ins.name === 'INVLPG') {
      vm.shadow[(m.r[ins.a] >>> PAGE_SHIFT) & PAGE_INDEX_MASK] = 0; // INVLPG r: the register is in A
    }
  }

  /** Back from a callout, translated code resumes through a translation-cache lookup of the next block. */
  private lookupAfterCallout(vm: Vm, via: Via, ins: SystemInstruction): void {
    if (via.kind === 'callout' && ins.name !== 'IRET' && ins.name !== 'HLT') this.lookupNext(vm);
  }

  private lookupNext(vm: Vm): void {
    const m = vm.machine;
    if (m.state !== 'running') return; // powered off by the callout: no next block
    const next = this.peekPhys(m, (m.pc + 8) | 0);
    if (next >= 0 && vm.tc?.has(next)) {
      vm.counters.tcHits++;
      if (this.events) this.record(vm, { kind: 'tc-hit', block: (m.pc + 8) >>> 0 });
    }
  }

  /**
   * Serves a Xen hypercall (paravirtualization, or a hardware-assisted VMCALL exit) on the vCPU: one
   * crossing, counted once; a multicall's entries are counted under their own names too and charged
   * one `multicallEntry` each.
   */
  private hypercall(vm: Vm, n: number): void {
    const m = vm.machine;
    const pc = m.pc;
    const pv = this.handler.id === 'paravirtualization';
    const out = serveHypercall({ m, xen: vm.vcpu.xen, pv, words: this.events !== null }, n);
    const c = vm.counters;
    c.hypercalls++;
    c.hypercallsByName[out.name] = (c.hypercallsByName[out.name] ?? 0) + 1;
    for (const e of out.entries) c.hypercallsByName[e] = (c.hypercallsByName[e] ?? 0) + 1;
    if (out.entries.length) m.meter.charge('multicallEntry', out.entries.length);
    vm.vcpu.xen.multicallEntries += out.entries.length;
    if (out.yielded) this.sliceLeft = 0;
    if (this.paging === 'shadow') {
      if (out.pagingChanged) rebuildShadow(this.recorder, vm, m.cr0, m.cr3);
      for (const pa of out.ptesWritten) shadowWrite(this.recorder, vm, pa, 4);
    } else if (this.paging === 'direct' && out.pagingChanged) {
      this.watchPageTable(vm);
    }
    if (this.events) this.record(vm, { kind: 'hypercall', number: n, name: out.name, args: out.args, result: out.result }, pc);
    // Back to the guest through test_all_events: an event pending and now unmasked is delivered.
    if (pv && m.state === 'running' && upcallDue(m, vm.vcpu.xen)) m.eventPending = true;
  }

  /** Paravirtualization: frames typed as page tables are mapped read-only to the guest (direct stores trap). */
  private watchPageTable(vm: Vm): void {
    const m = vm.machine;
    const typed = vm.vcpu.xen.pageTable;
    for (let f = 0; f < 16; f++) m.watch[f] = typed[f];
  }

  /**
   * Xen's writable page tables (ptwr_emulated_update, xen/arch/x86/pv/ro-page-fault.c): a store to a
   * typed page-table frame faults into Xen, which validates the new entry as mmu_update would and
   * writes it, or, when it is refused, propagates the page fault to the guest. True: refused.
   */
  private validatePte(vm: Vm, e: Extract<GuestExit, { kind: 'watched-write' }>, via: Via): boolean {
    const m = vm.machine;
    const word = e.pa & ~3;
    let value = e.value ?? 0;
    if (e.size === 1) {
      const shift = 8 * (e.pa & 3);
      const old = m.mem[word] | (m.mem[word + 1] << 8) | (m.mem[word + 2] << 16) | (m.mem[word + 3] << 24);
      value = (old & ~(0xff << shift)) | ((value & 0xff) << shift);
    }
    const rc = checkPte(vm.vcpu.xen, value);
    const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;
    this.emulated(
      vm,
      via,
      !this.events
        ? ''
        : rc
          ? `entry ${hex(value)} at ${hex(word)} refused (${rc}): the #PF goes to the guest`
          : `page-table entry at ${hex(word)} ← ${hex(value)} validated and written`,
    );
    if (!rc) return false;
    m.cr2 = e.va ?? m.cr2;
    vm.vcpu.xen.inXen = true;
    m.raise(14, 0);
    vm.vcpu.xen.inXen = false;
    return true;
  }

  /**
   * Xen reflects a trap into the guest (do_guest_trap / pv_inject_event → create_bounce_frame): the
   * handler from the trap table set_trap_table copied, a bounce frame on the guest kernel stack,
   * events masked when the entry has TI_IF; a #PF's address goes into vcpu_info's arch.cr2. A vector
   * without a handler crashes the domain, as Xen does. A software INT n the entry's DPL does not
   * allow becomes the #GP Xen's IDT gate raised.
   */
  private bounceTrap(vm: Vm, e: Extract<GuestExit, { kind: 'delivery' }>): boolean {
    const m = vm.machine;
    const x = vm.vcpu.xen;
    let vector = e.vector;
    let returnPc = e.returnPc;
    if (e.cause === 'software' && (x.trapFlags[vector] & 3) < (m.cpl === 3 ? 3 : 1)) {
      // Xen's do_general_protection: `INT n` is forwarded only if permit_softint(DPL); else #GP at the INT.
      vector = 13;
      returnPc = (e.returnPc - 8) | 0;
    }
    const entry = x.traps[vector];
    if (!entry) {
      m.setState('crashed', `Xen: no trap handler registered for vector ${vector} (domain_crash)`);
      return true;
    }
    if (vector === 14 && x.vcpuInfo >= 0) {
      const p = x.vcpuInfo + VCPU_INFO.cr2;
      for (let i = 0; i < 4; i++) m.hostStore(p + i, (m.cr2 >>> (8 * i)) & 0xff);
    }
    x.bounces++;
    vm.counters.reflected++;
    m.meter.charge('bounceFrame');
    if (this.events) this.record(vm, { kind: 'reflect', vector, name: `${vectorName(vector)} (Xen bounce frame)` });
    if (!bounce(m, x, entry, returnPc, (x.trapFlags[vector] & TI_IF) !== 0))
      m.setState('crashed', 'Xen: the bounce frame could not be written on the guest kernel stack (domain_crash)');
    return true;
  }

  /**
   * Xen's timer interrupt for a PV vCPU: the one-shot set_timer_op timeout expired, so Xen sends
   * VIRQ_TIMER (send_timer_event → send_guest_vcpu_virq) on its event channel; the physical interrupt
   * never reaches the guest's IDT. A blocked vCPU wakes (vcpu_unblock) even when masked.
   */
  private sendVirq(vm: Vm, virq: number): void {
    const m = vm.machine;
    const x = vm.vcpu.xen;
    m.irqPending = false;
    if (m.timerPeriod === 0) m.timerNext = -1;
    x.timer = -1;
    const port = portOfVirq(x, virq);
    if (port) setPending(m, x, port);
    if (x.vcpuInfo >= 0 && m.mem[x.vcpuInfo + VCPU_INFO.pending]) m.waiting = false;
    if (upcallDue(m, x)) m.eventPending = true;
  }

  /** Type 2: the hypervisor goes through the host OS and back (two world switches). */
  private viaHostOs(vm: Vm, why: string): void {
    if (this.config.hypervisorType !== 2) return;
    this.hostOs(vm, why, true);
    this.hostOs(vm, why, false);
  }

  private hostOs(vm: Vm, why: string, there: boolean): void {
    if (there) this.meter.charge('hostOsRoundTrip');
    vm.counters.worldSwitches++;
    if (this.events)
      this.record(
        vm,
        there
          ? { kind: 'world-switch', from: 'hypervisor', to: `host OS (${why})` }
          : { kind: 'world-switch', from: 'host OS', to: 'hypervisor' },
      );
    // The host OS runs in its own address space: without tags (2006) loading it empties the TLB.
    if (there && !this.config.taggedTlb) vm.machine.flushTlb('world switch to the host OS: the 2006 CPU has no tagged TLB');
  }

  /** The VMCS exit-information fields, kept as numbers (worded only when inspected). */
  private keepExitInfo(vm: Vm, reason: LastExit['reason'], exit: GuestExit, action: Action): void {
    const m = vm.machine;
    const l = vm.lastExit;
    l.reason = reason;
    l.pc = m.pc >>> 0;
    const pa = this.peekPhys(m, m.pc);
    l.insLo = pa >= 0 && pa + 7 < MEMORY_SIZE ? m.mem[pa] | (m.mem[pa + 1] << 8) | (m.mem[pa + 2] << 16) | (m.mem[pa + 3] << 24) : 0;
    l.insHi = pa >= 0 && pa + 7 < MEMORY_SIZE ? m.mem[pa + 4] | (m.mem[pa + 5] << 8) | (m.mem[pa + 6] << 16) | (m.mem[pa + 7] << 24) : 0;
    l.cr2 = m.cr2;
    l.reg = exit.kind === 'system' ? m.r[(exit.ins.name === 'INVLPG' ? exit.ins.a : exit.ins.b) & 7] : 0;
    l.exit = keepExit((this.keptExits[vm.index] ??= exitSlot()), (this.keptIns[vm.index] ??= { ...NO_INSTRUCTION }), exit);
    l.action = action;
  }

  // ---- binary translation: each VM's translation cache ------------------------------------------------------

  decoded(m: Machine, pa: number, name: string, immediate: boolean): boolean {
    const vm = this.guests[m.vm];
    const tc = vm.tc;
    if (!tc || m.cpl !== 0) return false;
    if (!tc.has(pa)) {
      const block = tc.translate(m.mem, m.pc >>> 0, pa, (va) => this.peekPhys(m, va));
      if (block) this.translated(vm, block);
    }
    return isIndirect(name, immediate);
  }

  private translated(vm: Vm, block: Block): void {
    const out = block.instructions;
    vm.counters.translatedBlocks++;
    vm.machine.meter.charge('translatePerInstruction', out.length);
    if (this.events)
      this.record(vm, {
        kind: 'translate',
        block: block.pc,
        instructions: out.length,
        replaced: out.filter((x) => x.kind !== 'kept').length,
        code: out.map(({ original, kind, becomes }) => ({ original, kind, becomes })),
      });
  }

  /**
   * A store hit decoded code. Under binary translation, a byte of translated code lies on a traced page
   * (write-protected through the shadow table): the store is a trace fault, handed to the technique as
   * a write to a protected page; its blocks are dropped there (`invalidate-traced`).
   */
  codeWritten(m: Machine, pa: number): void {
    const vm = this.guests[m.vm];
    const tc = vm.tc;
    if (!tc?.covers(pa)) return;
    this.dispatch(vm, this.watchedSlot(pa, 1, undefined, undefined));
    // A technique that does not trace (none today) still must not run stale translations.
    if (tc.covers(pa)) this.dropBlocks(vm, tc.invalidate(pa));
  }

  /** Dropped blocks: their instructions must be decoded (translated) afresh. */
  private dropBlocks(vm: Vm, blocks: readonly Block[]): void {
    const m = vm.machine;
    for (const block of blocks) {
      m.xop.fill(-1, block.pa, block.pa + block.instructions.length * 8);
      if (this.events) this.record(vm, { kind: 'tc-invalidate', block: block.pc >>> 0 });
    }
  }

  // ---- recording ----------------------------------------------------------------------------------------------

  /** Records an event of someone else's (the migration's) under this monitor's clock, when someone listens. */
  note(vm: Vm, e: EventBody): void {
    this.record(vm, e);
  }

  /** Whether anyone listens to events (so that callers build them only then). */
  get listening(): boolean {
    return this.events !== null;
  }

  private record(vm: Vm, e: EventBody, pc = vm.machine.pc): void {
    if (!this.events) return;
    // Completing the caller's literal is much cheaper than spreading it into a new object.
    const ev = e as { vm?: number; pc?: number; time?: number };
    ev.vm = vm.index;
    ev.pc = pc >>> 0;
    ev.time = this.now();
    this.events.push(ev as TraceEvent);
  }

  /** The text of the instruction at the guest's PC, for events. */
  instructionAt(vm: Vm): string {
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
  peekPhys(m: Machine, va: number): number {
    const a = va >>> 0;
    if (a >= MEMORY_SIZE) return -1;
    if (!(m.cr0 & CR0_PG)) return a;
    const pa = (m.cr3 >>> 0) + (a >>> PAGE_SHIFT) * PTE_SIZE;
    if (pa + 3 >= MEMORY_SIZE) return -1;
    const pte = m.mem[pa] | (m.mem[pa + 1] << 8) | (m.mem[pa + 2] << 16) | (m.mem[pa + 3] << 24);
    return pte & PTE_P ? (pte & PTE_FRAME_MASK) | (a & PAGE_OFFSET_MASK) : -1;
  }

  private peekWord(m: Machine, va: number): number | undefined {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const p = this.peekPhys(m, (va + i) | 0);
      if (p < 0) return undefined;
      v |= m.mem[p] << (8 * i);
    }
    return v;
  }

  // ---- TechniqueRun --------------------------------------------------------------------------------------

  cycles() {
    const byCategory: Record<string, number> = {};
    let total = 0;
    const add = (meter: CycleMeter) => {
      total += meter.total();
      for (const [k, v] of Object.entries(meter.byCategory())) byCategory[k] = (byCategory[k] ?? 0) + v;
    };
    add(this.meter);
    for (const vm of this.guests) add(this.handler.adjustMeter?.(vm, vm.machine.meter) ?? vm.machine.meter);
    return { total, byCategory };
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
    const bp = new Uint8Array(MEMORY_SIZE);
    for (const a of addresses) if (a >= 0 && a < MEMORY_SIZE) bp[a] = 1;
    m.breakpoints = bp;
  }

  snapshot(): { machines: MachineSnapshot[]; state: MonitorState } {
    return {
      machines: this.guests.map((v) => snapshot(v.machine)),
      state: structuredClone({
        current: this.current,
        sliceLeft: this.sliceLeft,
        vms: this.guests.map((v) => ({
          counters: v.counters,
          fidelity: v.fidelity,
          shadow: v.shadow,
          shadowRoots: v.shadowRoots,
          ept: v.ept,
          vcpu: v.vcpu,
          lastExit: v.lastExit,
          callouts: v.callouts,
          tc: v.tc ? v.tc.save() : null,
          host: v.host,
          p2m: v.p2m,
        })),
        meter: { ...this.meter.counts },
      }),
    };
  }

  restore(s: unknown): void {
    const snap = s as { machines: MachineSnapshot[]; state: MonitorState };
    const st = structuredClone(snap.state);
    this.guests.forEach((vm, i) => {
      const v = st.vms[i];
      restore(vm.machine, snap.machines[i]);
      vm.counters = v.counters;
      vm.fidelity = v.fidelity;
      vm.shadowRoots = v.shadowRoots;
      // One clone keeps shared references: the current root's entries are `shadow` itself.
      vm.shadow = v.shadowRoots[0]?.filled ?? v.shadow;
      vm.ept = v.ept;
      vm.vcpu = v.vcpu;
      vm.lastExit = v.lastExit;
      vm.callouts = v.callouts;
      vm.host = v.host;
      (vm as { p2m: readonly number[] }).p2m = v.p2m;
      if (vm.tc && v.tc) {
        vm.tc.load(v.tc);
        // Decoded instructions must match the restored cache: decode everything afresh.
        vm.machine.xop.fill(-1);
      }
    });
    this.current = st.current;
    this.sliceLeft = st.sliceLeft;
    Object.assign(this.meter.counts, st.meter);
  }

  inspect(): Inspection {
    return {
      technique: this.handler.id,
      hypervisorType: this.config.hypervisorType,
      current: this.current,
      vms: this.guests.map((vm) => {
        const m = vm.machine;
        const pageTable = pageTableOf(m);
        const mapped = (page: number, filled: boolean): ShadowEntry => {
          const frame = pageTable ? pageTable[page].frame : page;
          return { page, hostFrame: filled ? vm.p2m[frame] : null };
        };
        const base: RealCpu = {
          cpl: this.handler.realCpl(vm),
          interruptsEnabled: true,
          mode: null,
          cr3: this.paging === 'shadow' ? `shadow table of ${vm.name}` : 'the guest page table',
          idtr: HYPERVISOR_IDT >>> 0,
        };
        const blocks: TranslatedBlockView[] | null = vm.tc
          ? [...vm.tc.blocks.values()].map((b) => ({ pc: b.pc, instructions: b.instructions }))
          : null;
        return {
          name: vm.name,
          layer: m.cpl === 0 ? 'guest-kernel' : 'guest-user',
          virtual: cpuView(m),
          real: this.handler.realState?.(vm, base) ?? base,
          // The TLB holds what the hardware walked: host frames under shadow and nested paging (tagged
          // with the VM's VPID where the preset has tags), guest frames in interpretation's software TLB.
          tlb: this.handler.realMmu
            ? tlbOf(m).map((t) => ({
                ...t,
                frame: vm.p2m[t.frame & 15],
                guestFrame: t.frame,
                ...(this.config.taggedTlb && this.handler.id === 'hardware-assisted' ? { tag: `VPID ${vm.index + 1}` } : {}),
              }))
            : tlbOf(m),
          pageTable,
          p2m: vm.p2m,
          host: vm.host,
          shadow: this.paging === 'shadow' ? Array.from({ length: PAGE_COUNT }, (_, p) => mapped(p, vm.shadow[p] === 1)) : null,
          ept:
            this.paging === 'nested'
              ? Array.from({ length: PAGE_COUNT }, (_, f) => ({ page: f, hostFrame: vm.ept[f] ? vm.p2m[f] : null }))
              : null,
          vmcs: this.handler.vmcs?.(vm) ?? null,
          blocks,
          hypercalls: vm.counters.hypercalls || this.handler.id === 'paravirtualization' ? { ...vm.counters.hypercallsByName } : null,
        };
      }),
    };
  }

  readMemory(vm: number, address: number, length: number): Uint8Array {
    return this.guests[vm]?.machine.mem.slice(address, address + length) ?? new Uint8Array(0);
  }
}

/** The instruction of a system exit (emulate, device and block only follow system exits). */
function insOf(exit: GuestExit): SystemInstruction {
  if (exit.kind !== 'system') throw new Error(`an instruction action needs a system exit, not ${exit.kind}`);
  return exit.ins;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
