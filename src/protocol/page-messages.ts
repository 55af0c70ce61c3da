// What the page asks of the engine worker. Kept apart from the answers so that the worker's door check
// (isPageMessage) sits beside the union it checks: a new message needs a case in both.
import type { ExitControls, HypervisorType, PagingSetting, PresetId, TechniqueId } from '../config';
import type { Variant } from '../isa/table';
import type { EventFilter } from './event-kinds';

/** The formats an event trace is exported in. */
export type TraceFormat = 'json' | 'csv';

/** Options that override the scenario's own fields for this run (the CLI's --technique, --isa, …). */
export interface LoadOptions {
  readonly technique?: TechniqueId;
  readonly isa?: Variant;
  readonly preset?: PresetId;
  readonly paging?: PagingSetting;
  readonly maxSteps?: number;
  /** Stream hypervisor events (never `instruction` events) in `events` batches. */
  readonly events?: boolean;
  /** The hardware exit controls (hardware-assisted), replacing the scenario's `hypervisor.exits`. */
  readonly exits?: Partial<ExitControls>;
  /** Type 1 (bare-metal hypervisor) or type 2 (hosted), replacing the scenario's `hypervisor.type`. */
  readonly hypervisorType?: HypervisorType;
}

/**
 * One side of an A/B comparison: the settings one run is made under (the page's settings, pinned). Every
 * field is given, so that the two sides differ only where the person chose.
 */
export interface CompareSetting {
  readonly technique: TechniqueId;
  readonly isa: Variant;
  readonly preset: PresetId;
  readonly paging: PagingSetting;
  readonly hypervisorType: HypervisorType;
  readonly vendor: 'intel' | 'amd';
}

/** The run's speed: guest instructions per second, or as fast as the engine goes. */
export type Speed = number | 'full';

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
  /**
   * The next hypervisor event after the one the run is at, without moving the run (predict the next
   * event): answered by `next-event` with the same `request`.
   */
  | { readonly kind: 'peek-event'; readonly request: number }
  /** How fast `run` goes; at low speeds the run advances one instruction at a time on a timer. */
  | { readonly kind: 'speed'; readonly speed: Speed }
  /** Breakpoints by source line, replacing the current ones (the run is not reloaded). */
  | { readonly kind: 'breakpoints'; readonly breakpoints: readonly { readonly vm: number; readonly line: number }[] }
  /** Which guest-physical bytes the snapshot's `memory` shows: around an address, or around the PC (null). */
  | { readonly kind: 'memory-view'; readonly address: number | null }
  /**
   * The page has drawn the last display update. A page that sends it is sent the next update of a
   * running run only after it (flow control: a busy page is never sent more than it can draw, and a
   * `pause` finds no queue of updates before its answer); a page that never sends it gets one per frame.
   */
  | { readonly kind: 'drawn' }
  /** The watchdog's heartbeat: answered by `pong` at once, between two slices of a run. */
  | { readonly kind: 'ping'; readonly id: number }
  /**
   * Runs a scenario to its end under every technique (the Compare view; the engine's compareTechniques):
   * answered by `compare-results` or `compare-failed` with the same `request`. The page's bus sends it to
   * a short-lived worker of its own, so that the run in the main worker keeps answering. With `settings`
   * (A/B) the scenario runs under each of those instead, and the results come in the same order.
   */
  | {
      readonly kind: 'compare';
      readonly request: number;
      readonly scenario: unknown;
      readonly options: LoadOptions;
      readonly settings?: readonly CompareSetting[];
    }
  /** The page no longer wants the answer to `request` (the bus ends the comparison's worker). */
  | { readonly kind: 'cancel'; readonly request: number }
  /**
   * Evaluates "what to look for" checks (docs/checks.md: data, never code; the worker validates them) over
   * the run as it stands: its events up to now, each VM's state, console and counters. Bare metal, or the
   * other settings a check compares with, are run apart (at most CHECK_RUN_MAX_STEPS instructions). Answered
   * by `steps-checked` with the same `request`; `index` is the step's place in the scenario's `lookFor`.
   */
  | {
      readonly kind: 'check-steps';
      readonly request: number;
      readonly steps: readonly { readonly index: number; readonly check: unknown }[];
    }
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
    }
  /** Takes a checkpoint of VM `vm` at this moment (it joins the scenario's `checkpoints`). */
  | { readonly kind: 'checkpoint-take'; readonly vm: number }
  /** Puts the checkpoint's VM back to it at this moment. */
  | { readonly kind: 'checkpoint-restore'; readonly index: number }
  /** The checkpoint as a file (the command line's versioned format): answered by `checkpoint-file`. */
  | { readonly kind: 'checkpoint-file'; readonly request: number; readonly index: number }
  /** A checkpoint file opened by the user (untrusted text): answered by `checkpoint-opened`. */
  | { readonly kind: 'checkpoint-open'; readonly request: number; readonly text: string }
  /**
   * Runs the scenario with its migration by each method, pre-copy, post-copy and stop-and-copy (the page's
   * bus sends it to a short-lived worker, as `compare`): answered by `migration-compare-results` or `compare-failed`.
   */
  | { readonly kind: 'migration-compare'; readonly request: number; readonly scenario: unknown; readonly options: LoadOptions };

/** The largest `step` count the worker accepts in one message. */
export const MAX_STEP_COUNT = 1_000_000_000;
/** Events one trace export carries at most (the newest): a file a spreadsheet still opens. */
export const EXPORT_EVENT_LIMIT = 200_000;
/** A comparison runs each technique to this many guest instructions at most. */
export const COMPARE_MAX_STEPS = 10_000_000;
/** A check's runs beside the page's own (bare metal, `cheaper`) stop at this many instructions. */
export const CHECK_RUN_MAX_STEPS = 2_000_000;
/** Steps one `check-steps` carries at most (a scenario's `lookFor` has at most 32). */
export const CHECK_STEPS_LIMIT = 32;

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
    case 'compare': {
      const settings = (data as { settings?: unknown }).settings;
      return (
        typeof (data as { request?: unknown }).request === 'number' &&
        'scenario' in data &&
        typeof (data as { options?: unknown }).options === 'object' &&
        (settings === undefined || Array.isArray(settings))
      );
    }
    case 'cancel':
    case 'peek-event':
      return typeof (data as { request?: unknown }).request === 'number';
    case 'checkpoint-take':
      return typeof (data as { vm?: unknown }).vm === 'number';
    case 'checkpoint-restore':
      return typeof (data as { index?: unknown }).index === 'number';
    case 'checkpoint-file': {
      const d = data as { request?: unknown; index?: unknown };
      return typeof d.request === 'number' && typeof d.index === 'number';
    }
    case 'checkpoint-open': {
      const d = data as { request?: unknown; text?: unknown };
      return typeof d.request === 'number' && typeof d.text === 'string';
    }
    case 'migration-compare':
      return (
        typeof (data as { request?: unknown }).request === 'number' &&
        'scenario' in data &&
        typeof (data as { options?: unknown }).options === 'object'
      );
    case 'check-steps': {
      const d = data as { request?: unknown; steps?: unknown };
      return (
        typeof d.request === 'number' &&
        Array.isArray(d.steps) &&
        d.steps.every((s) => typeof s === 'object' && s !== null && Number.isInteger((s as { index?: unknown }).index))
      );
    }
    case 'export-events': {
      const d = data as { request?: unknown; format?: unknown };
      return typeof d.request === 'number' && (d.format === 'json' || d.format === 'csv');
    }
    case 'run':
    case 'pause':
    case 'drawn':
    case 'reset':
    case 'step-to-event':
      return true;
    default:
      return false;
  }
}
