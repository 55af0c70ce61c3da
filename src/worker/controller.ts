// The run controller: the run / pause / step state machine between the page's messages and the engine
// (Firecracker's vcpu loop in spirit: a small state machine, one switch over the typed messages).
//
// It never blocks for long: the engine runs in slices of about `sliceMs` of wall time, each made of
// chunks whose instruction budget adapts to the technique's speed, and between slices it yields to the
// host (`schedule`) so that a `pause` waiting in the message queue is answered promptly even when the
// guest is a tight infinite loop. Display updates (status, snapshot, event batches) go out at most once
// per `frameMs` while running, and at every change of state; never per instruction.
//
// Below full speed a run is paced: a timer gives it `speed` instructions a second, one at a time at
// lecture speeds, so that each one shows. Time travel: a seek back is the engine's exact `seek`
// (checkpoints and replay), immediate; a seek forward runs there in slices like a step.
//
// It is a plain class with its host injected, so it runs the same inside the worker and in Vitest.
import { compareTechniques, type Engine, type Prepared, prepare, type RunOptions, type StopReason } from '../hypervisor/engine';
import {
  COMPARE_MAX_STEPS,
  CONSOLE_TAIL,
  type DisplaySnapshot,
  EVENT_WINDOW_LIMIT,
  EXPORT_EVENT_LIMIT,
  HYPERVISOR_EVENT_KINDS,
  type Inspection,
  type LoadOptions,
  MAX_STEP_COUNT,
  type MemoryView,
  type PageMessage,
  type RunState,
  type RunStatus,
  type Speed,
  type WorkerMessage,
} from '../protocol/messages';
import { type Scenario, validateScenario } from '../scenario/scenario';
import type { EventSink, TraceEvent } from '../trace/events';
import { eventsToCsv, eventsToJson } from '../trace/export';
import { EventLog, isEventFilter } from './event-log';
import { EventStream } from './event-stream';

export interface ControllerHost {
  post(message: WorkerMessage): void;
  /** Milliseconds, monotonic. */
  now(): number;
  /** Runs `task` soon, after any message already waiting (a MessageChannel tick in the worker). */
  schedule(task: () => void): void;
  /** Runs `task` after `ms` milliseconds (setTimeout); returns a function that cancels it. */
  after(ms: number, task: () => void): () => void;
}

export interface ControllerTiming {
  /** Wall time the engine may run before yielding to the message queue. */
  readonly sliceMs: number;
  /** Least time between two display updates while running (one frame). */
  readonly frameMs: number;
}

export const DEFAULT_TIMING: ControllerTiming = { sliceMs: 16, frameMs: 16 };

/** Chunk sizes (guest instructions per `advance`): adapted so that one chunk takes about 1–4 ms. */
const FIRST_CHUNK = 4096;
const MIN_CHUNK = 16;
const MAX_CHUNK = 1 << 22;
/** Bytes of guest memory a snapshot carries, centred on the PC or the chosen address. */
const MEMORY_WINDOW = 256;
/** Events one display update carries at most (the newest). */
const STREAM_LIMIT = 256;
/** Translated blocks a snapshot carries at most (the most recent ones, and the PC's). */
const BLOCKS_SHOWN = 64;

/** What a run in slices is for: it decides the pace and where it ends. */
type Mode = 'run' | 'step' | 'to-event' | 'seek';

export class RunController {
  private engine: Engine | null = null;
  private loaded: { scenario: Scenario; options: LoadOptions } | null = null;
  private state: RunState = 'idle';
  private stop: StopReason | null = null;
  private mode: Mode = 'run';
  /** Instructions left before the current run pauses by itself (a `step`); Infinity for `run`. */
  private remaining = Number.POSITIVE_INFINITY;
  private chunk = FIRST_CHUNK;
  private sliceScheduled = false;
  private lastFlush = Number.NEGATIVE_INFINITY;
  /** The state the page was last told. */
  private posted: RunState = 'idle';
  /** The page keeps the newest few hundred events (the list asks the log for the rest): no more cross. */
  private readonly stream = new EventStream(STREAM_LIMIT);
  private readonly log = new EventLog();
  private streaming = false;
  private speed: Speed = 'full';
  /** Paced runs: instructions owed to the run (fractions carry over), the last tick, the timer. */
  private credit = 0;
  private lastTick = 0;
  private cancelTimer: (() => void) | null = null;
  /** Step to event: the events counted when it began, and the first hypervisor event after them. */
  private watchFrom = Number.POSITIVE_INFINITY;
  private found: { index: number; event: TraceEvent } | null = null;
  private furthest = 0;
  private memoryAddress: number | null = null;
  private postedTimeline = -1;
  private postedFurthest = -1;
  private breakpoints: readonly { vm: number; line: number }[] | null = null;

