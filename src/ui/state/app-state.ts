// The page's state: what the user edits (source, technique), what the page's own assembler says about it,
// and what the engine worker last reported. Its shape and the questions asked of it live apart from the
// store's wiring to the worker, so that the reducer and the commands depend on the state alone.
import type { ExitControls, HypervisorType, PagingSetting, PresetId, TechniqueId, Vendor } from '../../config';
import type { Diagnostic } from '../../isa/assembler';
import type { Variant } from '../../isa/table';
import {
  DEFAULT_EVENT_FILTER,
  type DisplaySnapshot,
  type EventAt,
  type EventFilter,
  type EventKind,
  type RunStatus,
  type Speed,
  type TimelineView,
  type TraceEvent,
} from '../../protocol/messages';
import type { Scenario } from '../../scenario/scenario';
import { DEFAULT_SOURCE } from './defaults';
import { DEFAULT_META, type ScenarioMeta, scenarioOfFields } from './scenario-state';

/** Why the engine cannot run what is in the editor (assembly errors are diagnostics, not problems). */
export type Problem =
  | { readonly kind: 'refused'; readonly technique: TechniqueId; readonly reason: string }
  | { readonly kind: 'invalid'; readonly errors: readonly string[] }
  | { readonly kind: 'error'; readonly message: string };

/** One VM's program, as the scenario's `vms` entries. */
export interface VmSource {
  readonly name: string;
  readonly source: string;
}

/** A breakpoint on a 1-based line of a VM's program, as the scenario's `breakpoints` entries. */
export interface Breakpoint {
  readonly vm: number;
  readonly line: number;
}

export interface AppState {
  /** VM 0's program (the same text as `vms[0].source`), for what reads a single program. */
  readonly source: string;
  /** Every VM's program, in scenario order: the editor shows one tab per VM. */
  readonly vms: readonly VmSource[];
  /** The VM whose program the editor shows. */
  readonly activeVm: number;
  /** Breakpoints by VM and line: sent to the worker as they change, and with the scenario on every load. */
  readonly breakpoints: readonly Breakpoint[];
  /** Diagnostics of each VM's program (index = VM); `diagnostics` holds all of them. */
  readonly vmDiagnostics: readonly (readonly Diagnostic[])[];
  /** The instruction set variant the scenario is loaded with. */
  readonly isa: Variant;
  readonly technique: TechniqueId;
  /** Diagnostics of the source: from the page's assembler as you type, and from the worker on load. */
  readonly diagnostics: readonly Diagnostic[];
  readonly problem: Problem | null;
  readonly status: RunStatus;
  readonly snapshot: DisplaySnapshot | null;
  /** The most recent events (at most EVENTS_KEPT), oldest first. */
  readonly events: readonly TraceEvent[];
  /** Events the worker or the page left out of the list. */
  readonly eventsDropped: number;
  /** Events received since the last load, listed or not: gives each listed event a stable number. */
  readonly eventsTotal: number;
  /** What the worker has loaded (source and technique), to know when the editor is ahead of it. */
  readonly loadedKey: string | null;
  /** The machine settings beside technique and isa (a change loads the run again). */
  readonly settings: MachineSettings;
  /** How fast Run goes. */
  readonly speed: Speed;
  /** The run's timeline as far as it has gone (kept between snapshots, which carry it when it changed). */
  readonly timeline: TimelineView | null;
  /** Which events the Events panel lists. */
  readonly eventFilter: EventFilter;
  /** The newest events as they happened (not replayed by a seek): what the Machine panel animates. */
  readonly liveEvents: { readonly serial: number; readonly events: readonly TraceEvent[] };
  /** The rest of the scenario: title, notes, cost overrides, time slice, step limit, unknown fields. */
  readonly meta: ScenarioMeta;
  /** The library entry the scenario came from (its checklist and "Restore original"), if any. */
  readonly libraryId: string | null;
  /** Which of the library entry's "what to look for" steps are ticked. */
  readonly lookForDone: readonly number[];
  /** Presentation mode: large type, few panels, keyboard stepping. */
  readonly presentation: boolean;
  /** Why the link the page was opened with was refused (a banner until dismissed). */
  readonly linkProblem: string | null;
  /** What the last link or library scenario replaced, kept one step back (a notice offers it until dismissed). */
  readonly previousKept: string | null;
  /** Why the work could not be saved in the browser, if it could not. */
  readonly storageProblem: string | null;
  /** What the page has to say about the work once (a record set aside, a link's value ignored). */
  readonly workNotices: readonly string[];
  /** The sheet of every key (opened by `?` or the Keys button). */
  readonly keysOpen: boolean;
  /** A first visit: the page offers a lesson (until the work changes or the offer is dismissed). */
  readonly firstVisit: boolean;
  /** The VM whose registers and console the page shows; null: whichever VM the CPU runs (followed). */
  readonly viewVm: number | null;
  /** Loads sent to the engine, and answered by it (loaded, or refused with a reason): a link is kept once answered. */
  readonly loadsSent: number;
  readonly loadsAnswered: number;
  /** Another tab saved other work (its name): this tab keeps its own, and the notice offers the other's. */
  readonly otherTabWork: string | null;
  /** What the last checkpoint action said (a refusal's reason), shown by the Checkpoints panel. */
  readonly checkpointNotice: string | null;
  /** Predict the next event: the mode, the question being asked, the last answer and the session's score. */
  readonly predict: PredictState;
}

