// The typed messages between the page and the engine worker: the only module both sides import.
// Every message is a discriminated union on `kind`, so each side handles them in one exhaustive switch.
// Messages are structured-clone data only (no classes, no functions), so the same protocol works across
// a Worker and in-process (the controller's tests, a future headless page).
//
// Types are imported from the engine as types only: nothing of the engine is bundled into the page by
// this module, except the list of technique ids (a constant with no dependencies).

import type { PresetId } from '../hypervisor/costs';
import type { CompareEntry, StopReason } from '../hypervisor/engine';
import type { Inspection } from '../hypervisor/inspection';
import type { CpuView, ExitControls, TechniqueId } from '../hypervisor/technique';
import type { Diagnostic } from '../isa/assembler';
import type { Variant } from '../isa/table';
import type { Counters, EventKind, TraceEvent, VmState } from '../trace/events';

export type {
  Inspection,
  PageTableEntry,
  RealCpu,
  ShadowEntry,
  TlbEntry,
  TranslatedBlockView,
  VmcsView,
  VmInspection,
} from '../hypervisor/inspection';
export { TECHNIQUE_IDS } from '../hypervisor/technique';
export type {
  CompareEntry,
  Counters,
  CpuView,
  Diagnostic,
  EventKind,
  ExitControls,
  PresetId,
  StopReason,
  TechniqueId,
  TraceEvent,
  Variant,
  VmState,
};

/** The formats an event trace is exported in. */
export type TraceFormat = 'json' | 'csv';

/** Options that override the scenario's own fields for this run (the CLI's --technique, --isa, …). */
export interface LoadOptions {
  readonly technique?: TechniqueId;
  readonly isa?: Variant;
  readonly preset?: PresetId;
  readonly paging?: 'auto' | 'shadow' | 'nested';
  readonly maxSteps?: number;
  /** Stream hypervisor events (never `instruction` events) in `events` batches. */
  readonly events?: boolean;
  /** The hardware exit controls (hardware-assisted), replacing the scenario's `hypervisor.exits`. */
  readonly exits?: Partial<ExitControls>;
  /** Type 1 (bare-metal hypervisor) or type 2 (hosted), replacing the scenario's `hypervisor.type`. */
  readonly hypervisorType?: 1 | 2;
}

/**
 * Which events a list shows: all of them, the hypervisor's work only (see HYPERVISOR_EVENT_KINDS), or
 * one kind.
 */
export type EventFilter = 'all' | 'hypervisor' | EventKind;

/** The run's speed: guest instructions per second, or as fast as the engine goes. */
export type Speed = number | 'full';

// ---- page → worker ----