  private readonly sink: EventSink = {
    push: (e: TraceEvent) => {
      const engine = this.engine;
      if (!engine) return;
      const index = engine.eventCount - 1;
      this.log.push(e, index);
      if (this.streaming) this.stream.push(e, index);
      if (this.found === null && index >= this.watchFrom && HYPERVISOR_EVENT_KINDS.has(e.kind)) this.found = { index, event: e };
    },
  };

  constructor(
    private readonly host: ControllerHost,
    private readonly timing: ControllerTiming = DEFAULT_TIMING,
  ) {}

  get runState(): RunState {
    return this.state;
  }

  handle(message: PageMessage): void {
    try {
      switch (message.kind) {
        case 'load':
          this.load(message.scenario, message.options);
          break;
        case 'reset':
          if (this.loaded) this.load(this.loaded.scenario, this.loaded.options);
          else this.host.post({ kind: 'error', message: 'nothing to reset: no scenario is loaded' });
          break;
        case 'run':
          this.start(Number.POSITIVE_INFINITY, 'run');
          break;
        case 'step':
          this.start(Math.max(0, Math.min(MAX_STEP_COUNT, Math.floor(message.count) || 0)), 'step');
          break;
        case 'step-to-event':
          this.stepToEvent();
          break;
        case 'pause':
          this.halt();
          this.flush();
          break;
        case 'seek':
          this.seek(message.steps);
          break;
        case 'step-back':
          this.stepBack(message.by);
          break;
        case 'seek-event':
          this.seekEvent(message.index);
          break;
        case 'speed':
          this.setSpeed(message.speed);
          break;
        case 'breakpoints':
          this.setBreakpoints(message.breakpoints);
          break;
        case 'memory-view':
          this.memoryAddress = message.address === null ? null : Math.max(0, Math.floor(message.address)) & 0xffff;
          if (this.state !== 'running') this.flush();
          break;
        case 'events-window':
          this.answerWindow(message);
          break;
        case 'ping':
          this.host.post({ kind: 'pong', id: message.id });
          break;
        case 'compare':
          this.compare(message);
          break;
        case 'cancel':
          break; // a comparison here runs to its end within the message; the page's bus ends a worker of its own
        case 'export-events':
          this.exportEvents(message);
          break;
        default: {
          const never: never = message;
          this.host.post({ kind: 'error', message: `unknown message ${JSON.stringify(never)}` });
        }
      }
    } catch (e) {
      // A bug here must surface as a message, never as a dead worker.
      this.host.post({ kind: 'error', message: String((e as Error)?.message ?? e) });
    }
  }

  private load(data: unknown, options: LoadOptions): void {
    this.engine?.setEventSink(null, false);
    this.halt();
    this.engine = null;
    this.loaded = null;
    this.state = 'idle';
    this.stop = null;
    this.stream.reset();
    this.log.clear();
    this.furthest = 0;
    this.postedTimeline = -1;
    this.found = null;
    this.watchFrom = Number.POSITIVE_INFINITY;

    const parsed = validateScenario(data);
    const optionErrors = checkOptions(options);
    if (!parsed.ok || optionErrors.length) {
      this.host.post({ kind: 'invalid', errors: [...(parsed.ok ? [] : parsed.errors), ...optionErrors] });
      return;
    }
    const { events, exits, hypervisorType, ...runOptions } = options;
    let scenario = withHypervisor(parsed.scenario, exits, hypervisorType);
    if (this.breakpoints) scenario = { ...scenario, breakpoints: this.breakpoints };
    const prepared = prepare(scenario, runOptions satisfies RunOptions);
    if (prepared.kind !== 'ready') {
      this.host.post(refusal(prepared));
      return;
    }
    this.engine = prepared.engine;
    this.loaded = { scenario: parsed.scenario, options };
    // The worker always listens (the log feeds the timeline, seeks and Step to event); only the stream
    // to the page depends on `events`.
    this.streaming = events === true;
    this.engine.setEventSink(this.sink, false);
    this.state = 'paused';
    this.host.post({ kind: 'loaded', technique: this.engine.technique, vms: this.engine.assemblies.map((a) => a.name) });
    this.flush();
  }