export interface PredictState {
  readonly on: boolean;
  /** The worker is being asked what comes next. */
  readonly asking: boolean;
  /** The question on screen: the true next event (not shown until answered) and the choices. */
  readonly question: { readonly next: EventAt; readonly choices: readonly EventKind[] } | null;
  /** The last answer, revealed. */
  readonly last: { readonly chosen: EventKind; readonly actual: EventKind } | null;
  readonly right: number;
  readonly answered: number;
}

export const PREDICT_OFF: PredictState = { on: false, asking: false, question: null, last: null, right: 0, answered: 0 };

/** Cost preset, paging, hypervisor type, the hardware's vendor and exit controls (undefined: the default). */
export interface MachineSettings {
  readonly preset: PresetId;
  readonly paging: PagingSetting;
  readonly hypervisorType: HypervisorType;
  /** Whose hardware assistance: Intel VT-x or AMD-V (the scenario's `hypervisor.vendor`). */
  readonly vendor: Vendor;
  readonly exits: Partial<ExitControls>;
}

export const DEFAULT_SETTINGS: MachineSettings = { preset: 'modern', paging: 'auto', hypervisorType: 1, vendor: 'intel', exits: {} };

export const EVENTS_KEPT = 200;

/**
 * The page runs until Pause rather than stopping at the scenario default of 10,000,000 steps: at tens of
 * millions of instructions a second that default would end a looping guest before anyone could pause it.
 * 10^12 is the largest step limit a scenario may ask for.
 */
export const INTERACTIVE_MAX_STEPS = 1e12;

export const IDLE: RunStatus = { state: 'idle', steps: 0, stop: null };

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export { isTechniqueId } from '../../config';

/** The state of a page just opened: the default program, nothing loaded yet. */
export function initialState(): AppState {
  return {
    source: DEFAULT_SOURCE,
    vms: [{ name: 'vm1', source: DEFAULT_SOURCE }],
    activeVm: 0,
    breakpoints: [],
    vmDiagnostics: [[]],
    isa: 'classic',
    technique: 'native',
    diagnostics: [],
    problem: null,
    status: IDLE,
    snapshot: null,
    events: [],
    eventsDropped: 0,
    eventsTotal: 0,
    loadedKey: null,
    settings: DEFAULT_SETTINGS,
    speed: 'full',
    timeline: null,
    eventFilter: DEFAULT_EVENT_FILTER,
    liveEvents: { serial: 0, events: [] },
    meta: DEFAULT_META,
    libraryId: null,
    lookForDone: [],
    presentation: false,
    linkProblem: null,
    previousKept: null,
    storageProblem: null,
    workNotices: [],
    otherTabWork: null,
    loadsSent: 0,
    loadsAnswered: 0,
    viewVm: null,
    keysOpen: false,
    firstVisit: false,
    checkpointNotice: null,
    predict: PREDICT_OFF,
  };
}

/** What the worker is given to run, as a string: equal keys mean the same run. */
export function keyOf(s: Pick<AppState, 'vms' | 'technique' | 'isa' | 'breakpoints' | 'settings' | 'meta'>): string {
  return JSON.stringify([
    s.vms,
    s.technique,
    s.isa,
    s.breakpoints,
    s.settings,
    s.meta.costs,
    s.meta.timeSlice,
    s.meta.checkpoints ?? [],
    s.meta.migration ?? null,
  ]);
}

/** The scenario the page holds: what the editor and the controls show, with the rest kept from where it came. */
export function scenarioOf(s: Pick<AppState, 'vms' | 'breakpoints' | 'technique' | 'isa' | 'settings' | 'meta'>): Scenario {
  return scenarioOfFields(s);
}

/** Whether the worker runs what the editor shows (so that addresses map to the editor's lines). */
export function editorIsLoaded(s: AppState): boolean {
  return s.loadedKey === keyOf(s);
}
