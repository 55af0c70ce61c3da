// The VX machine of isa.md: registers, memory, the MMU and its TLB, interrupts and exceptions,
// devices and deterministic time. Bare metal: it knows nothing about hypervisors. Execution lives in
// interpreter.ts; this file is the state and the rules every instruction shares.

import {
  CPUID_BARE_METAL,
  CR0_PG,
  INSTRUCTION_SIZE,
  MEMORY_SIZE,
  PAGE_COUNT,
  PAGE_INDEX_MASK,
  PAGE_OFFSET_MASK,
  PAGE_SHIFT,
  PORTS,
  PTE_FLAGS,
  PTE_FRAME_MASK,
  PTE_P,
  PTE_SIZE,
  PTE_U,
  PTE_W,
  TLB_ENTRIES,
  VECTOR_NAMES,
  VECTORS,
} from '../isa/constants';
import type { InstructionName, Variant } from '../isa/table';
import { type CostTable, CycleMeter, PRESETS } from '../trace/costs';
import type { EventSink, TraceEvent, VmState } from '../trace/events';
import { DEFINED, IF } from './alu';
import { ConsoleBuffer } from './console';
import type { DeliveryCause, SystemInstruction } from './host-data';

const CHUNK_SHIFT = 10; // snapshot granularity (1 KiB)
const CHUNK = 1 << CHUNK_SHIFT;
const CODE_CHUNK_SHIFT = 8; // self-modifying-code granularity (256 bytes)

export type Access = 'read' | 'write' | 'fetch';

/**
 * What a machine tells the software beneath it (host.ts): natively nothing is beneath (host = null); under
 * a hypervisor the technique implements this and sees every moment where the real system would trap, exit
 * or charge something.
 */
export interface Host {
  /** The time of the whole run (host cycles), so that the machine's own events share one clock. */
  now(): number;
  /**
   * A system instruction (privileged or sensitive, INT, VMCALL) passed the CPU's own privilege check
   * and is about to run. Return true when the host ran it (or raised its fault) itself.
   */
  system(m: Machine, ins: SystemInstruction): boolean;
  /**
   * The CPU delivers vector v into the guest now (the frame is built right after). Return true when the
   * host delivered it itself (Xen's bounce frame): the CPU then builds no frame.
   */
  delivering(m: Machine, vector: number, cause: DeliveryCause, returnPc: number): boolean | undefined;
  /** The timer fired: an external interrupt reached the CPU. */
  timerFired(m: Machine): void;
  /** A TLB miss on a virtual page, about to be filled with `pte` (identity when guest paging is off). */
  tlbMiss(m: Machine, page: number, pte: number, access: Access): void;
  /**
   * A store into a watched guest-physical page (a guest page table under shadow paging, or a page a
   * migration logs dirty); `va` and `value` are the store's, `far` its last byte when that lies on another
   * page. Return true when the host refused it (and delivered a fault): nothing is stored.
   */
  watchedWrite(m: Machine, pa: number, size: number, va: number, value: number, far?: number): boolean | undefined;
  /** `eventPending` was set: the host delivers its event now, between instructions (Xen's upcall). */
  upcall?(m: Machine): void;
  /** The machine stopped: halted, powered off or crashed. */
  stateChanged(m: Machine, reason?: string): void;
  /**
   * An instruction at physical address pa was decoded for the first time (binary translation uses
   * this to translate the block it starts). Return true to have the host `observe` every execution.
   */
  decoded?(m: Machine, pa: number, name: InstructionName, immediate: boolean): boolean;
  /** An instruction the host asked to observe is about to run (after the privilege check). */
  observe?(m: Machine, name: InstructionName, ins: SystemInstruction): void;
  /** A store hit decoded code at pa (self-modifying code): its decoded form has been dropped. */
  codeWritten?(m: Machine, pa: number): void;
}

/** Why `run` returned. */
/** Why a run stopped; 'blocked': HLT with IF = 1 under a hypervisor that runs another VM meanwhile. */
export type RunStop = 'budget' | 'halted' | 'powered-off' | 'crashed' | 'breakpoint' | 'blocked';