  /** The scenario under every technique, to its end (bounded by COMPARE_MAX_STEPS), with the page's options applied. */
  private compare(m: Extract<PageMessage, { kind: 'compare' }>): void {
    const parsed = validateScenario(m.scenario);
    const optionErrors = checkOptions(m.options);
    if (!parsed.ok || optionErrors.length) {
      this.host.post({ kind: 'compare-failed', request: m.request, errors: [...(parsed.ok ? [] : parsed.errors), ...optionErrors] });
      return;
    }
    const { exits, hypervisorType, isa, preset, paging, maxSteps } = m.options;
    const scenario = withHypervisor(parsed.scenario, exits, hypervisorType);
    const steps = Math.min(maxSteps ?? scenario.maxSteps, COMPARE_MAX_STEPS);
    const r = compareTechniques(scenario, { isa, preset, paging, maxSteps: steps });
    if (r.kind === 'results') this.host.post({ kind: 'compare-results', request: m.request, results: r.results });
    else if (r.kind === 'invalid') this.host.post({ kind: 'compare-failed', request: m.request, errors: r.errors });
    else {
      const errors = r.errors.flatMap((e) => e.diagnostics.map((d) => `${e.name}:${d.line}:${d.startColumn}: ${d.message}`));
      this.host.post({ kind: 'compare-failed', request: m.request, errors });
    }
  }

  /** The run's events up to the present, as a trace file (the newest EXPORT_EVENT_LIMIT of them). */
  private exportEvents(m: Extract<PageMessage, { kind: 'export-events' }>): void {
    const present = this.engine?.eventCount ?? 0;
    const total = this.log.count('all', present);
    const from = Math.max(0, total - EXPORT_EVENT_LIMIT);
    const events = this.log.window('all', from, total - from, present).items.map((i) => i.event);
    const names = this.engine?.assemblies.map((a) => a.name) ?? [];
    const text = m.format === 'csv' ? eventsToCsv(events, names) : eventsToJson(events);
    this.host.post({ kind: 'events-export', request: m.request, format: m.format, text, count: events.length, total });
  }

  private setBreakpoints(list: readonly { vm: number; line: number }[]): void {
    const clean = list
      .filter((b) => b && Number.isInteger(b.vm) && Number.isInteger(b.line) && b.vm >= 0 && b.line >= 1)
      .map((b) => ({ vm: b.vm, line: b.line }));
    this.breakpoints = clean;
    const engine = this.engine;
    if (!engine) return;
    engine.clearBreakpoints();
    for (const b of clean) engine.addBreakpointLine(b.vm, b.line);
    engine.applyBreakpoints();
  }

  private setSpeed(speed: Speed): void {
    const s: Speed = speed === 'full' || !(speed > 0) || !Number.isFinite(speed) ? 'full' : Math.min(1e9, speed);
    this.speed = s;
    if (this.state === 'running' && this.mode === 'run') {
      // Change pace at once: cancel the timer or the slices and go on at the new speed.
      this.cancelTimer?.();
      this.cancelTimer = null;
      this.credit = Math.min(this.credit, 1);
      this.lastTick = this.host.now();
      if (this.paced()) this.tick();
      else if (!this.sliceScheduled) this.slice();
    } else if (this.state !== 'running') this.flush();
  }

  private paced(): boolean {
    return this.mode === 'run' && this.speed !== 'full';
  }

  /** Stops whatever runs (the timer, the slices) and leaves the run paused where it is. */
  private halt(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    if (this.state === 'running') this.state = 'paused';
    this.watchFrom = Number.POSITIVE_INFINITY;
    this.found = null;
  }

  /** `run`, `step`, `step-to-event` and a seek forwards: all run through the same slices. */
  private start(limit: number, mode: Mode): void {
    const engine = this.engine;
    if (!engine || this.state === 'idle' || this.state === 'stopped' || limit === 0) {
      this.flush();
      return;
    }
    this.halt();
    if (this.stop === 'breakpoint') {
      engine.resume();
      this.stop = null;
    }
    this.mode = mode;
    this.remaining = limit;
    if (mode === 'to-event') {
      this.watchFrom = engine.eventCount;
      this.found = null;
    }
    // No status is posted yet: a step usually ends within its first slice, and the page should not see
    // a `running` that lasted a few microseconds (it would disable Step for a frame). The slice posts it.
    this.state = 'running';
    if (this.paced()) {
      this.credit = 1; // the first instruction goes at once, so that Run answers visibly
      this.lastTick = this.host.now();
      this.tick();
    } else if (!this.sliceScheduled) this.slice();
  }

