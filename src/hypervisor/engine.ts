// The engine: a scenario in, a run out. It assembles every VM, resolves defaults and options, picks
// the technique, drives it by budgets up to the step limit, and reports the JSON of interfaces.md.
// The CLI, the worker and the tests all go through here.
import { type AssembleResult, assemble, type Diagnostic } from '../isa/assembler';
import type { Variant } from '../isa/table';
import type { Scenario } from '../scenario/scenario';
import { addCounters, type Counters, type EventSink, emptyCounters, type TraceEvent } from '../trace/events';
import { PRESETS, type PresetId, resolveCosts } from './costs';
import { type RunConfig, type RunStopReason, TECHNIQUE_IDS, type TechniqueId, type TechniqueRun, type VmView } from './technique';
import { TECHNIQUES } from './techniques';

export interface RunOptions {
  technique?: TechniqueId;
  isa?: Variant;
  preset?: PresetId;
  paging?: 'auto' | 'shadow' | 'nested';
  vendor?: 'intel' | 'amd';
  maxSteps?: number;
  trace?: boolean;
}

export type StopReason = 'all-stopped' | 'step-limit' | 'breakpoint' | 'error';

export interface VmAssembly {
  readonly vm: number;
  readonly name: string;
  readonly result: AssembleResult;
}

export type Prepared =
  | { kind: 'ready'; engine: Engine }
  | { kind: 'assembly-errors'; errors: { vm: number; name: string; diagnostics: readonly Diagnostic[] }[] }
  | { kind: 'refused'; technique: TechniqueId; reason: string }
  | { kind: 'invalid'; errors: string[] };

export interface RunResultJson {
  technique: TechniqueId;
  isa: Variant;
  preset: PresetId;
  paging: string;
  stop: { reason: StopReason };
  vms: VmView[];
  counters: Counters;
  cycles: { total: number; byCategory: Record<string, number> };
  events?: TraceEvent[];
}

/** Resolves a scenario plus options into a ready engine, or says exactly why not. */
export function prepare(scenario: Scenario, options: RunOptions = {}): Prepared {
  const technique = options.technique ?? scenario.technique;
  const isa = options.isa ?? scenario.isa;
  const preset = options.preset ?? scenario.preset;
  const paging = options.paging ?? scenario.hypervisor.paging;
  const maxSteps = options.maxSteps ?? scenario.maxSteps;
  const { costs, errors } = resolveCosts(preset, scenario.costs);
  if (errors.length) return { kind: 'invalid', errors };

  const assemblies: VmAssembly[] = scenario.vms.map((vm, i) => ({ vm: i, name: vm.name, result: assemble(vm.source) }));
  const failed = assemblies.filter((a) => !a.result.ok);
  if (failed.length) {
    return { kind: 'assembly-errors', errors: failed.map((a) => ({ vm: a.vm, name: a.name, diagnostics: a.result.diagnostics })) };
  }
  const config: RunConfig = {
    isa,
    preset,
    costs,
    taggedTlb: PRESETS[preset].taggedTlb,
    nestedPagingAvailable: PRESETS[preset].nestedPaging,
    paging,
    hypervisorType: scenario.hypervisor.type,
    vendor: options.vendor ?? scenario.hypervisor.vendor ?? 'intel',
    exits: scenario.hypervisor.exits as RunConfig['exits'],
    timeSlice: scenario.hypervisor.timeSlice,
    vms: assemblies.map((a) => ({ name: a.name, image: a.result.image })),
  };
  const impl = TECHNIQUES[technique];
  if (!impl) return { kind: 'refused', technique, reason: `the ${technique} technique is not built yet` };
  const reason = impl.refuse(config);
  if (reason) return { kind: 'refused', technique, reason };
  const engine = new Engine(technique, config, impl.create(config), maxSteps, assemblies);
  const trace = options.trace ?? false;
  if (trace) engine.recordEvents(true);
  for (const bp of scenario.breakpoints) engine.addBreakpointLine(bp.vm, bp.line);
  engine.applyBreakpoints();
  return { kind: 'ready', engine };
}

/** The engine's own record of events, by index: a replay after a seek writes the same events again. */
class EventLog {
  readonly events: TraceEvent[] = [];
}

/** A moment the run can be put back to exactly: the technique's snapshot and the engine's own state. */
interface Checkpoint {
  readonly steps: number;
  readonly snapshot: unknown;
  readonly stop: StopReason | undefined;
  /** How many events had been emitted (the log is cut back to this on a seek). */
  readonly events: number;
}

/** Checkpoints start this far apart (guest instructions) and spread out as the run grows. */
const CHECKPOINT_INTERVAL = 200_000;
const MAX_CHECKPOINTS = 1000;

export class Engine {
  private stopReason: StopReason | undefined;
  private log: EventLog | null = null;
  private readonly breakpointLines = new Map<number, Set<number>>();
  /** Events emitted so far; each is stamped with its step on its way to the sink. */
  private emitted = 0;
  private readonly checkpoints: Checkpoint[] = [];
  private interval = CHECKPOINT_INTERVAL;

