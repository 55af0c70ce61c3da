// Time travel: seeks, steps back, clicking an event, and where Step to event stops. A seek back is the
// engine's exact `seek` (checkpoints and replay), immediate; forwards within what the run has already
// been through it is a jump too (replay is deterministic); beyond that, the controller runs there in
// slices like a step, so that Pause still answers.
//
// Apart from the controller because it decides where the run goes, not how it runs: it reaches the run
// state machine only through TravelHost.
import type { Engine } from '../hypervisor/engine';
import type { PlannedRun } from '../hypervisor/migration/planned-run';
import { HYPERVISOR_EVENT_KINDS, type RunState } from '../protocol/messages';
import type { TraceEvent } from '../trace/events';
import type { EventLog } from './event-log';
import type { EventStream } from './event-stream';

/** The run controller, as time travel uses it. */
export interface TravelHost {
  engine(): Engine | null;
  /** The engine with its planned checkpoints and migration, which seeks and advances through them. */
  plan(): PlannedRun | null;
  state(): RunState;
  /** Stops whatever runs (the timer, the slices) and leaves the run paused where it is. */
  halt(): void;
  /** Runs `count` more instructions in slices: a seek beyond the furthest moment reached. */
  runFor(count: number): void;
  /** After a jump in time: paused where the run is, or stopped if it had ended there; the page is told. */
  settle(): void;
  /** Tells the page where the run is (nothing moved). */
  flush(): void;
  /** Records how far the run has gone (not while Step to event overshoots). */
  noteProgress(): void;
}

export class TimeTravel {
  private furthestStep = 0;
  /** Step to event: the events counted when it began, and the first hypervisor event after them. */
  private watchFrom = Number.POSITIVE_INFINITY;
  private found: { index: number; event: TraceEvent } | null = null;

  constructor(
    private readonly host: TravelHost,
    private readonly log: EventLog,
    private readonly stream: EventStream,
  ) {}

  /** The furthest step the run has reached: the timeline's end, and up to where a seek forwards is a jump. */
  get furthest(): number {
    return this.furthestStep;
  }

  reached(steps: number): void {
    if (steps > this.furthestStep) this.furthestStep = steps;
  }

  /** The run's future changed at `steps` (a checkpoint taken or restored there): it has reached only that far. */
  truncate(steps: number): void {
    this.furthestStep = steps;
  }

  /** A new run: nothing reached, nothing watched for. */
  reset(): void {
    this.furthestStep = 0;
    this.unwatch();
  }

  /** Step to event: watches for the first hypervisor event from event `from` on. */
  watch(from: number): void {
    this.watchFrom = from;
    this.found = null;
  }

  unwatch(): void {
    this.watchFrom = Number.POSITIVE_INFINITY;
    this.found = null;
  }

  /** Every event of the run, as the engine emits it. */
  see(e: TraceEvent, index: number): void {
    if (this.found === null && index >= this.watchFrom && HYPERVISOR_EVENT_KINDS.has(e.kind)) this.found = { index, event: e };
  }

  /**
   * Step to event, once it found one: the run pauses at the first moment it has happened (seeking back
   * over what the chunk overshot). False while nothing is found yet.
   */
  stopAtFound(): boolean {
    const found = this.found;
    if (!found) return false;
    this.unwatch();
    this.goToEvent(found.index, found.event);
    this.host.settle();
    return true;
  }

  seek(steps: number): void {
    const engine = this.host.engine();
    if (!engine || this.host.state() === 'idle' || !Number.isFinite(steps)) {
      this.host.flush();
      return;
    }
    this.host.halt();
    const target = Math.max(0, Math.min(Math.floor(steps), engine.maxSteps));
    const present = engine.run.steps();
    if (target < present) {
      this.goTo(target);
      this.host.settle();
    } else if (target > present) {
      // A run that ended has no later moment; a moment already reached is a jump; beyond it, run there.
      if (this.host.state() === 'stopped') this.host.flush();
      else if (target <= this.furthestStep) {
        this.goTo(target);
        this.host.settle();
      } else this.host.runFor(target - present);
    } else this.host.flush();
  }

  stepBack(by: 'instruction' | 'event'): void {
    const engine = this.host.engine();
    if (!engine || this.host.state() === 'idle') {
      this.host.flush();
      return;
    }
    this.host.halt();
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
          this.host.settle();
          return;
        }
        continue;
      }
      this.goToEvent(index, event);
      this.host.settle();
      return;
    }
    this.goTo(0);
    this.host.settle();
  }

  /** Clicking an event: the run goes to the moment it happened (among those that have happened). */
  seekEvent(index: number): void {
    const engine = this.host.engine();
    const e = this.log.get(index);
    if (!engine || this.host.state() === 'idle' || !e || index >= engine.eventCount) {
      this.host.flush();
      return;
    }
    this.host.halt();
    this.goToEvent(index, e);
    this.host.settle();
  }

  /**
   * Puts the run at exactly `target` steps, at once: back by the engine's seek (checkpoints and replay;
   * the events it emits again reach the log and the stream as usual), forwards by advancing through
   * breakpoints. Only for short distances forwards (the slices do the long ones).
   */
  private goTo(target: number): void {
    const engine = this.host.engine()!;
    const run = this.host.plan() ?? engine;
    // Back in time, or forwards within what the run has already been through: the engine jumps from
    // its nearest checkpoint (the events of that stretch are in the log already).
    if (target < engine.run.steps() || target <= this.furthestStep) {
      this.stream.replay = true;
      run.seek(target);
      this.stream.rewind(engine.eventCount);
    }
    while (engine.run.steps() < target) {
      const stop = run.advance(target - engine.run.steps());
      if (stop === 'breakpoint') engine.resume();
      else if (stop) break;
    }
    this.host.noteProgress();
  }

  /**
   * Puts the run at the first moment at which event `index` has happened: its step when the event came
   * with the instruction that completed that step (an INT delivered as it retires), else the step after
   * (a trap on an instruction that then completes, or the first instruction of a handler).
   */
  private goToEvent(index: number, e: TraceEvent): void {
    const s = e.step ?? 0;
    this.goTo(s);
    if (this.host.engine()!.eventCount <= index) this.goTo(s + 1);
  }
}
