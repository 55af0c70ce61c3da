// Live migration of one VM from host A to host B (virtualization.md, "Checkpoint, restore, clone and live
// migration"): pre-copy, post-copy and stop-and-copy, as a simulation driven by the engine's run loop.
//
// Followed:
// - Pre-copy: Clark et al., "Live Migration of Virtual Machines", NSDI 2005, and Xen's xc_domain_save
//   (tools/libxc): round 1 sends every page while the VM runs; each later round sends the pages dirtied
//   during the previous one; it stops after DEF_MAX_ITERS (29) rounds, when it has sent more than
//   DEF_MAX_FACTOR (3) times the VM's memory, or when few pages are dirty (Xen: fewer than 50 pages; scaled to
//   VX's 16-page VMs, a model value, `stopPages`), then stop-and-copy. `maxDowntime` stops as QEMU's
//   downtime-limit does: as soon as the pages left would cross within it.
// - Auto-converge: QEMU migration/ram.c (mig_throttle_guest_down): when the guest dirtied more than half of
//   what the link sent in a round (throttle-trigger-threshold 50) for the second time, the vCPU is throttled
//   to 20% (cpu-throttle-initial), then 10 points more each time (cpu-throttle-increment), at most 99%.
// - Post-copy: Hines and Gopalan, VEE 2009: the CPU state crosses first, the VM resumes on host B at once,
//   pages are pushed in the background, and a page touched before it arrives is a network fault.
// - Dirty logging, each as the technique's real system does it:
//   * shadow paging (trap-and-emulate, binary translation, hardware-assisted without EPT): the shadow entries
//     are write-protected (KVM's kvm_mmu_slot_remove_write_access / rmap write protection); the first store
//     to a page faults into the hypervisor, which marks the bitmap and makes the page writable again
//     (fast_page_fault, mark_page_dirty);
//   * nested paging: with the modern preset, Intel's Page-Modification Logging (KVM enables PML where the
//     CPU has it, vmx.c enable_pml): the CPU logs the page without an exit; with `dirtyLog: "write-protect"`
//     or on AMD (no PML in KVM's svm.c), EPT/NPT write protection: an EPT violation (NPF) exit per first store;
//   * paravirtualization: Xen's log-dirty mode (xen/arch/x86/mm/paging.c, paging_log_dirty_enable): the
//     guest runs on shadow tables in log-dirty mode; the first store to a page is a page fault into Xen
//     (sh_page_fault → paging_mark_dirty);
//   * interpretation: the software MMU sees every store and sets the bitmap itself (QEMU TCG's notdirty
//     write path): no fault.
//   VirtLab detects the stores through the machine's `watch` (bit 1): nothing is added to a store when no
//   migration runs.
import type { Access } from '../../machine/machine';
import type { TraceEvent } from '../../trace/events';
import type { Engine, RunResultJson, StopReason } from '../engine';
import type { MigrationHooks, Monitor } from '../monitor';
import { TranslationCache } from '../translation-cache';
import type { Vm } from '../vm';

export type MigrationMode = 'pre-copy' | 'post-copy' | 'stop-and-copy';
export const MIGRATION_MODES: readonly MigrationMode[] = ['pre-copy', 'post-copy', 'stop-and-copy'];

export interface MigrationSettings {
  readonly mode: MigrationMode;
  /** The VM that moves (default 0). */
  readonly vm: number;
  /** Guest instructions (all VMs) at which the migration starts. */
  readonly at: number;
  /** Pages per 1,000 host cycles (model value; default 1). */
  readonly bandwidth: number;
  /** Host cycles for a message to cross the link (model value; default 200). */
  readonly latency: number;
  /** Xen's DEF_MAX_ITERS (29). */
  readonly maxRounds: number;
  /** Xen's DEF_MAX_FACTOR (3): never send more than this many times the VM's memory. */
  readonly maxFactor: number;
  /** Stop when no more than this many pages are dirty (Xen's 50 pages, scaled to 16: model value 2). */
  readonly stopPages: number;
  /** QEMU's downtime-limit, in host cycles: stop as soon as the last pages would cross within it (0: off). */
  readonly maxDowntime: number;
  /** QEMU's auto-converge: throttle a guest that dirties memory faster than the link sends it. */
  readonly autoConverge: boolean;
  /** Nested paging only: Intel PML (default where the preset has it) or EPT write protection. */
  readonly dirtyLog: 'auto' | 'pml' | 'write-protect';
}