export interface MachineOptions {
  readonly variant?: Variant;
  readonly costs?: CostTable;
  readonly vm?: number;
}

export class Machine {
  readonly variant: Variant;
  readonly strict: boolean;
  readonly vm: number;
  /** R0–R7, and index 8: always 0 (the "no base register" of a memory operand). */
  readonly r = new Int32Array(9);
  pc = 0;
  flags = 0;
  cpl = 0;
  cr0 = 0;
  cr2 = 0;
  cr3 = 0;
  idtr = 0;
  ksp = 0;

  state: VmState = 'running';
  crashReason = '';
  exitCode = 0;
  /** HLT with IF = 1: waiting for the next interrupt. */
  waiting = false;
  /** What CPUID reports in R1 when this machine executes it: bare metal's features, or its VM's virtual CPU. */
  cpuidFeatures: number = CPUID_BARE_METAL;
  /** STI with IF = 0 just ran: no interrupt is taken before the next instruction completes (x86's STI shadow). */
  stiShadow = false;

  readonly mem = new Uint8Array(MEMORY_SIZE);
  ticks = 0;
  timerPeriod = 0;
  /** Tick at which the timer fires next, or -1 when it is stopped. */
  timerNext = -1;
  irqPending = false;
  /** The host has an event to deliver at the next instruction boundary (it asked; see Host.upcall). */
  eventPending = false;
  readonly consoleOut = new ConsoleBuffer();

  /** TLB: virtual page → (frame base | P/W/U bits), or -1; the 8 slots in round-robin order. */
  readonly tlbMap = new Int32Array(PAGE_COUNT).fill(-1);
  readonly tlbSlots = new Int32Array(TLB_ENTRIES).fill(-1);
  tlbNext = 0;

  /**
   * Pre-decoded instructions by physical address: exec code and registers packed (decoded.ts), -1 not
   * decoded, exec code 0 undefined (#UD).
   */
  readonly xop = new Int32Array(MEMORY_SIZE).fill(-1);
  readonly dImm = new Int32Array(MEMORY_SIZE);
  /** OUT's port (its immediate holds the value). */
  readonly dPort = new Uint16Array(MEMORY_SIZE);
  readonly codeChunks = new Uint8Array(MEMORY_SIZE >> CODE_CHUNK_SHIFT);

  /** Snapshot bookkeeping: chunks written since the last snapshot or restore, and the chunks they came from. */
  readonly dirty = new Uint8Array(MEMORY_SIZE / CHUNK);
  base: readonly Uint8Array[] | null = null;

  retired = 0;
  interrupts = 0;
  exceptions = 0;
  ioCount = 0;
  tlbMisses = 0;
  readonly meter: CycleMeter;

  events: EventSink | null = null;
  /** Emit an `instruction` event for every instruction (slow: tracing only). */
  trace = false;
  /** Breakpoints by PC (virtual address), or null. */
  breakpoints: Uint8Array | null = null;
  /** The hypervisor beneath this machine, or null on bare metal. */
  host: Host | null = null;
  /** HLT with IF = 1 returns from `run` ('blocked') instead of waiting: the hypervisor runs another VM meanwhile. */
  yieldWhenWaiting = false;
  /** Under a hypervisor the real MMU is always on (shadow or nested paging), even with guest paging off. */
  alwaysTranslate = false;
  /**
   * Guest-physical pages whose stores the host wants to see: bit 0 (1) a write-protected page table, bit 1 (2)
   * a page write-protected for a migration's dirty logging (hypervisor/migration).
   */
  readonly watch = new Uint8Array(PAGE_COUNT);

  constructor(opts: MachineOptions = {}) {
    this.variant = opts.variant ?? 'classic';
    this.strict = this.variant === 'strict';
    this.vm = opts.vm ?? 0;
    this.meter = new CycleMeter(opts.costs ?? PRESETS.modern.costs);
    this.r[7] = MEMORY_SIZE;
  }

