// The page's state: what the user edits (source, technique), what the page's own assembler says about it,
// and what the engine worker last reported. The worker's messages are folded in by `reduce` and applied
// at most once per animation frame, so a fast run never renders faster than the screen refreshes.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Diagnostic } from '../isa/assembler';
import type { Variant } from '../isa/table';
import {
  type DisplaySnapshot,
  type EngineBus,
  type EventFilter,
  type ExitControls,
  type LoadOptions,
  type PageMessage,
  type PresetId,
  type RunStatus,
  type Speed,
  TECHNIQUE_IDS,
  type TechniqueId,
  type TimelineView,
  type TraceEvent,
  type WorkerMessage,
} from '../protocol/messages';
import { type Scenario, scenarioToJson } from '../scenario/scenario';
import { DEFAULT_SOURCE } from './defaults';
import { EventRows } from './event-rows';
import { DEFAULT_META, fieldsOfScenario, libraryEntryOf, type ScenarioMeta, scenarioOfFields } from './scenario-state';

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
}

/** Cost preset, paging, hypervisor type and the hardware exit controls (undefined: the default). */
export interface MachineSettings {
  readonly preset: PresetId;
  readonly paging: 'auto' | 'shadow' | 'nested';
  readonly hypervisorType: 1 | 2;
  readonly exits: Partial<ExitControls>;
}

export const DEFAULT_SETTINGS: MachineSettings = { preset: 'modern', paging: 'auto', hypervisorType: 1, exits: {} };

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

export function isTechniqueId(v: string): v is TechniqueId {
  return (TECHNIQUE_IDS as readonly string[]).includes(v);
}

/** Folds one worker message into the state. Pure, so it is easy to test and to batch. */
export function reduce(s: AppState, m: WorkerMessage): Partial<AppState> {
  switch (m.kind) {
    case 'loaded':
      return { problem: null, events: [], eventsDropped: 0, eventsTotal: 0, timeline: null };
    case 'assembly-errors': {
      const vmDiagnostics = s.vms.map((_, vm) => m.errors.find((e) => e.vm === vm)?.diagnostics ?? []);
      return { diagnostics: vmDiagnostics.flat(), vmDiagnostics, problem: null, snapshot: null, status: IDLE };
    }
    case 'refused':
      return { problem: { kind: 'refused', technique: m.technique, reason: m.reason }, snapshot: null, status: IDLE };
    case 'invalid':
      return { problem: { kind: 'invalid', errors: m.errors }, snapshot: null, status: IDLE };
    case 'error':
      return { problem: { kind: 'error', message: m.message } };
    case 'status':
      return { status: m.status };
    case 'snapshot':
      return { snapshot: m.snapshot, ...(m.snapshot.timeline ? { timeline: m.snapshot.timeline } : {}) };
    case 'events': {
      // A batch continues the list, unless events were left out between (then the kept ones are older).
      const first = m.first ?? s.eventsTotal + m.dropped;
      const all = first === s.eventsTotal + m.dropped && m.dropped === 0 ? s.events.concat(m.events) : m.events;
      const cut = Math.max(0, all.length - EVENTS_KEPT);
      const live = m.replay ? {} : { liveEvents: { serial: s.liveEvents.serial + 1, events: m.events } };
      return {
        events: cut ? all.slice(cut) : all,
        eventsDropped: s.eventsDropped + m.dropped,
        eventsTotal: first + m.events.length,
        ...live,
      };
    }
    case 'events-cut': {
      // A seek went back: the list keeps its first `count` events (the replayed ones follow).
      if (m.count >= s.eventsTotal) return {};
      const keep = Math.max(0, s.events.length - (s.eventsTotal - m.count));
      return { events: s.events.slice(0, keep), eventsTotal: m.count };
    }
    case 'events-window':
      return {}; // rows of the Events panel: kept by EventRows, not in the state
    case 'pong':
      return {}; // the bus's watchdog; never reaches here
    case 'compare-results':
    case 'compare-failed':
    case 'events-export':
      return {}; // answers to requests: kept by whoever asked (see AppStore.ask)
    case 'restarted':
      return { problem: { kind: 'error', message: m.reason } };
    default: {
      const never: never = m;
      return { problem: { kind: 'error', message: `unknown message from the engine: ${JSON.stringify(never)}` } };
    }
  }
}

function keyOf(s: Pick<AppState, 'vms' | 'technique' | 'isa' | 'breakpoints' | 'settings' | 'meta'>): string {
  return JSON.stringify([s.vms, s.technique, s.isa, s.breakpoints, s.settings, s.meta.costs, s.meta.timeSlice]);
}