export const DEFAULT_MIGRATION: MigrationSettings = {
  mode: 'pre-copy',
  vm: 0,
  at: 0,
  bandwidth: 1,
  latency: 200,
  maxRounds: 29,
  maxFactor: 3,
  stopPages: 2,
  maxDowntime: 0,
  autoConverge: false,
  dirtyLog: 'auto',
};

export interface MigrationRound {
  round: number;
  pagesSent: number;
  pagesDirtied: number;
  cycles: number;
}

/** The `migration` object of `run --json` (interfaces.md), with a few fields added after the contract's. */
export interface MigrationReport {
  mode: MigrationMode;
  vm: number;
  from: string;
  to: string;
  rounds: MigrationRound[];
  pagesSent: number;
  networkFaults: number;
  totalCycles: number;
  downtimeCycles: number;
  converged: boolean;
  /** Added: the pages dirtied during the last live round (Clark et al.'s writable working set). */
  writableWorkingSet: number;
  /** Added: how dirty pages were logged, and how many logging faults (or hardware log entries) there were. */
  dirtyLogging: string;
  dirtyLogFaults: number;
  /** Added: why pre-copy stopped (Xen's rules), or the mode's own reason. */
  stopReason: string;
  /** Added: auto-converge's last throttle, percent of the vCPU taken away (0: none). */
  throttle: number;
  /** Added: the step at which the VM resumed on host B (-1: it never did). */
  resumedAt: number;
}

const PAGES = 16;
const HOST_A = 'host A';
const HOST_B = 'host B';

/** How the technique logs dirty pages: its words, and whether a store faults (and how it is charged). */
interface Logging {
  readonly how: string;
  readonly fault: 'trap' | 'vm-exit' | 'none';
  readonly exitName: string;
}

function loggingOf(monitor: Monitor, settings: MigrationSettings): Logging {
  const h = monitor.handler;
  const amd = monitor.config.vendor === 'amd';
  switch (h.id) {
    case 'interpret':
      return { how: 'the software MMU sets the dirty bitmap (QEMU TCG notdirty write)', fault: 'none', exitName: '' };
    case 'paravirtualization':
      return { how: "Xen log-dirty mode: a page fault into Xen's shadow code, paging_mark_dirty", fault: 'trap', exitName: '' };
    case 'hardware-assisted':
      if (monitor.paging === 'nested') {
        const pml = !amd && settings.dirtyLog !== 'write-protect' && monitor.config.preset === 'modern';
        if (pml) return { how: 'Intel PML: the CPU logs the page in the PML buffer, no exit', fault: 'none', exitName: '' };
        return amd
          ? { how: 'NPT write protection: an NPF exit, mark_page_dirty', fault: 'vm-exit', exitName: 'NPF' }
          : { how: 'EPT write protection: an EPT violation exit, mark_page_dirty', fault: 'vm-exit', exitName: 'EPT_VIOLATION' };
      }
      return {
        how: 'shadow entries write-protected: a #PF exit, mark_page_dirty',
        fault: 'vm-exit',
        exitName: amd ? 'EXCP_PF' : 'EXCEPTION',
      };
    default:
      return { how: 'shadow entries write-protected: a page fault into the hypervisor, mark_page_dirty', fault: 'trap', exitName: '' };
  }
}

/** Why a technique cannot be migrated, or null. */
export function refuseMigration(engine: Engine, vm: number): string | null {
  if (engine.technique === 'native') return 'bare metal has no hypervisor to migrate the machine: choose a virtualization technique';
  if (vm < 0 || vm >= engine.config.vms.length) return `there is no VM ${vm} to migrate`;
  return null;
}

/**
 * One live migration in progress: the destination's copy of the VM's memory, the dirty log, and the link.
 * It is the monitor's `migration` while it runs, and drives the engine itself (`run`).
 */
