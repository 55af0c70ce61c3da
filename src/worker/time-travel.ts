// Time travel: seeks, steps back, clicking an event, and where Step to event stops. A seek back is the
// engine's exact `seek` (checkpoints and replay), immediate; forwards within what the run has already
// been through it is a jump too (replay is deterministic); beyond that, the controller runs there in
// slices like a step, so that Pause still answers.
//
// The event cursor: Step to event and Back to event move one hypervisor event at a time, even among the
// events of one instruction (a trap, then its reflect). The cursor is a position in the event stream; the
// machine stands at the first moment at which the cursor's event has happened (goToEvent), which for
// events of one instruction is the same moment: the state after that instruction, or at the first
// instruction of the handler it entered. Stepping between events of one instruction moves the cursor
// only. Anything else that moves the run (Run, Step, a seek by steps) leaves the cursor at the present.
//
// Apart from the controller because it decides where the run goes, not how it runs: it reaches the run
// state machine only through TravelHost.
import type { Engine } from '../hypervisor/engine';
import type { PlannedRun } from '../hypervisor/migration/planned-run';
import { type EventAt, HYPERVISOR_EVENT_KINDS, type RunState } from '../protocol/messages';
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
  /** The event the run is at after Step to event, Back to event or a click; null: the present. */
  private cursor: number | null = null;

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
    this.cursor = null;
    this.unwatch();
  }

  /** The run moves by instructions (Run, Step, a seek): the cursor goes back to the present. */
  leaveCursor(): void {
    this.cursor = null;
  }

  /**
   * The event the run is at: the cursor's, or (at the present) the latest hypervisor event that has
   * happened. `chosen` says it is the cursor's (an event stepped to or clicked).
   */
  current(): EventAt | undefined {
    const engine = this.host.engine();
    if (!engine) return undefined;
    if (this.cursor !== null) {
      const event = this.log.get(this.cursor);
      const position = this.log.count('hypervisor', this.cursor);
      const listed = this.log.count('all-but-vmx', this.cursor);
      if (event && this.cursor < engine.eventCount) return { index: this.cursor, event, chosen: true, position, listed };
    }
    const latest = this.log.previousHypervisorEvent(engine.eventCount);
    return (
      latest && {
        index: latest.index,
        event: latest.event,
        chosen: false,
        position: this.log.count('hypervisor', latest.index),
        listed: this.log.count('all-but-vmx', latest.index),
      }
    );
  }

  /**
   * Step to event among the events that have already happened (the rest of one instruction's events):
   * the cursor moves to the next, the machine stays. False when the next one is still to come.
   */
  stepWithin(): boolean {
    const engine = this.host.engine();
    if (!engine || this.host.state() === 'idle' || this.cursor === null) return false;
    const next = this.log.nextHypervisorEvent(this.cursor);
    if (!next || next.index >= engine.eventCount) return false;
    this.host.halt();
    this.cursor = next.index;
    this.host.settle();
    return true;
  }

  /**
   * The next hypervisor event after the cursor (or the present), without moving the run: from the log
   * when it is known, else by running ahead at most `limit` instructions and seeking back (exact).
   * Null when the run ends or the limit passes first. For "predict the next event".
   */
  peek(limit: number): { index: number; event: TraceEvent } | null {
    const engine = this.host.engine();
    const state = this.host.state();
    if (!engine || state === 'idle' || state === 'running') return null;
    const known = this.log.nextHypervisorEvent(this.cursor ?? engine.eventCount - 1);
    if (known) return known;
    if (state === 'stopped') return null;
    const present = engine.run.steps();
    this.watch(engine.eventCount);
    while (!this.found && engine.run.steps() - present < limit) {
      const stop = engine.advance(Math.min(4096, limit - (engine.run.steps() - present)));
      if (stop === 'breakpoint') engine.resume();
      else if (stop) break;
    }
    const found = this.found;
    this.unwatch();
    this.reached(engine.run.steps());
    this.goTo(present);
    return found;
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
    this.cursor = found.index;
    this.host.settle();
    return true;
  }

  seek(steps: number): void {
    this.cursor = null;
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
    // From an event stepped to: the hypervisor event just before it in the stream, one at a time.
    if (this.cursor !== null) {
      const previous = this.log.previousHypervisorEvent(this.cursor);
      if (previous) {
        this.goToEvent(previous.index, previous.event);
        this.cursor = previous.index;
      } else {
        this.goTo(0);
        this.cursor = null;
      }
      this.host.settle();
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
          this.cursor = index;
          this.host.settle();
          return;
        }
        continue;
      }
      this.goToEvent(index, event);
      this.cursor = index;
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
    this.cursor = index;
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
