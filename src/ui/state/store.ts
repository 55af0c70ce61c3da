// The page's store: the state (app-state.ts) changed by the commands (commands.ts) and by the engine
// worker's messages. The messages are folded in by `reduce` and applied at most once per animation frame,
// so a fast run never renders faster than the screen refreshes.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EngineBus, PageMessage, WorkerMessage } from '../../protocol/messages';
import { EventRows } from '../panels/events/event-rows';
import { type AppState, initialState } from './app-state';
import { type Commands, createCommands, type Loads } from './commands';
import { reduce } from './reduce';

export type { AppState, Breakpoint, MachineSettings, Problem, VmSource } from './app-state';
export {
  DEFAULT_SETTINGS,
  EVENTS_KEPT,
  editorIsLoaded,
  hasErrors,
  IDLE,
  INTERACTIVE_MAX_STEPS,
  isTechniqueId,
  scenarioOf,
} from './app-state';
export type { Commands } from './commands';
export { reduce } from './reduce';

/** The answers that come to one request of the page (a comparison, a trace export, the steps' checks). */
export type Answer = Extract<
  WorkerMessage,
  {
    kind:
      | 'compare-results'
      | 'compare-failed'
      | 'events-export'
      | 'checkpoint-file'
      | 'checkpoint-opened'
      | 'migration-compare-results'
      | 'next-event'
      | 'steps-checked';
  }
>;
type Asking = Extract<
  PageMessage,
  { kind: 'compare' | 'export-events' | 'checkpoint-file' | 'checkpoint-open' | 'migration-compare' | 'peek-event' | 'check-steps' }
>;
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
  const store = createStore<AppState>(initialState);
  const rows = new EventRows((m) => bus.send(m));
  let firstKept = 0;

  // Messages are folded into one pending patch and applied on the next frame.
  let pending: Partial<AppState> | null = null;
  /** A run has just started: its first update waits a frame more (the running page is drawn first). */
  let starting = false;
  /** The flushes asked for on a frame so far. */
  let framesAsked = 0;
  const flush = () => {
    const patch = pending;
    pending = null;
    if (!patch) return;
    store.setState(patch);
    // While the run goes the worker sends the next update only once this one is drawn (flow control).
    if (patch.snapshot && store.getState().status.state === 'running') bus.send({ kind: 'drawn' });
  };
  /** The state with every message received so far, drawn or not: what decisions are based on. */
  const latest = (): AppState => ({ ...store.getState(), ...pending });
  const loads: Loads = { outstanding: 0, pendingSeek: null };
  const asked = new Map<number, (a: Answer | null) => void>();
  let nextRequest = 1;
  const peekNext = async () => {
    const a = await ask({ kind: 'peek-event' }).answer;
    return a?.kind === 'next-event' ? a.next : null;
  };
  const commands = createCommands({ store, bus, latest, loads, peekNext });
  const ANSWERS_LOAD: ReadonlySet<WorkerMessage['kind']> = new Set(['loaded', 'assembly-errors', 'refused', 'invalid', 'error']);
  const unsubscribe = bus.subscribe((m) => {
    if (m.kind === 'events-window') return rows.receive(m);
    if (
      m.kind === 'compare-results' ||
      m.kind === 'compare-failed' ||
      m.kind === 'events-export' ||
      m.kind === 'checkpoint-file' ||
      m.kind === 'checkpoint-opened' ||
      m.kind === 'migration-compare-results' ||
      m.kind === 'next-event' ||
      m.kind === 'steps-checked'
    ) {
      asked.get(m.request)?.(m);
      asked.delete(m.request);
      return;
    }
    if (m.kind === 'loaded') rows.clear();
    // The worker let its oldest events go: list positions now name other events.
    if (m.kind === 'snapshot' && (m.snapshot.eventsFirstKept ?? 0) !== firstKept) {
      firstKept = m.snapshot.eventsFirstKept ?? 0;
      rows.forgetBlocks();
    }
    if (ANSWERS_LOAD.has(m.kind)) loads.outstanding = Math.max(0, loads.outstanding - 1);
    if (m.kind !== 'loaded' && ANSWERS_LOAD.has(m.kind)) loads.pendingSeek = null;
    const first = pending === null;
    pending = { ...pending, ...reduce(latest(), m) };
    if (m.kind === 'snapshot') {
      // The events streamed before this snapshot end at its present: the Events list's newest rows.
      const s = latest();
      rows.live(m.snapshot.eventCount === s.eventsTotal ? s.events : null, s.eventsTotal, m.snapshot.eventCounts);
    }
    // A snapshot ends each update. While the run goes, updates wait for the next frame (one per frame);
    // a step, a step back or a seek is drawn at once, so that it is painted in the very next frame.
    // A run that stopped running (Pause, a breakpoint, the end) is shown at once, before its snapshot.
    // A run that starts is shown at once too, and its first update two frames later, not one: the page's
    // first frame in its running state (the editor drops its PC line, the buttons change) and the run's
    // first events (every panel fills) drawn in one task took over 50 ms (the printing loop's benchmark).
    if (m.kind === 'status' && m.status.state !== 'running' && store.getState().status.state === 'running') {
      starting = false;
      flush();
    } else if (m.kind === 'status' && m.status.state === 'running' && store.getState().status.state !== 'running') {
      flush();
      starting = true;
    } else if (m.kind === 'snapshot' && latest().status.state !== 'running') flush();
    else if (first) {
      // Only the flush asked for last counts: one asked before a flush at once would draw too early.
      const mine = ++framesAsked;
      const run = () => {
        if (mine === framesAsked) flush();
      };
      schedule(starting ? () => schedule(run) : run);
      starting = false;
    }
    if (m.kind === 'snapshot' && loads.pendingSeek !== null && loads.outstanding === 0 && latest().status.state === 'paused') {
      const at = loads.pendingSeek;
      loads.pendingSeek = null;
      commands.seek(at);
    }
  });

  function ask(message: Question) {
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
  }

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