export class LiveMigration implements MigrationHooks {
  private readonly monitor: Monitor;
  private readonly vm: Vm;
  private readonly logging: Logging;
  /** Host B's copy of the VM's memory, built from the pages that crossed. */
  private readonly dest = new Uint8Array(0x10000);
  /** Pages logged dirty since the current round began. */
  private readonly dirty = new Uint8Array(PAGES);
  /** Post-copy: the pages host B has. */
  private readonly received = new Uint8Array(PAGES);
  private logOn = false;
  private postCopy = false;
  private readonly pageTime: number;
  private throttle = 0;
  private highRounds = 0;
  private linkCredit = 0;
  /** Host cycles per guest instruction of the last stretch (to run just as long as a page takes). */
  private cpi = 1;
  readonly report: MigrationReport;
  /** Pages whose copy on host B differed from host A's at the switch (must be 0: the dirty log missed none). */
  lostPages = 0;

  constructor(
    private readonly engine: Engine,
    readonly settings: MigrationSettings,
  ) {
    this.monitor = engine.run as unknown as Monitor;
    this.vm = this.monitor.guests[settings.vm];
    this.logging = loggingOf(this.monitor, settings);
    this.pageTime = 1000 / Math.max(settings.bandwidth, 1e-6);
    this.report = {
      mode: settings.mode,
      vm: settings.vm,
      from: HOST_A,
      to: HOST_B,
      rounds: [],
      pagesSent: 0,
      networkFaults: 0,
      totalCycles: 0,
      downtimeCycles: 0,
      converged: true,
      writableWorkingSet: 0,
      dirtyLogging: settings.mode === 'pre-copy' ? this.logging.how : 'none',
      dirtyLogFaults: 0,
      stopReason: '',
      throttle: 0,
      resumedAt: -1,
    };
  }

  // ---- the monitor's hooks ------------------------------------------------------------------------------

  stored(vm: Vm, page: number): void {
    if (vm !== this.vm) return;
    const m = vm.machine;
    if (this.postCopy) {
      this.touched(vm, page, 'write');
      return;
    }
    if (!this.logOn || !(m.watch[page] & 2)) return;
    m.watch[page] &= ~2;
    this.dirty[page] = 1;
    this.report.dirtyLogFaults++;
    const c = vm.counters;
    if (this.logging.fault === 'trap') {
      c.traps++;
      m.meter.charge('trapRoundTrip');
      m.meter.charge('dirtyLogFault');
    } else if (this.logging.fault === 'vm-exit') {
      c.vmExits++;
      c.vmExitsByReason[this.logging.exitName] = (c.vmExitsByReason[this.logging.exitName] ?? 0) + 1;
      m.meter.charge('vmExitRoundTrip');
      m.meter.charge('dirtyLogFault');
    } else m.meter.charge('dirtyLogHardware');
    if (this.monitor.listening) this.monitor.note(vm, { kind: 'dirty-log', page, how: this.logging.how });
  }

  /** Xen's log-dirty mode marks the pages Xen itself writes (paging_mark_dirty in the copy-to-guest paths). */
  hypervisorStored(vm: Vm, page: number): void {
    if (vm !== this.vm) return;
    if (this.postCopy) {
      this.touched(vm, page, 'write');
      return;
    }
    if (this.logOn) this.dirty[page] = 1;
  }

  touched(vm: Vm, frame: number, access: Access): void {
    if (vm !== this.vm || !this.postCopy) return;
    const m = vm.machine;
    // The walk read the guest's page table first: its page must be there too.
    if (m.paging) this.fetch((m.cr3 >>> 12) & 15, 'read');
    this.fetch(frame & 15, access);
  }

  rearm(vm: Vm): void {
    if (vm !== this.vm || !this.logOn) return;
    const w = vm.machine.watch;
    for (let p = 0; p < PAGES; p++) if (!this.dirty[p]) w[p] |= 2;
  }

  // ---- the migration ------------------------------------------------------------------------------------

  /** Runs the engine to `at`, migrates, and runs on to the end; the run's result with its `migration`. */
  run(): RunResultJson & { migration: MigrationReport } {
    const e = this.engine;
    while (e.run.steps() < this.settings.at) {
      const stop = e.advance(this.settings.at - e.run.steps());
      if (stop === 'breakpoint') e.resume();
      else if (stop) break;
    }
    const drive = this.drive();
    for (let r = drive.next(); !r.done; r = drive.next()) advanceThrough(e, r.value);
    e.runToEnd();
    return { ...e.result(), migration: this.report };
  }