  private stepToEvent(): void {
    this.start(Number.POSITIVE_INFINITY, 'to-event');
  }

  private slice(): void {
    this.sliceScheduled = false;
    const engine = this.engine;
    if (!engine || this.state !== 'running' || this.paced()) return;
    const now = () => this.host.now();
    const start = now();
    if (this.mode === 'seek') this.stream.replay = true;
    for (;;) {
      const budget = Math.min(this.chunk, this.remaining);
      const before = engine.run.steps();
      const t0 = now();
      const stop = engine.advance(budget);
      const took = now() - t0;
      this.remaining -= engine.run.steps() - before;
      this.noteProgress();
      if (took < 1 && this.chunk < MAX_CHUNK && budget === this.chunk) this.chunk *= 2;
      else if (took > 4 && this.chunk > MIN_CHUNK) this.chunk = Math.max(MIN_CHUNK, this.chunk >> 1);
      if (this.mode === 'to-event' && this.found) {
        this.endAtEvent(this.found);
        return;
      }
      if (stop || this.remaining <= 0) {
        this.finish(stop);
        return;
      }
      if (now() - start >= this.timing.sliceMs) break;
    }
    if (this.state !== this.posted || now() - this.lastFlush >= this.timing.frameMs) this.flush();
    this.sliceScheduled = true;
    this.host.schedule(() => this.slice());
  }

  /** A paced run: the instructions the speed allows since the last tick, then a timer for the next. */
  private tick(): void {
    this.cancelTimer = null;
    const engine = this.engine;
    if (!engine || this.state !== 'running' || !this.paced()) return;
    const speed = this.speed as number;
    const t = this.host.now();
    // Never owe more than a tenth of a second's worth: a busy or throttled tab does not cause a burst.
    this.credit = Math.min(this.credit + (speed * (t - this.lastTick)) / 1000, Math.max(1, speed / 10));
    this.lastTick = t;
    const n = Math.floor(this.credit);
    if (n > 0) {
      const before = engine.run.steps();
      const stop = engine.advance(n);
      this.credit -= engine.run.steps() - before;
      this.noteProgress();
      if (stop) {
        this.finish(stop);
        return;
      }
      this.flush();
    }
    const wait = Math.max(this.timing.frameMs, ((1 - (this.credit % 1)) / speed) * 1000);
    this.cancelTimer = this.host.after(wait, () => this.tick());
  }

  private noteProgress(): void {
    // Step to event overshoots and comes back: only where it stops counts as reached.
    if (this.state === 'running' && this.mode === 'to-event') return;
    const steps = this.engine?.run.steps() ?? 0;
    if (steps > this.furthest) this.furthest = steps;
  }

  /** The run stopped by itself (`stop`) or its limit ran out. */
  private finish(stop: StopReason | undefined): void {
    if (stop) this.stop = stop;
    this.state = !stop || stop === 'breakpoint' ? 'paused' : 'stopped';
    this.watchFrom = Number.POSITIVE_INFINITY;
    this.found = null;
    this.noteProgress();
    this.flush();
  }

  /** Step to event found one: the run pauses at the first moment it has happened (seeking back over what the chunk overshot). */
  private endAtEvent(found: { index: number; event: TraceEvent }): void {
    this.watchFrom = Number.POSITIVE_INFINITY;
    this.found = null;
    this.goToEvent(found.index, found.event);
    this.settle();
  }

  /** After a jump in time: paused where the run is, or stopped if it had ended there. */
  private settle(): void {
    const stop = this.engine?.stopped;
    this.state = 'paused';
    this.noteProgress();
    this.stop = stop && stop !== 'breakpoint' ? stop : null;
    this.state = this.stop ? 'stopped' : 'paused';
    this.flush();
  }

  /**
   * Puts the run at exactly `target` steps, at once: back by the engine's seek (checkpoints and replay;
   * the events it emits again reach the log and the stream as usual), forwards by advancing through
   * breakpoints. Only for short distances forwards (the slices do the long ones).
   */
  private goTo(target: number): void {
    const engine = this.engine!;
    // Back in time, or forwards within what the run has already been through: the engine jumps from
    // its nearest checkpoint (the events of that stretch are in the log already).
    if (target < engine.run.steps() || target <= this.furthest) {
      this.stream.replay = true;
      engine.seek(target);
      this.stream.rewind(engine.eventCount);
    }
    while (engine.run.steps() < target) {
      const stop = engine.advance(target - engine.run.steps());
      if (stop === 'breakpoint') engine.resume();
      else if (stop) break;
    }
    this.noteProgress();
  }

