// The page's state: what the user edits (source, technique), what the page's own assembler says about it,
// and what the engine worker last reported. The worker's messages are folded in by `reduce` and applied
// at most once per animation frame, so a fast run never renders faster than the screen refreshes.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Diagnostic } from '../isa/assembler';
import {
  type DisplaySnapshot,
  type EngineBus,
  type LoadOptions,
  type RunStatus,
  TECHNIQUE_IDS,
  type TechniqueId,
  type TraceEvent,
  type WorkerMessage,
} from '../protocol/messages';
import { DEFAULT_SOURCE } from './defaults';

/** Why the engine cannot run what is in the editor (assembly errors are diagnostics, not problems). */
export type Problem =
  | { readonly kind: 'refused'; readonly technique: TechniqueId; readonly reason: string }
  | { readonly kind: 'invalid'; readonly errors: readonly string[] }
  | { readonly kind: 'error'; readonly message: string };

export interface AppState {
  readonly source: string;
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
}

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
      return { problem: null, events: [], eventsDropped: 0, eventsTotal: 0 };
    case 'assembly-errors':
      // The editor holds VM 0; other VMs' errors would come with a multi-VM editor.
      return { diagnostics: m.errors.find((e) => e.vm === 0)?.diagnostics ?? [], problem: null, snapshot: null, status: IDLE };
    case 'refused':
      return { problem: { kind: 'refused', technique: m.technique, reason: m.reason }, snapshot: null, status: IDLE };
    case 'invalid':
      return { problem: { kind: 'invalid', errors: m.errors }, snapshot: null, status: IDLE };
    case 'error':
      return { problem: { kind: 'error', message: m.message } };
    case 'status':
      return { status: m.status };
    case 'snapshot':
      return { snapshot: m.snapshot };
    case 'events': {
      const all = s.events.concat(m.events);
      const cut = Math.max(0, all.length - EVENTS_KEPT);
      return {
        events: cut ? all.slice(cut) : all,
        eventsDropped: s.eventsDropped + m.dropped,
        eventsTotal: s.eventsTotal + m.events.length,
      };
    }
    default: {
      const never: never = m;
      return { problem: { kind: 'error', message: `unknown message from the engine: ${JSON.stringify(never)}` } };
    }
  }
}

function keyOf(s: Pick<AppState, 'source' | 'technique'>): string {
  return JSON.stringify([s.source, s.technique]);
}

/** Whether the worker runs what the editor shows (so that addresses map to the editor's lines). */
export function editorIsLoaded(s: AppState): boolean {
  return s.loadedKey === keyOf(s);
}

export interface Commands {
  setSource(source: string): void;
  setDiagnostics(diagnostics: readonly Diagnostic[]): void;
  setTechnique(technique: TechniqueId): void;
  /** Sends the editor's program to the worker (a fresh run, paused at its first instruction). */
  load(): void;
  run(): void;
  pause(): void;
  step(count?: number): void;
  reset(): void;
}

export type AppStore = StoreApi<AppState> & { readonly commands: Commands; dispose(): void };

export function createAppStore(bus: EngineBus, schedule: (flush: () => void) => void = requestAnimationFrame): AppStore {
  const store = createStore<AppState>(() => ({
    source: DEFAULT_SOURCE,
    technique: 'native',
    diagnostics: [],
    problem: null,
    status: IDLE,
    snapshot: null,
    events: [],
    eventsDropped: 0,
    eventsTotal: 0,
    loadedKey: null,
  }));

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
  const ANSWERS_LOAD: ReadonlySet<WorkerMessage['kind']> = new Set(['loaded', 'assembly-errors', 'refused', 'invalid', 'error']);
  const unsubscribe = bus.subscribe((m) => {
    if (ANSWERS_LOAD.has(m.kind)) outstandingLoads = Math.max(0, outstandingLoads - 1);
    const first = pending === null;
    pending = { ...pending, ...reduce(latest(), m) };
    if (first) schedule(flush);
  });

  const options = (): LoadOptions => ({ technique: store.getState().technique, maxSteps: INTERACTIVE_MAX_STEPS, events: true });
  const commands: Commands = {
    setSource: (source) => store.setState({ source }),
    setDiagnostics: (diagnostics) => {
      store.setState({ diagnostics });
      // With nothing runnable loaded, a program that assembles is loaded at once: the panels show its
      // first instruction, and a technique that refuses it says so before anyone presses Run.
      const s = latest();
      if (!hasErrors(diagnostics) && s.status.state === 'idle' && s.loadedKey !== keyOf(s)) commands.load();
    },
    setTechnique: (technique) => {
      store.setState({ technique });
      commands.load();
    },
    load: () => {
      const s = store.getState();
      store.setState({ loadedKey: keyOf(s) });
      outstandingLoads++;
      bus.send({ kind: 'load', scenario: { vms: [{ name: 'vm1', source: s.source }] }, options: options() });
    },
    run: () => {
      prepareToGo();
      bus.send({ kind: 'run' });
    },
    pause: () => bus.send({ kind: 'pause' }),
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
  };

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

  return Object.assign(store, {
    commands,
    dispose: () => {
      unsubscribe();
      bus.dispose();
    },
  });
}