  /**
   * The migration from the present moment: a generator that yields each stretch of guest instructions the
   * VM runs while the link sends (its caller runs exactly that many, through breakpoints, then resumes it),
   * so that the command line runs it at once and the page's worker in slices, alike.
   */
  *drive(): Generator<number, void, void> {
    const e = this.engine;
    this.monitor.migration = this;
    const start = this.monitor.now();
    const steps = e.run.steps();
    if (steps > 0 && start > 0) this.cpi = start / steps;
    if (this.settings.mode === 'pre-copy') yield* this.preCopy();
    else if (this.settings.mode === 'stop-and-copy') {
      this.report.stopReason = 'stop-and-copy alone: the VM pauses while all of its memory crosses';
      this.stopAndCopy(allPages());
    } else yield* this.postCopyRun();
    this.report.totalCycles = this.monitor.now() - start;
    this.monitor.migration = null;
    this.report.throttle = this.throttle;
    this.done = true;
  }

  /** Whether the migration has ended (the VM runs on host B, every page is there). */
  done = false;
  /** Per round, which pages crossed and which the guest dirtied meanwhile (the page's 16-page grids). */
  readonly roundPages: { readonly sent: number[]; readonly dirtied: number[]; readonly faulted: number[] }[] = [];

  private get vmRunning(): boolean {
    return this.vm.machine.state === 'running' && !this.engine.stopped;
  }

  /**
   * Lets the guest run while the link sends `pages` (in order), one per `pageTime` host cycles. Returns when
   * all are sent (or the VM stopped: the rest is sent at once).
   */
  private *sendWhileRunning(
    pages: number[],
    send: (page: number) => void,
    skip?: (page: number) => boolean,
  ): Generator<number, void, void> {
    let i = 0;
    while (i < pages.length) {
      // Post-copy: a page that a network fault brought over meanwhile is not pushed again.
      if (skip?.(pages[i])) {
        i++;
        continue;
      }
      if (!this.vmRunning) {
        for (; i < pages.length; i++) send(pages[i]);
        return;
      }
      while (this.linkCredit >= this.pageTime && i < pages.length) {
        if (skip?.(pages[i])) {
          i++;
          continue;
        }
        this.linkCredit -= this.pageTime;
        send(pages[i++]);
      }
      if (i >= pages.length) {
        // What is left is time the link stood idle within the last stretch: it does not carry over.
        this.linkCredit = 0;
        return;
      }
      const before = this.monitor.now();
      const steps = this.engine.run.steps();
      // As many guest instructions as the next page takes to cross, at the cycles per instruction seen so far.
      // A throttled vCPU runs only (100 − throttle)% of the time: its instructions take that much longer.
      const cpi = (this.cpi * 100) / (100 - this.throttle);
      yield Math.max(1, Math.ceil((this.pageTime - this.linkCredit) / cpi));
      let spent = this.monitor.now() - before;
      const ran = this.engine.run.steps() - steps;
      if (ran > 0 && spent > 0) this.cpi = spent / ran;
      if (this.throttle > 0 && spent > 0) {
        // Auto-converge: the vCPU sleeps throttle% of the time (QEMU's cpu_throttle_thread); the link goes on.
        const sleep = Math.round((spent * this.throttle) / (100 - this.throttle));
        this.monitor.meter.charge('linkWait', sleep);
        spent += sleep;
      }
      this.linkCredit += Math.max(spent, 1);
    }
  }

  private sendPage(page: number): void {
    const m = this.vm.machine;
    this.dest.set(m.mem.subarray(page << 12, (page + 1) << 12), page << 12);
    this.report.pagesSent++;
    this.monitor.meter.charge('pageSend');
  }

  private *preCopy(): Generator<number, void, void> {
    const m = this.vm.machine;
    this.logOn = true;
    this.dirty.fill(0);
    this.rearm(this.vm);
    let toSend = allPages();
    for (let round = 1; ; round++) {
      const begin = this.monitor.now();
      let sent = 0;
      const sentPages: number[] = [];
      yield* this.sendWhileRunning(toSend, (p) => {
        this.sendPage(p);
        sentPages.push(p);
        sent++;
      });
      const dirtied = listOf(this.dirty);
      this.roundPages.push({ sent: sentPages, dirtied, faulted: [] });
      this.report.rounds.push({ round, pagesSent: sent, pagesDirtied: dirtied.length, cycles: this.monitor.now() - begin });
      if (this.monitor.listening)
        this.monitor.note(this.vm, {
          kind: 'migrate-round',
          round,
          pages: sent,
          pagesSent: sent,
          pagesDirtied: dirtied.length,
          cycles: this.monitor.now() - begin,
        });
      this.report.writableWorkingSet = dirtied.length;
      const why = this.stopRule(round, dirtied.length);
      if (why || !this.vmRunning) {
        this.report.stopReason = why ?? 'the VM stopped during the migration';
        this.report.converged = why !== null && !why.startsWith('rounds') && !why.startsWith('sent');
        this.logOn = false;
        for (let p = 0; p < PAGES; p++) m.watch[p] &= 1;
        this.stopAndCopy(dirtied);
        return;
      }
      this.autoConverge(dirtied.length, sent);
      // Xen's peek-and-clean of the log-dirty bitmap: the pages to send next, logging re-armed on them.
      this.dirty.fill(0);
      this.rearm(this.vm);
      toSend = dirtied;
    }
  }

