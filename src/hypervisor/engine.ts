// The engine: a scenario in, a run out. It assembles every VM, resolves defaults and options, picks
// the technique, drives it by budgets up to the step limit, and reports the JSON of interfaces.md.
// The CLI, the worker and the tests all go through here.
import { type AssembleResult, assemble, type Diagnostic } from '../isa/assembler';
import type { Variant } from '../isa/table';
import type { Scenario } from '../scenario/scenario';
import { addCounters, type Counters, type EventSink, emptyCounters, type TraceEvent } from '../trace/events';
import { PRESETS, type PresetId, resolveCosts } from './costs';
import type { RunConfig, RunStopReason, TechniqueId, TechniqueRun, VmView } from './technique';
import { TECHNIQUES } from './techniques';

export interface RunOptions {
  technique?: TechniqueId;
  isa?: Variant;
  preset?: PresetId;
  paging?: 'auto' | 'shadow' | 'nested';
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

class EventLog implements EventSink {
  readonly events: TraceEvent[] = [];
  push(e: TraceEvent): void {
    this.events.push(e);
  }
}

export class Engine {
  private stopReason: StopReason | undefined;
  private log: EventLog | null = null;
  private readonly breakpointLines = new Map<number, Set<number>>();

  constructor(
    readonly technique: TechniqueId,
    readonly config: RunConfig,
    readonly run: TechniqueRun,
    readonly maxSteps: number,
    readonly assemblies: readonly VmAssembly[],
  ) {}

  /** Records events (and `instruction` events when `instructions`) into an in-memory log. */
  recordEvents(instructions: boolean): void {
    this.log = new EventLog();
    this.run.setEvents(this.log, instructions);
  }

  setEventSink(sink: EventSink | null, instructions: boolean): void {
    this.log = null;
    this.run.setEvents(sink, instructions);
  }

  get events(): readonly TraceEvent[] {
    return this.log?.events ?? [];
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

  /** Runs at most `budget` more instructions without passing the step limit. */
  advance(budget: number): StopReason | undefined {
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