export type PageMessage =
  /** Validates and prepares a scenario (untrusted JSON); answered by `loaded` or one of its refusals. */
  | { readonly kind: 'load'; readonly scenario: unknown; readonly options: LoadOptions }
  /** Runs (or continues) until every VM stops, a breakpoint, the step limit, or `pause`. */
  | { readonly kind: 'run' }
  | { readonly kind: 'pause' }
  /** Runs exactly `count` more guest instructions (fewer if the run stops first), then pauses. */
  | { readonly kind: 'step'; readonly count: number }
  /** Prepares the last loaded scenario again, from its first instruction. */
  | { readonly kind: 'reset' }
  /**
   * Puts the whole run at the moment `steps` guest instructions had retired (time travel). Backwards it
   * is exact and immediate (checkpoints and replay; the page is told to cut its event list with
   * `events-cut`); forwards the run goes there in slices like a `step`, so Pause still answers.
   */
  | { readonly kind: 'seek'; readonly steps: number }
  /** Goes to the first moment at which the `index`th event of the run had happened (an event clicked). */
  | { readonly kind: 'seek-event'; readonly index: number }
  /** One instruction back, or back to the moment of the previous hypervisor event. */
  | { readonly kind: 'step-back'; readonly by: 'instruction' | 'event' }
  /**
   * Runs until the next hypervisor event (HYPERVISOR_EVENT_KINDS) and pauses at the first moment it has
   * happened (with the instruction it came with, or just after it).
   */
  | { readonly kind: 'step-to-event' }
  /** How fast `run` goes; at low speeds the run advances one instruction at a time on a timer. */
  | { readonly kind: 'speed'; readonly speed: Speed }
  /** Breakpoints by source line, replacing the current ones (the run is not reloaded). */
  | { readonly kind: 'breakpoints'; readonly breakpoints: readonly { readonly vm: number; readonly line: number }[] }
  /** Which guest-physical bytes the snapshot's `memory` shows: around an address, or around the PC (null). */
  | { readonly kind: 'memory-view'; readonly address: number | null }
  /** The watchdog's heartbeat: answered by `pong` at once, between two slices of a run. */
  | { readonly kind: 'ping'; readonly id: number }
  /**
   * Runs a scenario to its end under every technique (the Compare view; the engine's compareTechniques):
   * answered by `compare-results` or `compare-failed` with the same `request`. The page's bus sends it to
   * a short-lived worker of its own, so that the run in the main worker keeps answering.
   */
  | { readonly kind: 'compare'; readonly request: number; readonly scenario: unknown; readonly options: LoadOptions }
  /** The page no longer wants the answer to `request` (the bus ends the comparison's worker). */
  | { readonly kind: 'cancel'; readonly request: number }
  /** The run's events up to now (at most EXPORT_EVENT_LIMIT, the newest) as a trace file: answered by `events-export`. */
  | { readonly kind: 'export-events'; readonly request: number; readonly format: TraceFormat }
  /**
   * Asks for `count` events of the list that `filter` selects, from its `from`th (0 = the oldest kept),
   * among those that have happened by now; answered by an `events-window` with the same `request`.
   */
  | {
      readonly kind: 'events-window';
      readonly request: number;
      readonly filter: EventFilter;
      readonly from: number;
      readonly count: number;
    };

// ---- worker → page ----

/** Where the run controller is. `idle`: nothing runnable is loaded. `stopped`: the run ended (see `stop`). */
export type RunState = 'idle' | 'running' | 'paused' | 'stopped';

export interface RunStatus {
  readonly state: RunState;
  /** Guest instructions executed so far, all VMs: where the run is now on its timeline. */
  readonly steps: number;
  /** Why the engine last stopped, once it has (a `breakpoint` stop leaves the run paused). */
  readonly stop: StopReason | null;
  /** The engine's own failure, when `stop` is `error`. */
  readonly error?: string;
}

/** Events of one timeline category, counted per bucket of `TimelineView.bucketWidth` steps. */
export type TimelineCategory = 'trap' | 'exit' | 'hypercall' | 'switch' | 'translate' | 'interrupt' | 'fidelity' | 'state';

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
  /** Of those, how many each filter selects (the kinds that occurred, 'all' and 'hypervisor'). */
  readonly eventCounts?: Readonly<Partial<Record<EventFilter, number>>>;
  readonly timeline?: TimelineView;
  readonly speed?: Speed;
}

export interface VmAssemblyErrors {
  readonly vm: number;
  readonly name: string;
  readonly diagnostics: readonly Diagnostic[];
}