  constructor(
    readonly technique: TechniqueId,
    readonly config: RunConfig,
    readonly run: TechniqueRun,
    readonly maxSteps: number,
    readonly assemblies: readonly VmAssembly[],
  ) {}

  /** Records events (and `instruction` events when `instructions`) into an in-memory log. */
  recordEvents(instructions: boolean): void {
    const log = new EventLog();
    this.log = log;
    this.attach({ push: (e) => (log.events[this.emitted - 1] = e) }, instructions);
  }

  setEventSink(sink: EventSink | null, instructions: boolean): void {
    this.log = null;
    this.attach(sink, instructions);
  }

  private attach(sink: EventSink | null, instructions: boolean): void {
    const run = this.run;
    const stamped: EventSink | null = sink && {
      push: (e: TraceEvent) => {
        e.step = run.steps();
        this.emitted++;
        sink.push(e);
      },
    };
    run.setEvents(stamped, instructions);
  }

  /** Events emitted since the run began (the index the next one will have). */
  get eventCount(): number {
    return this.emitted;
  }

  /** The recorded events up to the present moment (after a seek back, the later ones are kept aside). */
  get events(): readonly TraceEvent[] {
    return this.log ? this.log.events.slice(0, this.emitted) : [];
  }

  addBreakpointLine(vm: number, line: number): void {
    const set = this.breakpointLines.get(vm) ?? new Set<number>();
    set.add(line);
    this.breakpointLines.set(vm, set);
  }

  clearBreakpoints(): void {
    this.breakpointLines.clear();
  }

  /** Turns breakpoint lines into addresses through each VM's source map. */
  applyBreakpoints(): void {
    for (let vm = 0; vm < this.assemblies.length; vm++) {
      const lines = this.breakpointLines.get(vm) ?? new Set<number>();
      const addresses = this.assemblies[vm].result.sourceMap.filter((e) => lines.has(e.line)).map((e) => e.address);
      this.run.setBreakpoints(vm, addresses);
    }
  }

  /**
   * Runs at most `budget` more instructions without passing the step limit, taking checkpoints on
   * the way so that any earlier moment can be reached again (see `seek`).
   */
  advance(budget: number): StopReason | undefined {
    let left = budget;
    for (;;) {
      this.checkpoint();
      const steps = this.run.steps();
      const after = this.checkpoints[this.checkpointBefore(steps) + 1];
      const next =
        Math.min(this.checkpoints[this.checkpointBefore(steps)].steps + this.interval, after ? after.steps : Number.POSITIVE_INFINITY) -
        steps;
      const n = Math.min(left, Math.max(1, next));
      const stop = this.advanceRaw(n);
      left -= n;
      if (stop || left <= 0) return stop;
    }
  }

  /** Takes a checkpoint when the last one is a whole interval behind (or there is none). */
  private checkpoint(): void {
    if (this.holdCheckpoints) return;
    const steps = this.run.steps();
    const i = this.checkpointBefore(steps);
    const last = this.checkpoints[i];
    // Checkpoints ahead of a seek back stay valid (the run is deterministic): only gaps are filled.
    if (last && (steps - last.steps < this.interval || this.checkpoints[i + 1]?.steps === steps)) return;
    this.checkpoints.splice(i + 1, 0, { steps, snapshot: this.run.snapshot(), stop: this.stopReason, events: this.emitted });
    if (this.checkpoints.length > MAX_CHECKPOINTS) {
      // Keep every other one (the first always stays): twice the interval, half the memory.
      const kept = this.checkpoints.filter((_, i) => i % 2 === 0);
      this.checkpoints.length = 0;
      this.checkpoints.push(...kept);
      this.interval *= 2;
    }
  }

  /**
   * Puts the whole run at the moment `target` guest instructions had retired, exactly: from the last
   * checkpoint at or before it, replaying deterministically. Returns the number of events that had
   * been emitted by then (the caller's event list is cut to that length, then the replay's events
   * are appended to it through the sink as usual).
   */
  seek(target: number, fromCheckpoint = false): number {
    const goal = Math.max(0, Math.min(Math.floor(target), this.maxSteps));
    const c = this.checkpoints[this.checkpointBefore(goal)];
    // Back in time, or forwards past a checkpoint already taken: restore it (a jump); else run on.
    // `fromCheckpoint`: restore it even at the present step (what happened since is to be undone).
    if (c && (fromCheckpoint || goal < this.run.steps() || c.steps > this.run.steps())) {
      this.run.restore(c.snapshot);
      this.stopReason = c.stop;
      this.emitted = c.events;
    }
    const from = this.emitted;
    while (this.run.steps() < goal) {
      const stop = this.advance(goal - this.run.steps());
      if (stop === 'breakpoint') this.resume();
      else if (stop) break;
    }
    return from;
  }