  loadImage(image: Uint8Array): void {
    this.mem.set(image.subarray(0, this.mem.length), 0);
    this.xop.fill(-1);
    this.codeChunks.fill(0);
    this.dirty.fill(1);
  }

  // ---- time, events -------------------------------------------------------------------------------

  now(): number {
    return this.host ? this.host.now() : this.meter.total();
  }

  emit(e: TraceEvent): void {
    this.events?.push(e);
  }

  /** The base fields of an event happening now. */
  at(): { vm: number; pc: number; time: number } {
    return { vm: this.vm, pc: this.pc >>> 0, time: this.now() };
  }

  setState(state: VmState, reason?: string): void {
    this.state = state;
    if (state === 'crashed') this.crashReason = reason ?? 'crashed';
    this.host?.stateChanged(this, reason);
    this.emit({
      ...this.at(),
      kind: 'vm-state',
      state,
      ...(reason ? { reason } : {}),
      ...(state === 'powered-off' ? { exitCode: this.exitCode } : {}),
    });
  }

  /** One retired instruction of `units` base cost: one tick of the clock. */
  retire(units: number): void {
    this.retired++;
    this.meter.counts.instruction += units;
    this.tick(1);
  }

  tick(n: number): void {
    this.ticks += n;
    if (this.timerNext >= 0 && this.ticks >= this.timerNext) {
      this.irqPending = true;
      this.timerNext += this.timerPeriod;
      this.host?.timerFired(this);
    }
  }

  // ---- MMU ----------------------------------------------------------------------------------------

  get paging(): boolean {
    return (this.cr0 & CR0_PG) !== 0;
  }

  flushTlb(why: string): void {
    this.tlbMap.fill(-1);
    this.tlbSlots.fill(-1);
    this.tlbNext = 0;
    if (this.events) this.emit({ vm: this.vm, pc: this.pc >>> 0, time: this.now(), kind: 'tlb-flush', scope: 'all', why });
  }

  invalidatePage(va: number, why = 'INVLPG'): void {
    const page = (va >>> PAGE_SHIFT) & PAGE_INDEX_MASK;
    if (this.tlbMap[page] >= 0) {
      this.tlbMap[page] = -1;
      for (let i = 0; i < TLB_ENTRIES; i++) if (this.tlbSlots[i] === page) this.tlbSlots[i] = -1;
    }
    if (this.events) this.emit({ vm: this.vm, pc: this.pc >>> 0, time: this.now(), kind: 'tlb-flush', scope: 'page', page, why });
  }

  /**
   * Walks the page table for a TLB miss: the PTE, or 0 (not present) when it lies outside memory.
   * With guest paging off (under a hypervisor) the guest-physical page maps to itself.
   */
  walk(page: number, access: Access): number {
    this.tlbMisses++;
    let pte: number;
    if (!(this.cr0 & CR0_PG)) pte = (page << PAGE_SHIFT) | PTE_P | PTE_W | PTE_U;
    else {
      const a = (this.cr3 >>> 0) + page * PTE_SIZE;
      pte = a + 3 >= this.mem.length ? 0 : this.mem[a] | (this.mem[a + 1] << 8) | (this.mem[a + 2] << 16) | (this.mem[a + 3] << 24);
    }
    if (this.host) this.host.tlbMiss(this, page, pte, access);
    else this.meter.counts.memoryReference++;
    return pte;
  }