  /**
   * Puts the run at the first moment at which event `index` has happened: its step when the event came
   * with the instruction that completed that step (an INT delivered as it retires), else the step after
   * (a trap on an instruction that then completes, or the first instruction of a handler).
   */
  private goToEvent(index: number, e: TraceEvent): void {
    const s = e.step ?? 0;
    this.goTo(s);
    if (this.engine!.eventCount <= index) this.goTo(s + 1);
  }

  private seek(steps: number): void {
    const engine = this.engine;
    if (!engine || this.state === 'idle' || !Number.isFinite(steps)) {
      this.flush();
      return;
    }
    this.halt();
    const target = Math.max(0, Math.min(Math.floor(steps), engine.maxSteps));
    const present = engine.run.steps();
    if (target < present) {
      this.goTo(target);
      this.settle();
    } else if (target > present) {
      // A run that ended has no later moment; a moment already reached is a jump; beyond it, run there.
      if (this.state === 'stopped') this.flush();
      else if (target <= this.furthest) {
        this.goTo(target);
        this.settle();
      } else this.start(target - present, 'seek');
    } else this.flush();
  }

  private stepBack(by: 'instruction' | 'event'): void {
    const engine = this.engine;
    if (!engine || this.state === 'idle') {
      this.flush();
      return;
    }
    this.halt();
    const present = engine.run.steps();
    if (by === 'instruction') {
      this.seek(present - 1);
      return;
    }
    // Back to the moment of the latest hypervisor event that happened before now. An event of the step
    // just before may belong to this moment or the one before: being there tells.
    for (const { index, event } of this.log.hypervisorEventsBefore(engine.eventCount)) {
      const s = event.step ?? 0;
      if (s >= present) continue;
      if (s === present - 1) {
        this.goTo(s);
        if (engine.eventCount > index) {
          this.settle();
          return;
        }
        continue;
      }
      this.goToEvent(index, event);
      this.settle();
      return;
    }
    this.goTo(0);
    this.settle();
  }

  /** Clicking an event: the run goes to the moment it happened (among those that have happened). */
  private seekEvent(index: number): void {
    const engine = this.engine;
    const e = this.log.get(index);
    if (!engine || this.state === 'idle' || !e || index >= engine.eventCount) {
      this.flush();
      return;
    }
    this.halt();
    this.goToEvent(index, e);
    this.settle();
  }

  private answerWindow(m: Extract<PageMessage, { kind: 'events-window' }>): void {
    if (!isEventFilter(m.filter)) {
      this.host.post({ kind: 'error', message: `unknown event filter ${JSON.stringify(m.filter)}` });
      return;
    }
    const present = this.engine?.eventCount ?? 0;
    const count = Math.max(0, Math.min(EVENT_WINDOW_LIMIT, m.count));
    const { total, items } = this.log.window(m.filter, m.from, count, present);
    this.host.post({ kind: 'events-window', request: m.request, filter: m.filter, from: Math.max(0, Math.floor(m.from)), total, items });
  }

  /** Sends what the page draws: pending events, then the status, then the snapshot. */
  private flush(): void {
    this.lastFlush = this.host.now();
    for (const m of this.stream.take()) this.host.post(m);
    this.posted = this.state;
    this.host.post({ kind: 'status', status: this.status() });
    if (this.engine) this.host.post({ kind: 'snapshot', snapshot: this.snapshot(this.engine) });
  }

  private snapshot(engine: Engine): DisplaySnapshot {
    const base = snapshotOf(engine);
    const inspection = engine.run.inspect();
    const present = engine.eventCount;
    const timelineChanged = this.log.timelineVersion !== this.postedTimeline || this.furthest !== this.postedFurthest;
    this.postedTimeline = this.log.timelineVersion;
    this.postedFurthest = this.furthest;
    return {
      ...base,
      inspection: trimInspection(inspection),
      memory: this.memoryOf(engine, inspection),
      eventCount: present,
      eventsFirstKept: this.log.firstKept,
      eventCounts: this.log.counts(present),
      speed: this.speed,
      ...(timelineChanged ? { timeline: this.log.timeline(this.furthest) } : {}),
    };
  }