  /** Xen's rules (xc_domain_save) and QEMU's downtime limit: why pre-copy stops now, or null to go on. */
  private stopRule(round: number, dirty: number): string | null {
    const s = this.settings;
    if (dirty <= s.stopPages) return `few pages dirty: ${dirty} ≤ ${s.stopPages}`;
    if (s.maxDowntime > 0 && this.downtimeFor(dirty) <= s.maxDowntime)
      return `the last ${dirty} pages cross within the maximum downtime (${s.maxDowntime} cycles)`;
    if (round >= s.maxRounds) return `rounds limit: ${s.maxRounds} rounds (Xen's DEF_MAX_ITERS)`;
    if (this.report.pagesSent >= s.maxFactor * PAGES)
      return `sent ${this.report.pagesSent} pages, ${s.maxFactor}× the VM's memory (Xen's DEF_MAX_FACTOR)`;
    return null;
  }

  /** Host cycles the VM stays paused to send `pages` pages and its CPU and device state. */
  private downtimeFor(pages: number): number {
    return Math.ceil(this.settings.latency + (pages + 1) * this.pageTime);
  }

  /** QEMU's mig_throttle_guest_down: dirtying more than half of what was sent, twice, throttles the vCPU. */
  private autoConverge(dirtied: number, sent: number): void {
    if (!this.settings.autoConverge) return;
    if (dirtied * 100 > sent * 50) {
      this.highRounds++;
      if (this.highRounds >= 2) {
        this.throttle = this.throttle === 0 ? 20 : Math.min(99, this.throttle + 10);
        this.highRounds = 0;
      }
    }
  }

  /** The VM pauses; the last pages and the CPU state cross; it resumes on host B. */
  private stopAndCopy(pages: readonly number[]): void {
    const paused = this.monitor.now();
    for (const p of pages) this.sendPage(p);
    this.roundPages.push({ sent: [...pages], dirtied: [], faulted: [] });
    // The VM stays paused while the source copies the pages out and the link carries them and the CPU state.
    this.monitor.meter.charge('linkWait', this.downtimeFor(pages.length));
    const downtime = this.monitor.now() - paused;
    this.report.downtimeCycles = downtime;
    if (this.monitor.listening) this.monitor.note(this.vm, { kind: 'stop-and-copy', pages: pages.length, reason: this.report.stopReason });
    this.switchHosts(true);
    if (this.monitor.listening) this.monitor.note(this.vm, { kind: 'migrate-resume', host: HOST_B, downtime });
  }

  /**
   * The VM is now on host B: its memory is what crossed (checked against host A's), the new host's TLB is
   * empty, and host B's hypervisor rebuilds its shadow tables, EPT and translation cache as the guest runs
   * (KVM and Xen migrate none of them; they are caches of the guest's state).
   */
  private switchHosts(loadDestination: boolean): void {
    const vm = this.vm;
    const m = vm.machine;
    if (loadDestination) {
      for (let p = 0; p < PAGES; p++) {
        const a = m.mem.subarray(p << 12, (p + 1) << 12);
        const b = this.dest.subarray(p << 12, (p + 1) << 12);
        if (!equal(a, b)) {
          this.lostPages++;
          for (let i = 0; i < 4096; i++) if (a[i] !== b[i]) m.storeByte((p << 12) + i, b[i]);
        }
      }
    }
    this.report.resumedAt = this.engine.run.steps();
    vm.host = 'host B';
    // Host B's hypervisor gives the VM frames of its own, filled as deterministically and as scattered as
    // host A's (vm.ts), by another permutation (×5 rather than ×7; both odd, so both are permutations of 16).
    (vm as { p2m: readonly number[] }).p2m = Array.from(
      { length: PAGES },
      (_, g) => 16 * (vm.index + 1) + ((g * 5 + 3 * vm.index + 9) & 15),
    );
    m.flushTlb('the VM resumed on host B: a new CPU, an empty TLB');
    vm.shadow.fill(0);
    vm.ept.fill(0);
    if (vm.tc) {
      vm.tc = new TranslationCache();
      m.xop.fill(-1);
    }
  }