  /**
   * Translates `va` for an access at privilege `cpl`: the physical address, or -1 after raising the
   * fault (#GP beyond 64 KiB, #PF with CR2 ← va) so that the caller just returns.
   */
  phys(va: number, access: Access, cpl: number): number {
    const a = va >>> 0;
    if (a >= MEMORY_SIZE) {
      this.raise(VECTORS.GP, 0);
      return -1;
    }
    if (!(this.cr0 & CR0_PG) && !this.alwaysTranslate) return a;
    const page = a >>> PAGE_SHIFT;
    let e = this.tlbMap[page];
    if (e < 0) {
      const pte = this.walk(page, access);
      if (!(pte & PTE_P)) {
        this.pageFault(a);
        return -1;
      }
      e = (pte & PTE_FRAME_MASK) | (pte & PTE_FLAGS);
      const old = this.tlbSlots[this.tlbNext];
      if (old >= 0) this.tlbMap[old] = -1;
      this.tlbSlots[this.tlbNext] = page;
      this.tlbNext = (this.tlbNext + 1) % TLB_ENTRIES;
      this.tlbMap[page] = e;
    }
    if (cpl === 3 && (!(e & PTE_U) || (access === 'write' && !(e & PTE_W)))) {
      this.pageFault(a);
      return -1;
    }
    return (e & PTE_FRAME_MASK) | (a & PAGE_OFFSET_MASK);
  }

  private pageFault(va: number): void {
    if (!this.inDelivery) this.cr2 = va | 0;
    this.raise(VECTORS.PF, 0);
  }