  private memoryOf(engine: Engine, all: Inspection): MemoryView {
    const vm = all.current;
    const inspection = all.vms[vm];
    const pc = inspection?.virtual.PC ?? 0;
    let pcPhysical: number | null = pc & 0xffff;
    if (inspection?.pageTable) {
      const pte = inspection.pageTable[(pc >>> 12) & 15];
      pcPhysical = pte?.present ? pte.frame * 4096 + (pc & 0xfff) : null;
    }
    const centre = this.memoryAddress ?? pcPhysical ?? 0;
    const start = Math.max(0, Math.min(0x10000 - MEMORY_WINDOW, (centre - MEMORY_WINDOW / 2) & ~7));
    const bytes = Array.from(engine.run.readMemory(vm, start, MEMORY_WINDOW));
    return { vm, base: start, bytes, pcPhysical, followsPc: this.memoryAddress === null, focus: centre };
  }

  private status(): RunStatus {
    const steps = this.engine?.run.steps() ?? 0;
    const error = this.stop === 'error' ? (this.engine?.internalError ?? 'the engine stopped with an error') : undefined;
    return { state: this.state, steps, stop: this.stop, ...(error ? { error } : {}) };
  }
}

/** The translation cache can grow large: the page gets the most recent blocks, and the PC's. */
function trimInspection(i: Inspection): Inspection {
  if (!i.vms.some((v) => v.blocks && v.blocks.length > BLOCKS_SHOWN)) return i;
  return {
    ...i,
    vms: i.vms.map((v) => {
      if (!v.blocks || v.blocks.length <= BLOCKS_SHOWN) return v;
      const pc = v.virtual.PC;
      const recent = v.blocks.slice(-BLOCKS_SHOWN);
      const atPc = v.blocks.find((b) => b.instructions.some((x) => x.address === pc));
      return { ...v, blocks: atPc && !recent.includes(atPc) ? [atPc, ...recent.slice(1)] : recent };
    }),
  };
}

/** The worker's answer when the engine will not run the scenario. */
function refusal(p: Exclude<Prepared, { kind: 'ready' }>): WorkerMessage {
  switch (p.kind) {
    case 'invalid':
      return { kind: 'invalid', errors: p.errors };
    case 'refused':
      return { kind: 'refused', technique: p.technique, reason: p.reason };
    case 'assembly-errors':
      return { kind: 'assembly-errors', errors: p.errors };
    default: {
      const never: never = p;
      return { kind: 'error', message: `unexpected preparation ${JSON.stringify(never)}` };
    }
  }
}

/** The page's exit controls and hypervisor type, over the scenario's own. */
function withHypervisor(scenario: Scenario, exits: LoadOptions['exits'], hypervisorType: LoadOptions['hypervisorType']): Scenario {
  if (!exits && !hypervisorType) return scenario;
  return {
    ...scenario,
    hypervisor: { ...scenario.hypervisor, ...(exits ? { exits } : {}), ...(hypervisorType ? { type: hypervisorType } : {}) },
  };
}

function checkOptions(o: LoadOptions): string[] {
  const errors: string[] = [];
  if (o.maxSteps !== undefined && !(Number.isSafeInteger(o.maxSteps) && o.maxSteps >= 1)) {
    errors.push('options.maxSteps: expected a whole number from 1');
  }
  if (o.hypervisorType !== undefined && o.hypervisorType !== 1 && o.hypervisorType !== 2) {
    errors.push('options.hypervisorType: expected 1 or 2');
  }
  return errors;
}

export function snapshotOf(engine: Engine): DisplaySnapshot {
  const r = engine.result();
  return {
    technique: r.technique,
    isa: r.isa,
    preset: r.preset,
    paging: r.paging,
    steps: engine.run.steps(),
    vms: r.vms.map((vm) => ({
      name: vm.name,
      state: vm.state,
      exitCode: vm.exitCode,
      ...(vm.crashReason !== undefined ? { crashReason: vm.crashReason } : {}),
      console: vm.console.length > CONSOLE_TAIL ? vm.console.slice(-CONSOLE_TAIL) : vm.console,
      consoleLength: vm.console.length,
      cpu: { ...vm.cpu },
      counters: vm.counters,
      fidelityViolations: vm.fidelity.length,
    })),
    counters: r.counters,
    cycles: r.cycles,
  };
}