  private *postCopyRun(): Generator<number, void, void> {
    // Hines & Gopalan: the CPU state crosses first and the VM resumes on host B at once.
    const downtime = this.downtimeFor(0);
    this.monitor.meter.charge('linkWait', downtime);
    this.report.downtimeCycles = downtime;
    this.report.stopReason = 'post-copy: the CPU state crossed first; pages follow, pushed or faulted';
    if (this.monitor.listening) this.monitor.note(this.vm, { kind: 'stop-and-copy', pages: 0, reason: this.report.stopReason });
    this.postCopy = true;
    this.received.fill(0);
    // Every store reaches the hypervisor until its page has arrived (a write to a missing page faults too).
    for (let p = 0; p < PAGES; p++) this.vm.machine.watch[p] |= 2;
    this.switchHosts(false);
    if (this.monitor.listening) this.monitor.note(this.vm, { kind: 'migrate-resume', host: HOST_B, downtime });
    // The background push (pre-paging), in page order; pages already faulted in are skipped.
    const begin = this.monitor.now();
    yield* this.sendWhileRunning(
      allPages(),
      (p) => this.push(p),
      (p) => this.received[p] === 1,
    );
    for (let p = 0; p < PAGES; p++) this.push(p);
    this.roundPages.push({ sent: this.pushed, dirtied: [], faulted: this.faulted });
    this.report.rounds.push({ round: 1, pagesSent: this.report.pagesSent, pagesDirtied: 0, cycles: this.monitor.now() - begin });
    for (let p = 0; p < PAGES; p++) this.vm.machine.watch[p] &= 1;
    this.postCopy = false;
  }

  /** The background push sends a page host B lacks. */
  private readonly pushed: number[] = [];
  private readonly faulted: number[] = [];

  private push(page: number): void {
    if (this.received[page]) return;
    this.received[page] = 1;
    this.pushed.push(page);
    this.vm.machine.watch[page] &= 1;
    this.report.pagesSent++;
    this.monitor.meter.charge('pageSend');
  }

  /** A page touched on host B: a network fault to host A unless it arrived already. */
  private fetch(page: number, access: Access): void {
    if (this.received[page]) return;
    this.received[page] = 1;
    this.faulted.push(page);
    this.vm.machine.watch[page] &= 1;
    this.report.pagesSent++;
    this.report.networkFaults++;
    const m = this.vm.machine;
    m.meter.charge('networkFault');
    // The vCPU waits for the request to reach host A and the page to come back.
    m.meter.charge('linkWait', Math.ceil(2 * this.settings.latency + this.pageTime));
    this.monitor.meter.charge('pageSend');
    if (this.monitor.listening) this.monitor.note(this.vm, { kind: 'network-fault', page, access });
  }
}

function allPages(): number[] {
  return Array.from({ length: PAGES }, (_, p) => p);
}

function listOf(bits: Uint8Array, value = 1): number[] {
  const out: number[] = [];
  for (let p = 0; p < bits.length; p++) if (bits[p] === value) out.push(p);
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Runs exactly `n` more guest instructions (fewer if the run stops), passing breakpoints. */
export function advanceThrough(engine: Engine, n: number): StopReason | undefined {
  const goal = engine.run.steps() + n;
  while (engine.run.steps() < goal) {
    const stop = engine.advance(goal - engine.run.steps());
    if (stop === 'breakpoint') engine.resume();
    else if (stop) return stop;
  }
  return undefined;
}

/** Runs a prepared engine with a live migration; the run object of `run --json` with its `migration`. */
export function runMigrated(engine: Engine, settings: MigrationSettings): RunResultJson & { migration: MigrationReport } {
  return new LiveMigration(engine, settings).run();
}

export type { TraceEvent };
