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
// lecture speeds, so that each one shows. Time travel (time-travel.ts) decides where a seek, a step back
// or Step to event puts the run, and moves it through this state machine; what the page draws is built
// in snapshot.ts, and the requests that do not move the run are answered in requests.ts.
//
// It is a plain class with its host injected, so it runs the same inside the worker and in Vitest.

import { type Engine, prepare, type RunOptions, type StopReason } from '../hypervisor/engine';
import { NATIVE_CHECKPOINT } from '../hypervisor/migration';
import type { PlannedRun } from '../hypervisor/migration/planned-run';
import {
  type LoadOptions,
  MAX_STEP_COUNT,
  type PageMessage,
  PEEK_LIMIT,
  type RunState,
  type RunStatus,
  type Speed,
  type WorkerMessage,
} from '../protocol/messages';
import { type Scenario, validateScenario } from '../scenario/scenario';
import type { EventSink, TraceEvent } from '../trace/events';
import { EventLog } from './event-log';
import { EventStream } from './event-stream';
import { checkOptions, refusal, withHypervisor } from './load-options';
import { fileAnswer, migrationCompareAnswer, openAnswer, planOf, refusePlan, scenarioCheckpoints, withCloneSlots } from './plan';
import { compareAnswer, exportAnswer, windowAnswer } from './requests';
import { SnapshotBuilder } from './snapshot';
import { checkStepsAnswer } from './step-checks';
import { TimeTravel } from './time-travel';

export { snapshotOf } from './snapshot';

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
/** Events one display update carries at most (the newest). */
const STREAM_LIMIT = 256;

/** What a run in slices is for: it decides the pace and where it ends. */
type Mode = 'run' | 'step' | 'to-event' | 'seek';

export class RunController {
  private engine: Engine | null = null;
  /** The engine with the scenario's checkpoints and migration: what runs, seeks and steps. */
  private plan: PlannedRun | null = null;
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
  private readonly display = new SnapshotBuilder(this.log);
  private readonly travel = new TimeTravel(
    {
      engine: () => this.engine,
      plan: () => this.plan,
      state: () => this.state,
      halt: () => this.halt(),
      runFor: (count) => this.start(count, 'seek'),
      settle: () => this.settle(),
      flush: () => this.flush(),
      noteProgress: () => this.noteProgress(),
    },
    this.log,
    this.stream,
  );
  private streaming = false;
  private speed: Speed = 'full';
  /** Paced runs: instructions owed to the run (fractions carry over), the last tick, the timer. */
  private credit = 0;
  private lastTick = 0;
  private cancelTimer: (() => void) | null = null;
  private breakpoints: readonly { vm: number; line: number }[] | null = null;
  /** The page acknowledges what it drew (`drawn`): then a running run waits for it between updates. */
  private pacedByPage = false;
  /** An update went out that the page has not said it drew. */
  private undrawn = false;

