// The run controller: the run / pause / step state machine between the page's messages and the engine
// (Firecracker's vcpu loop in spirit: a small state machine, one switch over the typed messages).
//
// It never blocks for long: the engine runs in slices of about `sliceMs` of wall time, each made of
// chunks whose instruction budget adapts to the technique's speed, and between slices it yields to the
// host (`schedule`) so that a `pause` waiting in the message queue is answered promptly even when the
// guest is a tight infinite loop. Display updates (status, snapshot, event batches) go out at most once
// per `frameMs` while running, and at every change of state; never per instruction.
//
// It is a plain class with its host injected, so it runs the same inside the worker and in Vitest.
import { type Engine, type Prepared, prepare, type RunOptions, type StopReason } from '../hypervisor/engine';
import {
  CONSOLE_TAIL,
  type DisplaySnapshot,
  EVENT_BATCH_LIMIT,
  type LoadOptions,
  MAX_STEP_COUNT,
  type PageMessage,
  type RunState,
  type RunStatus,
  type WorkerMessage,
} from '../protocol/messages';
import { type Scenario, validateScenario } from '../scenario/scenario';
import type { EventSink, TraceEvent } from '../trace/events';

export interface ControllerHost {
  post(message: WorkerMessage): void;
  /** Milliseconds, monotonic. */
  now(): number;
  /** Runs `task` soon, after any message already waiting (a MessageChannel tick in the worker). */
  schedule(task: () => void): void;
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

/** Collects events between display updates, bounded so a chatty guest cannot flood the page. */
class EventBuffer implements EventSink {
  events: TraceEvent[] = [];
  dropped = 0;
  push(e: TraceEvent): void {
    if (this.events.length < EVENT_BATCH_LIMIT) this.events.push(e);
    else this.dropped++;
  }
  take(): { events: TraceEvent[]; dropped: number } {
    const batch = { events: this.events, dropped: this.dropped };
    this.events = [];
    this.dropped = 0;
    return batch;
  }
}

export class RunController {
  private engine: Engine | null = null;
  private loaded: { scenario: Scenario; options: LoadOptions } | null = null;
  private state: RunState = 'idle';
  private stop: StopReason | null = null;
  /** Instructions left before the current run pauses by itself (a `step`); Infinity for `run`. */
  private remaining = Number.POSITIVE_INFINITY;
  private chunk = FIRST_CHUNK;
  private sliceScheduled = false;
  private lastFlush = Number.NEGATIVE_INFINITY;
  /** The state the page was last told. */
  private posted: RunState = 'idle';
  private readonly buffer = new EventBuffer();

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
          this.start(Number.POSITIVE_INFINITY);
          break;
        case 'step':
          this.start(Math.max(0, Math.min(MAX_STEP_COUNT, Math.floor(message.count) || 0)));
          break;
        case 'pause':
          if (this.state === 'running') this.state = 'paused';
          this.flush();
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
    this.engine = null;
    this.loaded = null;
    this.state = 'idle';
    this.stop = null;
    this.buffer.take();

    const parsed = validateScenario(data);
    const optionErrors = checkOptions(options);
    if (!parsed.ok || optionErrors.length) {
      this.host.post({ kind: 'invalid', errors: [...(parsed.ok ? [] : parsed.errors), ...optionErrors] });
      return;
    }
    const { events, ...runOptions } = options;
    const prepared = prepare(parsed.scenario, runOptions satisfies RunOptions);
    if (prepared.kind !== 'ready') {
      this.host.post(refusal(prepared));
      return;
    }
    this.engine = prepared.engine;
    this.loaded = { scenario: parsed.scenario, options };
    if (events) this.engine.setEventSink(this.buffer, false);
    this.state = 'paused';
    this.host.post({ kind: 'loaded', technique: this.engine.technique, vms: this.engine.assemblies.map((a) => a.name) });
    this.flush();
  }

  /** `run` (limit Infinity) and `step` (limit n): both run through the same slices. */
  private start(limit: number): void {
    const engine = this.engine;
    if (!engine || this.state === 'idle' || this.state === 'stopped' || limit === 0) {
      this.flush();
      return;
    }
    if (this.stop === 'breakpoint') {
      engine.resume();
      this.stop = null;
    }
    this.remaining = limit;
    // No status is posted yet: a step usually ends within its first slice, and the page should not see
    // a `running` that lasted a few microseconds (it would disable Step for a frame). The slice posts it.
    this.state = 'running';
    if (!this.sliceScheduled) this.slice();
  }

  private slice(): void {
    this.sliceScheduled = false;
    const engine = this.engine;
    if (!engine || this.state !== 'running') return;
    const now = () => this.host.now();
    const start = now();
    for (;;) {
      const budget = Math.min(this.chunk, this.remaining);
      const before = engine.run.steps();
      const t0 = now();
      const stop = engine.advance(budget);
      const took = now() - t0;
      this.remaining -= engine.run.steps() - before;
      if (took < 1 && this.chunk < MAX_CHUNK && budget === this.chunk) this.chunk *= 2;
      else if (took > 4 && this.chunk > MIN_CHUNK) this.chunk = Math.max(MIN_CHUNK, this.chunk >> 1);
      if (stop || this.remaining <= 0) {
        if (stop) this.stop = stop;
        this.state = !stop || stop === 'breakpoint' ? 'paused' : 'stopped';
        this.flush();
        return;
      }
      if (now() - start >= this.timing.sliceMs) break;
    }
    if (this.state !== this.posted || now() - this.lastFlush >= this.timing.frameMs) this.flush();
    this.sliceScheduled = true;
    this.host.schedule(() => this.slice());
  }

  /** Sends what the page draws: pending events, then the status, then the snapshot. */
  private flush(): void {
    this.lastFlush = this.host.now();
    const batch = this.buffer.take();
    if (batch.events.length || batch.dropped) this.host.post({ kind: 'events', ...batch });
    this.posted = this.state;
    this.host.post({ kind: 'status', status: this.status() });
    if (this.engine) this.host.post({ kind: 'snapshot', snapshot: snapshotOf(this.engine) });
  }

  private status(): RunStatus {
    const steps = this.engine?.run.steps() ?? 0;
    const error = this.stop === 'error' ? (this.engine?.internalError ?? 'the engine stopped with an error') : undefined;
    return { state: this.state, steps, stop: this.stop, ...(error ? { error } : {}) };
  }
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

function checkOptions(o: LoadOptions): string[] {
  const errors: string[] = [];
  if (o.maxSteps !== undefined && !(Number.isSafeInteger(o.maxSteps) && o.maxSteps >= 1)) {
    errors.push('options.maxSteps: expected a whole number from 1');
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
