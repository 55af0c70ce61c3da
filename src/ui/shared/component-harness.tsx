// For component tests (Testing Library, jsdom): the page's store wired, as in the app, to a bus whose
// far end is the real run controller, in process instead of in a worker. A component is fed exactly
// what the app feeds it: commands go out as page messages, the engine's answers come back as worker
// messages (each delivered inside act(), so React draws it before the test looks). The few browser APIs jsdom lacks and the panels use are stood in for, doing nothing.
import { act, configure, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { EngineBus, PageMessage, WorkerMessage } from '../../protocol/messages';
import { StoreContext } from '../state/context';
import { type AppStore, createAppStore } from '../state/store';

// findBy… and waitFor wait for the page's answer as Playwright's expectations do: on a busy machine the
// first load (assembling, the engine's warm-up) can take longer than the library's one-second default.
configure({ asyncUtilTimeout: 30_000 });

if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
// jsdom has <dialog> without the modal methods: open and close it as the browser would, minus the top layer.
if (typeof HTMLDialogElement !== 'undefined' && !HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close = function (this: HTMLDialogElement) {
    this.removeAttribute('open');
  };
}

/** What the worker gives its run controller (worker/controller.ts's ControllerHost). */
export interface EngineHost {
  post(message: WorkerMessage): void;
  now(): number;
  schedule(task: () => void): void;
  after(ms: number, task: () => void): () => void;
}

/**
 * The worker's side, made by the test (the page's code never imports the worker's): in the tests,
 * `(host) => new RunController(host)`.
 */
export type Engine = (host: EngineHost) => { handle(message: PageMessage): void };

/** A bus to an in-process run controller (the worker's code), answering asynchronously like a worker. */
export function engineBus(engine: Engine): EngineBus {
  const listeners = new Set<(m: WorkerMessage) => void>();
  const controller = engine({
    post: (m) => {
      const copy = structuredClone(m);
      // Inside act(), as Testing Library wants every update that React draws.
      setTimeout(
        () =>
          act(() => {
            for (const l of listeners) l(copy);
          }),
        0,
      );
    },
    now: () => performance.now(),
    schedule: (task) => setTimeout(task, 0),
    after: (ms, task) => {
      const t = setTimeout(task, ms);
      return () => clearTimeout(t);
    },
  });
  return {
    send: (m) => {
      const copy = structuredClone(m);
      setTimeout(() => controller.handle(copy), 0);
    },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    dispose: () => listeners.clear(),
  };
}

/** A store on the in-process engine; frames are timer ticks. */
export function engineStore(engine: Engine): AppStore {
  return createAppStore(engineBus(engine), (flush) => setTimeout(() => act(flush), 0));
}

/** Renders `ui` inside the store's context, as the app does. */
export function renderWith(store: AppStore, ui: ReactNode) {
  return render(<StoreContext.Provider value={store}>{ui}</StoreContext.Provider>);
}
