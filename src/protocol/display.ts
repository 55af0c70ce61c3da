// What the page draws of the run: the status and the snapshot the worker posts about once a frame. Bounded
// by construction (a console tail, a window of memory, a histogram of the timeline), so that a run of
// billions of instructions costs the page no more to draw than a short one.
import type { PresetId, TechniqueId } from '../config';
import type { Variant } from '../isa/table';
import type { EventFilter, TimelineCategory } from './event-kinds';
import type { TraceEvent, VmState } from './events';
import type { Inspection } from './inspection';
import type { CheckpointSummary, MigrationView } from './migration';
import type { Speed } from './page-messages';
import type { Counters, CpuView, StopReason } from './views';

/** Where the run controller is. `idle`: nothing runnable is loaded. `stopped`: the run ended (see `stop`). */
export type RunState = 'idle' | 'running' | 'paused' | 'stopped';

/** An event of the run with its index in the run's event list. */
export interface EventAt {
  readonly index: number;
  readonly event: TraceEvent;
  /** The run is at this event because it was stepped to (Step to event, Back to event) or clicked. */
  readonly chosen?: boolean;
  /** Its place among the hypervisor events kept (a row of the sequence view). */
  readonly position?: number;
  /** Its place among the events kept that the default filter lists (all but vmx): the Events panel's row. */
  readonly listed?: number;
}

export interface RunStatus {
  readonly state: RunState;
  /** Guest instructions executed so far, all VMs: where the run is now on its timeline. */
  readonly steps: number;
  /** Why the engine last stopped, once it has (a `breakpoint` stop leaves the run paused). */
  readonly stop: StopReason | null;
  /** The engine's own failure, when `stop` is `error`. */
  readonly error?: string;
  /**
   * The event the run is at: the one Step to event / Back to event stepped to or the one clicked
   * (`chosen`), else the latest hypervisor event that has happened. Absent before any.
   */
  readonly event?: EventAt;
}

/** The whole run as far as it has gone (the future of a seek included: replay is deterministic). */
export interface TimelineView {
  /** The furthest step the run has reached: the timeline's end. */
  readonly furthest: number;
  readonly bucketWidth: number;
  readonly buckets: Readonly<Record<TimelineCategory, readonly number[]>>;
  /** Where fidelity violations happened (steps), at most TIMELINE_MARKS of them. */
  readonly violations: readonly number[];
}

/** Guest-physical bytes of one VM around an address (the PC, unless the page chose one). */
export interface MemoryView {
  readonly vm: number;
  /** The guest-physical address of bytes[0]. */
  readonly base: number;
  readonly bytes: readonly number[];
  /** The guest-physical address of the PC's instruction, or null when it is not mapped. */
  readonly pcPhysical: number | null;
  /** Whether the view follows the PC. */
  readonly followsPc: boolean;
  /** The address the view is centred on (the PC's physical address, or the one asked for). */
  readonly focus: number;
}

export interface VmDisplay {
  readonly name: string;
  readonly state: VmState;
  readonly exitCode: number | null;
  readonly crashReason?: string;
  /** The end of the console (at most CONSOLE_TAIL characters). */
  readonly console: string;
  /** Characters of console output in total, so the page can say how much was cut. */
  readonly consoleLength: number;
  readonly cpu: CpuView;
  readonly counters: Counters;
  readonly fidelityViolations: number;
}

/** What the page draws; posted at most about once per frame while running, never per instruction. */
export interface DisplaySnapshot {
  readonly technique: TechniqueId;
  readonly isa: Variant;
  readonly preset: PresetId;
  readonly paging: string;
  readonly steps: number;
  readonly vms: readonly VmDisplay[];
  readonly counters: Counters;
  readonly cycles: { readonly total: number; readonly byCategory: Readonly<Record<string, number>> };
  /** Virtual against real state, memory structures, VMCS, translation cache, hypercalls. */
  readonly inspection?: Inspection;
  readonly memory?: MemoryView;
  /** Events emitted up to this moment (the length of the event list). */
  readonly eventCount?: number;
  /**
   * The index of the oldest event the worker still keeps (non-zero once a long run made it let the
   * oldest go): list positions count from it, so when it moves, positions mean other events.
   */
  readonly eventsFirstKept?: number;
  /** Of those, how many each filter selects (the kinds that occurred, 'all', 'all-but-vmx' and 'hypervisor'). */
  readonly eventCounts?: Readonly<Partial<Record<EventFilter, number>>>;
  readonly timeline?: TimelineView;
  readonly speed?: Speed;
  /** The run's checkpoints (taken, restored, opened from files), when it has any. */
  readonly checkpoints?: readonly CheckpointSummary[];
  /** The live migration at this moment, once it has begun (null: the scenario has one, not begun yet). */
  readonly migration?: MigrationView | null;
}

/** Console characters carried by a snapshot: enough for any screen, bounded for a guest that prints forever. */
export const CONSOLE_TAIL = 64 * 1024;
/** Fidelity violations marked individually on the timeline at most. */
export const TIMELINE_MARKS = 500;
/** Buckets of the timeline's histogram. */
export const TIMELINE_BUCKETS = 512;