/** The scenario the page holds: what the editor and the controls show, with the rest kept from where it came. */
export function scenarioOf(s: Pick<AppState, 'vms' | 'breakpoints' | 'technique' | 'isa' | 'settings' | 'meta'>): Scenario {
  return scenarioOfFields(s);
}

/** Whether the worker runs what the editor shows (so that addresses map to the editor's lines). */
export function editorIsLoaded(s: AppState): boolean {
  return s.loadedKey === keyOf(s);
}

export interface Commands {
  /** Sets VM 0's program. */
  setSource(source: string): void;
  setVmSource(vm: number, source: string): void;
  /** Replaces every VM's program (a scenario with several VMs); breakpoints of VMs that are gone go too. */
  setVms(vms: readonly VmSource[]): void;
  setActiveVm(vm: number): void;
  /** VM 0's diagnostics. */
  setDiagnostics(diagnostics: readonly Diagnostic[]): void;
  setVmDiagnostics(vm: number, diagnostics: readonly Diagnostic[]): void;
  toggleBreakpoint(vm: number, line: number): void;
  /** Replaces one VM's breakpoints (the editor moves them with the lines they sit on). */
  setBreakpoints(vm: number, lines: readonly number[]): void;
  setTechnique(technique: TechniqueId): void;
  setIsa(isa: Variant): void;
  /** Sends the editor's program to the worker (a fresh run, paused at its first instruction). */
  load(): void;
  run(): void;
  pause(): void;
  step(count?: number): void;
  reset(): void;
  /** Changes cost preset, paging, hypervisor type or exit controls: the run is loaded again. */
  setSettings(patch: Partial<MachineSettings>): void;
  setSpeed(speed: Speed): void;
  /** Runs to the next hypervisor event. */
  stepToEvent(): void;
  /** One instruction back, or back to the previous hypervisor event. */
  stepBack(by: 'instruction' | 'event'): void;
  /** Moves the whole run to the moment `steps` instructions had retired. */
  seek(steps: number): void;
  /** Moves the run to the moment the `index`th event had happened. */
  seekEvent(index: number): void;
  setEventFilter(filter: EventFilter): void;
  /** Shows memory around a guest-physical address, or around the PC (null). */
  setMemoryAddress(address: number | null): void;
  /**
   * Replaces the whole scenario (a link, the library, saved work, "Restore original") and loads it.
   * `libraryId` names the library entry it is (found from its title and notes when not given).
   */
  openScenario(scenario: Scenario, libraryId?: string | null): void;
  /** Ticks or unticks a "what to look for" step. */
  setLookFor(index: number, done: boolean): void;
  setPresentation(on: boolean): void;
  /** Shows (or, with null, dismisses) the banner about a refused link. */
  setLinkProblem(reason: string | null): void;
  /** Goes to a moment of the run once the load under way has been answered (a link's `at=`). */
  seekWhenLoaded(steps: number): void;
}

/** The answers that come to one request of the page (a comparison, a trace export). */
export type Answer = Extract<WorkerMessage, { kind: 'compare-results' | 'compare-failed' | 'events-export' }>;
type Asking = Extract<PageMessage, { kind: 'compare' | 'export-events' }>;
/** A request without its number (the store numbers it). */
type Question = Asking extends infer A ? (A extends Asking ? Omit<A, 'request'> : never) : never;

export type AppStore = StoreApi<AppState> & {
  readonly commands: Commands;
  readonly rows: EventRows;
  /** Sends a request and resolves with its answer (null if cancelled or the engine failed first). */
  ask(message: Question): { answer: Promise<Answer | null>; cancel(): void };
  dispose(): void;
};