  /** The index of the last checkpoint taken at or before `steps` (the first is at step 0). */
  private checkpointBefore(steps: number): number {
    let lo = 0;
    let hi = this.checkpoints.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.checkpoints[mid].steps <= steps) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * No seek checkpoints while set: a live migration in progress holds state the run's snapshot does not
   * (the copy on host B, the dirty log, the link), so a seek into it replays from where it began
   * (migration/planned-run.ts).
   */
  holdCheckpoints = false;

  /**
   * Forgets the seek checkpoints taken after `steps` (and so the future they saved): something the page did
   * at this moment (a checkpoint taken, a VM restored) makes the run's future another one.
   */
  forgetAfter(steps: number): void {
    const i = this.checkpointBefore(steps);
    this.checkpoints.length = Math.max(1, i + 1);
  }

  /** Takes a seek checkpoint now, whatever the interval (not while held): the moment before a planned action. */
  checkpointHere(): void {
    if (this.holdCheckpoints) return;
    const steps = this.run.steps();
    const i = this.checkpointBefore(steps);
    if (this.checkpoints[i]?.steps === steps) return;
    this.checkpoints.splice(this.checkpoints.length ? i + 1 : 0, 0, {
      steps,
      snapshot: this.run.snapshot(),
      stop: this.stopReason,
      events: this.emitted,
    });
  }

  /** The step of the last seek checkpoint at or before `steps` (0 when there is none). */
  checkpointStepBefore(steps: number): number {
    return this.checkpoints[this.checkpointBefore(steps)]?.steps ?? 0;
  }

  /** Checkpoint spacing, in guest instructions (before the run starts; tests use short ones). */
  set checkpointInterval(n: number) {
    this.interval = Math.max(1, Math.floor(n));
  }

  /** The steps at which checkpoints were taken (for tests and the timeline). */
  get checkpointSteps(): number[] {
    return this.checkpoints.map((c) => c.steps);
  }

  private advanceRaw(budget: number): StopReason | undefined {
    if (this.stopReason && this.stopReason !== 'breakpoint') return this.stopReason;
    const left = this.maxSteps - this.run.steps();
    if (left <= 0) return (this.stopReason = 'step-limit');
    let stop: RunStopReason;
    try {
      stop = this.run.run(Math.min(budget, left));
    } catch (e) {
      // An engine bug must never take the page or the CLI down with a stack trace.
      this.internalError = String((e as Error)?.message ?? e);
      return (this.stopReason = 'error');
    }
    if (stop === 'all-stopped') this.stopReason = 'all-stopped';
    else if (stop === 'breakpoint') this.stopReason = 'breakpoint';
    else if (this.run.steps() >= this.maxSteps) this.stopReason = 'step-limit';
    else this.stopReason = undefined;
    return this.stopReason;
  }

  internalError: string | undefined;

  /** Runs to the end: every VM stopped, the step limit, a breakpoint or an error. */
  runToEnd(): StopReason {
    for (;;) {
      const s = this.advance(1_000_000);
      if (s) return s;
    }
  }

  get stopped(): StopReason | undefined {
    return this.stopReason;
  }

  /**
   * A VM was put back to a checkpoint (hypervisor/migration): whatever stop the run had reached is gone, and
   * it may run again.
   */
  checkpointRestored(): void {
    this.stopReason = undefined;
  }

  /** Clears a breakpoint stop so that the run can continue past it. */
  resume(): void {
    if (this.stopReason === 'breakpoint') this.stopReason = undefined;
  }

  result(): RunResultJson {
    const vms = this.run.vms();
    const counters = vms.reduce((acc, v) => addCounters(acc, v.counters), emptyCounters());
    const cycles = this.run.cycles();
    return {
      technique: this.technique,
      isa: this.config.isa,
      preset: this.config.preset,
      paging: this.run.paging,
      stop: { reason: this.stopReason ?? 'step-limit' },
      vms,
      counters,
      cycles: { total: cycles.total, byCategory: cycles.byCategory as Record<string, number> },
      ...(this.log ? { events: this.log.events } : {}),
    };
  }
}

export type CompareEntry = RunResultJson | { technique: TechniqueId; skipped: string };

/**
 * Runs one scenario under every technique, in the order of interfaces.md; a technique that cannot run
 * it is listed with the reason. Assembly errors or an invalid scenario are returned as such.
 */
export function compareTechniques(
  scenario: Scenario,
  options: RunOptions = {},
): { kind: 'results'; results: CompareEntry[] } | Exclude<Prepared, { kind: 'ready' | 'refused' }> {
  const results: CompareEntry[] = [];
  for (const technique of TECHNIQUE_IDS) {
    const p = prepare(scenario, { ...options, technique });
    if (p.kind === 'refused') {
      results.push({ technique, skipped: p.reason });
      continue;
    }
    if (p.kind !== 'ready') return p;
    p.engine.runToEnd();
    results.push(p.engine.result());
  }
  return { kind: 'results', results };
}