  private readonly sink: EventSink = {
    push: (e: TraceEvent) => {
      const engine = this.engine;
      if (!engine) return;
      const index = engine.eventCount - 1;
      this.log.push(e, index);
      if (this.streaming) this.stream.push(e, index);
      this.travel.see(e, index);
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
          // One event at a time: the next of one instruction's events moves the cursor only.
          if (!this.travel.stepWithin()) this.start(Number.POSITIVE_INFINITY, 'to-event');
          break;
        case 'peek-event':
          this.host.post({ kind: 'next-event', request: message.request, next: this.travel.peek(PEEK_LIMIT) });
          break;
        case 'pause':
          this.halt();
          this.flush();
          break;
        case 'seek':
          this.travel.seek(message.steps);
          break;
        case 'step-back':
          this.travel.stepBack(message.by);
          break;
        case 'seek-event':
          this.travel.seekEvent(message.index);
          break;
        case 'speed':
          this.setSpeed(message.speed);
          break;
        case 'breakpoints':
          this.setBreakpoints(message.breakpoints);
          break;
        case 'memory-view':
          this.display.focusMemory(message.address);
          if (this.state !== 'running') this.flush();
          break;
        case 'events-window':
          this.host.post(windowAnswer(message, this.log, this.engine));
          break;
        case 'ping':
          this.host.post({ kind: 'pong', id: message.id });
          break;
        case 'drawn':
          this.pacedByPage = true;
          this.undrawn = false;
          break;
        case 'compare':
          this.host.post(compareAnswer(message));
          break;
        case 'cancel':
          break; // a comparison here runs to its end within the message; the page's bus ends a worker of its own
        case 'export-events':
          this.host.post(exportAnswer(message, this.log, this.engine));
          break;
        case 'checkpoint-take':
          this.checkpointNow(message.vm, null);
          break;
        case 'checkpoint-restore':
          this.checkpointNow(null, message.index);
          break;
        case 'checkpoint-file':
          this.host.post(fileAnswer(message, this.plan));
          break;
        case 'checkpoint-open':
          this.host.post(openAnswer(message, this.plan));
          if (this.state !== 'running') this.flush();
          break;
        case 'migration-compare':
          this.host.post(migrationCompareAnswer(message));
          break;
        case 'check-steps':
          this.host.post(checkStepsAnswer(message, this.log, this.engine, this.loaded));
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

  /** Takes a checkpoint of VM `vm`, or restores checkpoint `index`, at this moment (the run pauses first). */
  private checkpointNow(vm: number | null, index: number | null): void {
    const plan = this.plan;
    if (!plan || this.state === 'idle') {
      this.host.post({ kind: 'error', message: 'nothing is loaded to checkpoint' });
      return;
    }
    if (plan.engine.technique === 'native') {
      this.host.post({ kind: 'checkpoints-changed', checkpoints: scenarioCheckpoints(plan), refused: NATIVE_CHECKPOINT });
      return;
    }
    this.halt();
    let refused: string | null = null;
    if (vm !== null) {
      if (!Number.isInteger(vm) || vm < 0 || vm >= plan.engine.config.vms.length) refused = `there is no VM ${vm}`;
      else plan.take(vm);
    } else if (index !== null) refused = plan.restore(index);
    // The run's future is another one from here: the timeline ends at this moment.
    this.travel.truncate(plan.steps());
    const stop = plan.engine.stopped;
    this.stop = stop && stop !== 'breakpoint' ? stop : null;
    if (this.state === 'stopped' && !this.stop) this.state = 'paused';
    this.host.post({ kind: 'checkpoints-changed', checkpoints: scenarioCheckpoints(plan), ...(refused ? { refused } : {}) });
    this.flush();
  }

  private load(data: unknown, options: LoadOptions): void {
    this.engine?.setEventSink(null, false);
    this.plan = null;
    this.halt();
    this.engine = null;
    this.loaded = null;
    this.state = 'idle';
    this.stop = null;
    this.stream.reset();
    this.log.clear();
    this.travel.reset();
    this.display.forgetTimeline();

    const parsed = validateScenario(data);
    const optionErrors = checkOptions(options);
    if (!parsed.ok || optionErrors.length) {
      this.host.post({ kind: 'invalid', errors: [...(parsed.ok ? [] : parsed.errors), ...optionErrors] });
      return;
    }
    const { events, exits, hypervisorType, ...runOptions } = options;
    let scenario = withHypervisor(parsed.scenario, exits, hypervisorType);
    if (this.breakpoints) scenario = { ...scenario, breakpoints: this.breakpoints };
    const prepared = prepare(withCloneSlots(scenario), runOptions satisfies RunOptions);
    if (prepared.kind !== 'ready') {
      this.host.post(refusal(prepared));
      return;
    }
    const why = refusePlan(scenario, prepared.engine);
    if (why) {
      this.host.post({ kind: 'refused', technique: prepared.engine.technique, reason: why });
      return;
    }
    this.engine = prepared.engine;
    this.plan = planOf(scenario, prepared.engine);
    this.loaded = { scenario: parsed.scenario, options };
    // The worker always listens (the log feeds the timeline, seeks and Step to event); only the stream
    // to the page depends on `events`.
    this.streaming = events === true;
    this.engine.setEventSink(this.sink, false);
    this.state = 'paused';
    this.host.post({ kind: 'loaded', technique: this.engine.technique, vms: this.engine.assemblies.map((a) => a.name) });
    this.flush();
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
    this.travel.unwatch();
  }

  /** `run`, `step`, `step-to-event` and a seek forwards: all run through the same slices. */
  private start(limit: number, mode: Mode): void {
    const engine = this.engine;
    if (!engine || this.state === 'idle' || this.state === 'stopped' || limit === 0) {
      this.flush();
      return;
    }
    this.halt();
    this.travel.leaveCursor();
    if (this.stop === 'breakpoint') {
      engine.resume();
      this.stop = null;
    }
    this.mode = mode;
    this.remaining = limit;
    if (mode === 'to-event') this.travel.watch(engine.eventCount);
    // No status is posted yet: a step usually ends within its first slice, and the page should not see
    // a `running` that lasted a few microseconds (it would disable Step for a frame). The slice posts it.
    this.state = 'running';
    if (this.paced()) {
      this.credit = 1; // the first instruction goes at once, so that Run answers visibly
      this.lastTick = this.host.now();
      this.tick();
    } else if (!this.sliceScheduled) this.slice();
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
      const stop = (this.plan ?? engine).advance(budget);
      const took = now() - t0;
      this.remaining -= engine.run.steps() - before;
      this.noteProgress();
      if (took < 1 && this.chunk < MAX_CHUNK && budget === this.chunk) this.chunk *= 2;
      else if (took > 4 && this.chunk > MIN_CHUNK) this.chunk = Math.max(MIN_CHUNK, this.chunk >> 1);
      if (this.mode === 'to-event' && this.travel.stopAtFound()) return;
      if (stop || this.remaining <= 0) {
        this.finish(stop);
        return;
      }
      if (now() - start >= this.timing.sliceMs) break;
    }
    // A change of state always goes out; while running, one update a frame, and none while the page is
    // still drawing the last one (it says so with `drawn`).
    if (this.state !== this.posted || (now() - this.lastFlush >= this.timing.frameMs && !(this.pacedByPage && this.undrawn))) this.flush();
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
      const stop = (this.plan ?? engine).advance(n);
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
    this.travel.reached(this.engine?.run.steps() ?? 0);
  }

  /** The run stopped by itself (`stop`) or its limit ran out. */
  private finish(stop: StopReason | undefined): void {
    if (stop) this.stop = stop;
    this.state = !stop || stop === 'breakpoint' ? 'paused' : 'stopped';
    this.travel.unwatch();
    this.noteProgress();
    this.flush();
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
   * Sends what the page draws: the status, then pending events, then the snapshot. The status goes first
   * so that a page busy with a fast run can show a pause (or a stop) before it reads the rest.
   */
  private flush(): void {
    this.lastFlush = this.host.now();
    this.undrawn = true;
    this.posted = this.state;
    this.host.post({ kind: 'status', status: this.status() });
    for (const m of this.stream.take()) this.host.post(m);
    if (this.engine)
      this.host.post({ kind: 'snapshot', snapshot: this.display.build(this.engine, this.travel.furthest, this.speed, this.plan) });
  }

  private status(): RunStatus {
    const steps = this.engine?.run.steps() ?? 0;
    const error = this.stop === 'error' ? (this.engine?.internalError ?? 'the engine stopped with an error') : undefined;
    const event = this.travel.current();
    return { state: this.state, steps, stop: this.stop, ...(error ? { error } : {}), ...(event ? { event } : {}) };
  }
}