export function createAppStore(bus: EngineBus, schedule: (flush: () => void) => void = requestAnimationFrame): AppStore {
  const store = createStore<AppState>(() => ({
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
    eventFilter: 'all',
    liveEvents: { serial: 0, events: [] },
    meta: DEFAULT_META,
    libraryId: null,
    lookForDone: [],
    presentation: false,
    linkProblem: null,
    previousKept: null,
    storageProblem: null,
  }));
  const rows = new EventRows((m) => bus.send(m));
  let firstKept = 0;

  // Messages are folded into one pending patch and applied on the next frame.
  let pending: Partial<AppState> | null = null;
  const flush = () => {
    const patch = pending;
    pending = null;
    if (patch) store.setState(patch);
  };
  /** The state with every message received so far, drawn or not: what decisions are based on. */
  const latest = (): AppState => ({ ...store.getState(), ...pending });
  // Loads and resets sent but not yet answered. Each is answered by exactly one of these messages; while
  // one is outstanding, the worker's last status belongs to the run being replaced, and a Run or Step
  // sent now reaches the fresh run anyway.
  let outstandingLoads = 0;
  /** A moment to go to once the load under way is answered. */
  let pendingSeek: number | null = null;
  const ANSWERS_LOAD: ReadonlySet<WorkerMessage['kind']> = new Set(['loaded', 'assembly-errors', 'refused', 'invalid', 'error']);
  const asked = new Map<number, (a: Answer | null) => void>();
  let nextRequest = 1;
  const unsubscribe = bus.subscribe((m) => {
    if (m.kind === 'events-window') return rows.receive(m);
    if (m.kind === 'compare-results' || m.kind === 'compare-failed' || m.kind === 'events-export') {
      asked.get(m.request)?.(m);
      asked.delete(m.request);
      return;
    }
    if (m.kind === 'loaded') rows.clear();
    // The worker let its oldest events go: list positions now name other events.
    if (m.kind === 'snapshot' && (m.snapshot.eventsFirstKept ?? 0) !== firstKept) {
      firstKept = m.snapshot.eventsFirstKept ?? 0;
      rows.clear();
    }
    if (ANSWERS_LOAD.has(m.kind)) outstandingLoads = Math.max(0, outstandingLoads - 1);
    if (m.kind !== 'loaded' && ANSWERS_LOAD.has(m.kind)) pendingSeek = null;
    const first = pending === null;
    pending = { ...pending, ...reduce(latest(), m) };
    // A snapshot ends each update. While the run goes, updates wait for the next frame (one per frame);
    // a step, a step back or a seek is drawn at once, so that it is painted in the very next frame.
    if (m.kind === 'snapshot' && latest().status.state !== 'running') flush();
    else if (first) schedule(flush);
    if (m.kind === 'snapshot' && pendingSeek !== null && outstandingLoads === 0 && latest().status.state === 'paused') {
      const at = pendingSeek;
      pendingSeek = null;
      commands.seek(at);
    }
  });

  const options = (): LoadOptions => {
    const { technique, isa, settings } = store.getState();
    return {
      technique,
      isa,
      preset: settings.preset,
      paging: settings.paging,
      hypervisorType: settings.hypervisorType,
      exits: settings.exits,
      maxSteps: INTERACTIVE_MAX_STEPS,
      events: true,
    };
  };
  const setVms = (vms: readonly VmSource[]) => store.setState({ vms, source: vms[0]?.source ?? '' });
  /**
   * Breakpoints go to the worker as they change: it sets them in the run in place (the run keeps its
   * place, running or paused) and keeps them for later loads and resets. Every load carries them in
   * the scenario too.
   */
  const changeBreakpoints = (breakpoints: readonly Breakpoint[]) => {
    const before = latest();
    store.setState({ breakpoints });
    bus.send({ kind: 'breakpoints', breakpoints });
    // The run the worker holds has them now: if it was the editor's program, it still is.
    if (editorIsLoaded(before)) store.setState({ loadedKey: keyOf(store.getState()) });
  };
  const commands: Commands = {
    setSource: (source) => commands.setVmSource(0, source),
    setVmSource: (vm, source) => {
      const vms = store.getState().vms;
      if (vm < 0 || vm >= vms.length) return;
      setVms(vms.map((v, i) => (i === vm ? { ...v, source } : v)));
    },
    setVms: (vms) => {
      const s = store.getState();
      store.setState({
        activeVm: Math.min(s.activeVm, Math.max(0, vms.length - 1)),
        breakpoints: s.breakpoints.filter((b) => b.vm < vms.length),
        vmDiagnostics: vms.map(() => []),
        diagnostics: [],
      });
      setVms(vms);
    },
    setActiveVm: (vm) => {
      if (vm >= 0 && vm < store.getState().vms.length) store.setState({ activeVm: vm });
    },
    setDiagnostics: (diagnostics) => commands.setVmDiagnostics(0, diagnostics),
    setVmDiagnostics: (vm, d) => {
      const vmDiagnostics = store.getState().vms.map((_, i) => (i === vm ? d : (store.getState().vmDiagnostics[i] ?? [])));
      const diagnostics = vmDiagnostics.flat();
      store.setState({ diagnostics, vmDiagnostics });
      // With nothing runnable loaded, a program that assembles is loaded at once: the panels show its
      // first instruction, and a technique that refuses it says so before anyone presses Run.
      const s = latest();
      if (!hasErrors(diagnostics) && s.status.state === 'idle' && s.loadedKey !== keyOf(s)) commands.load();
    },
    toggleBreakpoint: (vm, line) => {
      const list = store.getState().breakpoints;
      const on = list.some((b) => b.vm === vm && b.line === line);
      changeBreakpoints(on ? list.filter((b) => b.vm !== vm || b.line !== line) : [...list, { vm, line }]);
    },
    setBreakpoints: (vm, lines) => {
      const list = store.getState().breakpoints;
      const mine = [...new Set(lines)].sort((a, b) => a - b);
      const old = list.filter((b) => b.vm === vm).map((b) => b.line);
      if (old.length === mine.length && old.every((l, i) => l === mine[i])) return;
      changeBreakpoints([...list.filter((b) => b.vm !== vm), ...mine.map((line) => ({ vm, line }))]);
    },
    setTechnique: (technique) => {
      store.setState({ technique });
      commands.load();
    },
    setIsa: (isa) => {
      store.setState({ isa });
      commands.load();
    },
    load: () => {
      const s = store.getState();
      store.setState({ loadedKey: keyOf(s) });
      outstandingLoads++;
      bus.send({ kind: 'load', scenario: scenarioToJson(scenarioOf(s)), options: options() });
    },
    run: () => {
      prepareToGo();
      bus.send({ kind: 'run' });
    },
    pause: () => {
      bus.send({ kind: 'pause' });
    },
    step: (count = 1) => {
      prepareToGo();
      bus.send({ kind: 'step', count });
    },
    reset: () => {
      const s = latest();
      if (s.loadedKey !== keyOf(s)) commands.load();
      else if (outstandingLoads > 0) return;
      else if (s.status.state === 'idle') commands.load();
      else sendReset();
    },
    setSettings: (patch) => {
      store.setState({ settings: { ...store.getState().settings, ...patch } });
      commands.load();
    },
    setSpeed: (speed) => {
      store.setState({ speed });
      bus.send({ kind: 'speed', speed });
    },
    stepToEvent: () => {
      prepareToGo();
      bus.send({ kind: 'step-to-event' });
    },
    stepBack: (by) => {
      if (canTravel()) bus.send({ kind: 'step-back', by });
    },
    seek: (steps) => {
      if (canTravel()) bus.send({ kind: 'seek', steps });
    },
    seekEvent: (index) => {
      if (canTravel()) bus.send({ kind: 'seek-event', index });
    },
    setEventFilter: (eventFilter) => store.setState({ eventFilter }),
    setMemoryAddress: (address) => bus.send({ kind: 'memory-view', address }),
    openScenario: (scenario, libraryId) => {
      const f = fieldsOfScenario(scenario);
      const id = libraryId === undefined ? (libraryEntryOf(scenario)?.id ?? null) : libraryId;
      const s = store.getState();
      store.setState({
        ...f,
        settings: {
          ...f.settings,
          exits: { ...f.settings.exits, exceptions: f.settings.exits.exceptions && [...f.settings.exits.exceptions] },
        },
        source: f.vms[0]?.source ?? '',
        activeVm: 0,
        vmDiagnostics: f.vms.map(() => []),
        diagnostics: [],
        libraryId: id,
        lookForDone: id !== null && id === s.libraryId ? s.lookForDone : [],
      });
      // The worker keeps the breakpoints it was last sent for later loads: these are the scenario's.
      bus.send({ kind: 'breakpoints', breakpoints: f.breakpoints });
      commands.load();
    },
    setLookFor: (index, done) => {
      const list = store.getState().lookForDone.filter((i) => i !== index);
      store.setState({ lookForDone: done ? [...list, index].sort((a, b) => a - b) : list });
    },
    setPresentation: (presentation) => store.setState({ presentation }),
    setLinkProblem: (linkProblem) => store.setState({ linkProblem }),
    seekWhenLoaded: (steps) => {
      pendingSeek = steps;
    },
  };

  /** Time travel moves within the run the editor shows; a run being replaced has no timeline yet. */
  function canTravel(): boolean {
    const s = latest();
    return s.loadedKey === keyOf(s) && outstandingLoads === 0 && s.status.state !== 'idle';
  }

  function sendReset() {
    outstandingLoads++;
    bus.send({ kind: 'reset' });
  }

  /** Run and Step use what the editor holds now, and start over once a run has ended. */
  function prepareToGo() {
    const s = latest();
    if (s.loadedKey !== keyOf(s)) commands.load();
    else if (outstandingLoads > 0) return;
    else if (s.status.state === 'idle') commands.load();
    else if (s.status.state === 'stopped') sendReset();
  }

  const ask = (message: Question) => {
    const request = nextRequest++;
    const answer = new Promise<Answer | null>((resolve) => asked.set(request, resolve));
    bus.send({ ...message, request } as Asking);
    return {
      answer,
      cancel: () => {
        asked.get(request)?.(null);
        asked.delete(request);
        bus.send({ kind: 'cancel', request });
      },
    };
  };

  return Object.assign(store, {
    commands,
    rows,
    ask,
    dispose: () => {
      for (const resolve of asked.values()) resolve(null);
      asked.clear();
      unsubscribe();
      bus.dispose();
    },
  });
}