export type WorkerMessage =
  | { readonly kind: 'loaded'; readonly technique: TechniqueId; readonly vms: readonly string[] }
  | { readonly kind: 'assembly-errors'; readonly errors: readonly VmAssemblyErrors[] }
  /** The technique cannot run this scenario (for example native with two VMs); the reason is for people. */
  | { readonly kind: 'refused'; readonly technique: TechniqueId; readonly reason: string }
  /** The scenario is malformed; each error names its field. */
  | { readonly kind: 'invalid'; readonly errors: readonly string[] }
  | { readonly kind: 'status'; readonly status: RunStatus }
  | { readonly kind: 'snapshot'; readonly snapshot: DisplaySnapshot }
  /**
   * Events since the last batch; `dropped` counts those left out (the oldest) to keep a batch bounded.
   * `first` is the index of events[0] in the run's event list (when given); `replay` marks events that a
   * seek produced again (not worth animating).
   */
  | {
      readonly kind: 'events';
      readonly events: readonly TraceEvent[];
      readonly dropped: number;
      readonly first?: number;
      readonly replay?: boolean;
    }
  /** A seek went back in time: the page's event list keeps its first `count` events; replayed ones follow. */
  | { readonly kind: 'events-cut'; readonly count: number }
  | { readonly kind: 'pong'; readonly id: number }
  /** Said by the page's side of the bus: the worker stopped answering and was replaced (the program is loaded again). */
  | { readonly kind: 'restarted'; readonly reason: string }
  /** The answer to an `events-window` request. */
  | {
      readonly kind: 'events-window';
      readonly request: number;
      readonly filter: EventFilter;
      readonly from: number;
      /** How many events the filter selects in all (up to now). */
      readonly total: number;
      readonly items: readonly { readonly index: number; readonly event: TraceEvent }[];
    }
  /** Every technique's run of the scenario, in TECHNIQUE_IDS order (skipped ones with their reason). */
  | { readonly kind: 'compare-results'; readonly request: number; readonly results: readonly CompareEntry[] }
  /** The scenario could not be compared (invalid, or its programs do not assemble). */
  | { readonly kind: 'compare-failed'; readonly request: number; readonly errors: readonly string[] }
  /** The trace file asked for: `count` events, the newest of the `total` the run has had up to now. */
  | {
      readonly kind: 'events-export';
      readonly request: number;
      readonly format: TraceFormat;
      readonly text: string;
      readonly count: number;
      readonly total: number;
    }
  /** A message the worker could not act on, or a failure of its own. */
  | { readonly kind: 'error'; readonly message: string };

export type WorkerMessageKind = WorkerMessage['kind'];

/** Console characters carried by a snapshot: enough for any screen, bounded for a guest that prints forever. */
export const CONSOLE_TAIL = 64 * 1024;
/** Events carried by one batch at most. */
export const EVENT_BATCH_LIMIT = 2000;
/** The largest `step` count the worker accepts in one message. */
export const MAX_STEP_COUNT = 1_000_000_000;
/** Events one `events-window` answer carries at most. */
export const EVENT_WINDOW_LIMIT = 500;
/** Events one trace export carries at most (the newest): a file a spreadsheet still opens. */
export const EXPORT_EVENT_LIMIT = 200_000;
/** A comparison runs each technique to this many guest instructions at most. */
export const COMPARE_MAX_STEPS = 10_000_000;
/** Fidelity violations marked individually on the timeline at most. */
export const TIMELINE_MARKS = 500;
/** Buckets of the timeline's histogram. */
export const TIMELINE_BUCKETS = 512;

/**
 * The hypervisor's work: what "Step to event" stops at and "step back by event" goes back to. Console
 * output, port I/O, TLB flushes and translation-cache hits are too frequent to step through one by one;
 * a CPU-delivered interrupt is included because it moves the guest between its kernel and user code.
 */
export const HYPERVISOR_EVENT_KINDS: ReadonlySet<EventKind> = new Set<EventKind>([
  'trap',
  'emulate',
  'reflect',
  'inject',
  'vm-exit',
  'vm-entry',
  'hypercall',
  'translate',
  'tc-invalidate',
  'world-switch',
  'shadow-update',
  'hidden-fault',
  'fidelity-violation',
  'vm-state',
  'interrupt',
  'checkpoint',
  'restore',
  'migrate-round',
]);

/** Every kind of event, in the order lists and filters show them. */
export const EVENT_KINDS: readonly EventKind[] = [
  'trap',
  'emulate',
  'reflect',
  'inject',
  'interrupt',
  'vm-exit',
  'vm-entry',
  'hypercall',
  'translate',
  'tc-hit',
  'tc-invalidate',
  'world-switch',
  'shadow-update',
  'hidden-fault',
  'tlb-flush',
  'io',
  'console',
  'fidelity-violation',
  'vm-state',
  'checkpoint',
  'restore',
  'migrate-round',
  'instruction',
];