  /** Reads `size` bytes (1 or 4) at va; undefined after a fault. */
  read(va: number, size: 1 | 4, access: Access = 'read', cpl = this.cpl): number | undefined {
    const p0 = this.phys(va, access, cpl);
    if (p0 < 0) return undefined;
    if (size === 1) return this.mem[p0];
    const p3 = this.phys((va + 3) | 0, access, cpl);
    if (p3 < 0) return undefined;
    if (p3 === p0 + 3) return this.mem[p0] | (this.mem[p0 + 1] << 8) | (this.mem[p0 + 2] << 16) | (this.mem[p0 + 3] << 24);
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const p = this.phys((va + i) | 0, access, cpl);
      if (p < 0) return undefined;
      v |= this.mem[p] << (8 * i);
    }
    return v;
  }

  /** Writes `size` bytes at va; false after a fault (and then nothing was written). */
  write(va: number, value: number, size: 1 | 4, cpl = this.cpl): boolean {
    // The bytes' physical addresses in locals, not an array: stores are on every technique's hot path.
    const p0 = this.phys(va | 0, 'write', cpl);
    if (p0 < 0) return false;
    if (size === 1) {
      if (this.host && this.watch[p0 >>> PAGE_SHIFT] && this.host.watchedWrite(this, p0, 1, va, value, p0) === true) return false;
      this.storeByte(p0, value & 0xff);
      return true;
    }
    const p1 = this.phys((va + 1) | 0, 'write', cpl);
    if (p1 < 0) return false;
    const p2 = this.phys((va + 2) | 0, 'write', cpl);
    if (p2 < 0) return false;
    const p3 = this.phys((va + 3) | 0, 'write', cpl);
    if (p3 < 0) return false;
    if (this.host && (this.watch[p0 >>> PAGE_SHIFT] || this.watch[p3 >>> PAGE_SHIFT])) {
      const at = this.watch[p0 >>> PAGE_SHIFT] ? p0 : p3;
      if (this.host.watchedWrite(this, at, size, va, value, p3) === true) return false;
    }
    this.storeByte(p0, value & 0xff);
    this.storeByte(p1, (value >>> 8) & 0xff);
    this.storeByte(p2, (value >>> 16) & 0xff);
    this.storeByte(p3, (value >>> 24) & 0xff);
    return true;
  }

  storeByte(pa: number, v: number): void {
    this.mem[pa] = v;
    this.dirty[pa >> CHUNK_SHIFT] = 1;
    if (this.codeChunks[pa >> CODE_CHUNK_SHIFT]) this.invalidateCode(pa);
  }

  /** Called for each byte the hypervisor stores into guest memory (`hostStore`), or null. */
  hostStoreHook: ((pa: number) => void) | null = null;

  /** A byte the hypervisor (not the guest's code) stores into guest memory: a migration's dirty log sees it. */
  hostStore(pa: number, v: number): void {
    this.storeByte(pa, v);
    this.hostStoreHook?.(pa);
  }

  /** Self-modifying code: forget decoded instructions overlapping the byte at pa. */
  invalidateCode(pa: number): void {
    for (let a = Math.max(0, pa - (INSTRUCTION_SIZE - 1)); a <= pa; a++) this.xop[a] = -1;
    this.host?.codeWritten?.(this, pa);
  }

  // ---- interrupts and exceptions -------------------------------------------------------------------

  /** A fault of the current instruction: the return address is the instruction itself. */
  raise(vector: number, _code: number): void {
    // A fault while delivering is not delivered: deliver() sees the failed access and triple-faults.
    if (this.inDelivery) return;
    this.exceptions++;
    this.deliver(vector, this.pc, 'exception');
  }

  /** True while deliver() reads the IDT and pushes the frame. */
  inDelivery = false;
  /** The vector being delivered while `inDelivery` (what IDT-vectoring information reports). */
  deliveryVector = 0;
  deliveryCause: 'exception' | 'timer' | 'software' = 'exception';

  /**
   * Delivers vector v exactly as isa.md says. Returns false when the machine triple-faulted
   * (handler 0, or the delivery itself faulted).
   */
  deliver(vector: number, returnPc: number, cause: 'exception' | 'timer' | 'software'): boolean {
    this.interrupts++;
    if (this.host) {
      if (this.host.delivering(this, vector, cause, returnPc) === true) return this.state === 'running';
    } else this.meter.counts.exceptionDelivery++;
    if (this.events && !this.host) {
      this.emit({
        ...this.at(),
        kind: 'interrupt',
        vector,
        name: VECTOR_NAMES[vector] ?? `INT ${vector}`,
        cause,
        returnPc: returnPc >>> 0,
      });
    }
    // A fault while reading the IDT or building the frame is not delivered: it is a triple fault.
    this.deliveryVector = vector;
    this.deliveryCause = cause;
    this.inDelivery = true;
    const handler = this.read((this.idtr + 4 * vector) | 0, 4, 'read', 0);
    if (handler === undefined) {
      this.inDelivery = false;
      return this.deliveryFailed(vector, 'the IDT entry could not be read');
    }
    if (handler === 0) {
      this.inDelivery = false;
      return this.deliveryFailed(vector, `no handler for vector ${vector} (IDT entry is 0)`);
    }
    const oldSp = this.r[7];
    const oldCpl = this.cpl;
    const oldFlags = this.flags;
    const sp = oldCpl > 0 ? this.ksp : oldSp;
    // The frame, pushed in isa.md's order: old SP, old CPL, old FLAGS, the return PC (no array per push).
    if (
      !this.write((sp - 4) | 0, oldSp, 4, 0) ||
      !this.write((sp - 8) | 0, oldCpl, 4, 0) ||
      !this.write((sp - 12) | 0, oldFlags, 4, 0) ||
      !this.write((sp - 16) | 0, returnPc, 4, 0)
    ) {
      this.inDelivery = false;
      return this.deliveryFailed(vector, 'the interrupt frame could not be pushed');
    }
    this.inDelivery = false;
    this.r[7] = (sp - 16) | 0;
    this.cpl = 0;
    this.flags &= ~IF;
    this.pc = handler;
    return true;
  }

  /** Why the delivery that led to #DF failed, for the triple fault's reason. */
  private doubleFaultCause = '';

  /**
   * Delivery of `vector` failed (isa.md, x86's rule): the CPU delivers #DF instead, an abort whose
   * return address is the instruction that was running; if delivering #DF fails too, a triple fault.
   */
  private deliveryFailed(vector: number, why: string): boolean {
    if (vector === 8) return this.tripleFault(8, this.doubleFaultCause ? `${this.doubleFaultCause}; then #DF: ${why}` : why);
    this.doubleFaultCause = `delivering vector ${vector}: ${why}`;
    this.exceptions++;
    const ok = this.deliver(8, this.pc, 'exception');
    this.doubleFaultCause = '';
    return ok;
  }

  tripleFault(vector: number, why: string): false {
    if (this.state === 'running') this.setState('crashed', `triple-fault: ${why} (vector ${vector})`);
    return false;
  }

  /** Takes a pending timer interrupt if IF allows; returns true when one was delivered. */
  takeInterrupt(): boolean {
    if (!this.irqPending || !(this.flags & IF)) return false;
    this.irqPending = false;
    this.waiting = false;
    this.deliver(VECTORS.TIMER, this.pc, 'timer');
    return true;
  }

  /**
   * IRET's pops: PC, FLAGS, CPL, SP, read with `cpl`'s rights and committed only when all four could
   * be read. False after a fault (then nothing changed).
   */
  popInterruptFrame(cpl = this.cpl): boolean {
    const sp = this.r[7];
    const pc = this.read(sp | 0, 4, 'read', cpl);
    if (pc === undefined) return false;
    const flags = this.read((sp + 4) | 0, 4, 'read', cpl);
    if (flags === undefined) return false;
    const frameCpl = this.read((sp + 8) | 0, 4, 'read', cpl);
    if (frameCpl === undefined) return false;
    const frameSp = this.read((sp + 12) | 0, 4, 'read', cpl);
    if (frameSp === undefined) return false;
    this.pc = pc;
    this.flags = flags & DEFINED;
    this.cpl = frameCpl & 3;
    this.r[7] = frameSp;
    return true;
  }

  // ---- devices ------------------------------------------------------------------------------------

  /** A whole IN or OUT: the port access, the PC moving on, retirement, and power-off for OUT 0xF4. */
  completeIo(isIn: boolean, reg: number, port: number, value: number, units: number): void {
    if (isIn) this.r[reg] = this.portIn(port);
    else this.portOut(port, value);
    this.pc = (this.pc + INSTRUCTION_SIZE) | 0;
    this.retire(units);
    if (!isIn && port === PORTS.POWER_OFF) this.setState('powered-off');
  }

  portIn(port: number): number {
    this.ioCount++;
    let v: number;
    switch (port) {
      case PORTS.CONSOLE:
      case PORTS.POWER_OFF:
        v = 0;
        break;
      case PORTS.TIMER_PERIOD:
        v = this.timerPeriod | 0;
        break;
      case PORTS.TIMER_TICKS:
        v = this.ticks | 0;
        break;
      default:
        v = -1;
    }
    if (this.events) this.emit({ vm: this.vm, pc: this.pc >>> 0, time: this.now(), kind: 'io', port, value: v >>> 0, direction: 'in' });
    return v;
  }

  /** OUT; `ticksAfter` is the tick count once this instruction retires (the timer starts from there). */
  portOut(port: number, value: number): void {
    this.ioCount++;
    // Events are built as literals: spreading a base object into each one is many times slower.
    if (this.events)
      this.emit({ vm: this.vm, pc: this.pc >>> 0, time: this.now(), kind: 'io', port, value: value >>> 0, direction: 'out' });
    switch (port) {
      case PORTS.CONSOLE: {
        const text = String.fromCharCode(value & 0xff);
        this.consoleOut.append(text);
        if (this.events) this.emit({ vm: this.vm, pc: this.pc >>> 0, time: this.now(), kind: 'console', text });
        break;
      }
      case PORTS.TIMER_PERIOD:
        this.timerPeriod = value >>> 0;
        this.timerNext = this.timerPeriod === 0 ? -1 : this.ticks + 1 + this.timerPeriod;
        break;
      case PORTS.POWER_OFF:
        this.exitCode = value | 0;
        break;
    }
  }

  // ---- inspection ---------------------------------------------------------------------------------

  /** Everything the guest printed (the last MAX_CONSOLE characters). */
  get console(): string {
    return this.consoleOut.text();
  }
}

/** Re-exported for the code that has always taken them from here; defined in ../isa/constants. */
export { CHUNK, CHUNK_SHIFT, CODE_CHUNK_SHIFT, CR0_PG, PTE_P, PTE_U, PTE_W };