/** The timeline category of an event kind (null: not marked on the timeline). */
export function timelineCategory(kind: EventKind): TimelineCategory | null {
  switch (kind) {
    case 'trap':
    case 'emulate':
    case 'reflect':
    case 'inject':
    case 'hidden-fault':
    case 'shadow-update':
      return 'trap';
    case 'vm-exit':
    case 'vm-entry':
      return 'exit';
    case 'hypercall':
      return 'hypercall';
    case 'world-switch':
    case 'checkpoint':
    case 'restore':
    case 'migrate-round':
      return 'switch';
    case 'translate':
    case 'tc-invalidate':
      return 'translate';
    case 'interrupt':
      return 'interrupt';
    case 'fidelity-violation':
      return 'fidelity';
    case 'vm-state':
      return 'state';
    case 'instruction':
    case 'tc-hit':
    case 'tlb-flush':
    case 'io':
    case 'console':
      return null;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export const TIMELINE_CATEGORIES: readonly TimelineCategory[] = [
  'trap',
  'exit',
  'hypercall',
  'switch',
  'translate',
  'interrupt',
  'fidelity',
  'state',
];

/** Whether `filter` selects events of `kind`. */
export function filterSelects(filter: EventFilter, kind: EventKind): boolean {
  return filter === 'all' || (filter === 'hypervisor' ? HYPERVISOR_EVENT_KINDS.has(kind) : filter === kind);
}

/**
 * One message interface that works the same across a Worker and in-process (v86's worker_bus): the page
 * talks to an EngineBus and never knows which one it has.
 */
export interface EngineBus {
  send(message: PageMessage): void;
  /** Calls `listener` for every message from the engine; returns the unsubscribe function. */
  subscribe(listener: (message: WorkerMessage) => void): () => void;
  dispose(): void;
}

/** Shape check for messages arriving from the other side (a worker is trusted code, but typos are not). */
export function isPageMessage(data: unknown): data is PageMessage {
  if (typeof data !== 'object' || data === null) return false;
  const kind = (data as { kind?: unknown }).kind;
  switch (kind) {
    case 'load':
      return 'scenario' in data && typeof (data as { options?: unknown }).options === 'object';
    case 'step':
      return typeof (data as { count?: unknown }).count === 'number';
    case 'seek':
      return typeof (data as { steps?: unknown }).steps === 'number';
    case 'seek-event':
      return typeof (data as { index?: unknown }).index === 'number';
    case 'ping':
      return typeof (data as { id?: unknown }).id === 'number';
    case 'step-back': {
      const by = (data as { by?: unknown }).by;
      return by === 'instruction' || by === 'event';
    }
    case 'speed': {
      const speed = (data as { speed?: unknown }).speed;
      return speed === 'full' || typeof speed === 'number';
    }
    case 'breakpoints':
      return Array.isArray((data as { breakpoints?: unknown }).breakpoints);
    case 'memory-view': {
      const address = (data as { address?: unknown }).address;
      return address === null || typeof address === 'number';
    }
    case 'events-window': {
      const d = data as { request?: unknown; filter?: unknown; from?: unknown; count?: unknown };
      return typeof d.request === 'number' && typeof d.filter === 'string' && typeof d.from === 'number' && typeof d.count === 'number';
    }
    case 'compare':
      return (
        typeof (data as { request?: unknown }).request === 'number' &&
        'scenario' in data &&
        typeof (data as { options?: unknown }).options === 'object'
      );
    case 'cancel':
      return typeof (data as { request?: unknown }).request === 'number';
    case 'export-events': {
      const d = data as { request?: unknown; format?: unknown };
      return typeof d.request === 'number' && (d.format === 'json' || d.format === 'csv');
    }
    case 'run':
    case 'pause':
    case 'reset':
    case 'step-to-event':
      return true;
    default:
      return false;
  }
}
