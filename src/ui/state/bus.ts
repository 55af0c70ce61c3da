// The page's side of the engine bus: the engine runs in a module worker, behind the typed protocol.
//
// A watchdog pings the worker every second; the controller answers between two slices of a run, so a
// ping unanswered for WATCHDOG_MS means the worker is stuck (an engine bug, a runaway computation). The
// bus then replaces it, loads the program again in the new one (with the last speed and breakpoints),
// and says so with a `restarted` message once the new worker has answered the load.
import type { EngineBus, PageMessage, WorkerMessage } from '../../protocol/messages';

export interface WorkerLike {
  postMessage(message: PageMessage): void;
  terminate(): void;
  onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  onmessageerror: ((e: MessageEvent) => void) | null;
}

export const HEARTBEAT_MS = 1000;
export const WATCHDOG_MS = 5000;

const spawnEngine = (): WorkerLike =>
  new Worker(new URL('../../worker/engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'virtlab-engine',
  }) as unknown as WorkerLike;

/** Messages worth sending again to a fresh worker: what it must have to be the same run, from the start. */
const REMEMBERED: ReadonlySet<PageMessage['kind']> = new Set(['load', 'speed', 'breakpoints']);
const ANSWERS_LOAD: ReadonlySet<WorkerMessage['kind']> = new Set(['loaded', 'assembly-errors', 'refused', 'invalid']);

export function workerBus(spawn: () => WorkerLike = spawnEngine, now: () => number = () => performance.now()): EngineBus {
  const listeners = new Set<(m: WorkerMessage) => void>();
  const deliver = (m: WorkerMessage) => {
    for (const listener of listeners) listener(m);
  };
  const remembered = new Map<PageMessage['kind'], PageMessage>();
  let worker: WorkerLike;
  let ping: { id: number; sent: number } | null = null;
  let nextPing = 1;
  let announce: string | null = null;

  const start = () => {
    worker = spawn();
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.kind === 'pong') {
        if (ping?.id === m.id) ping = null;
        return;
      }
      deliver(m);
      if (announce && ANSWERS_LOAD.has(m.kind)) {
        deliver({ kind: 'restarted', reason: announce });
        announce = null;
      }
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      deliver({ kind: 'error', message: `the engine worker failed: ${e.message || 'it could not start'}` });
    };
    worker.onmessageerror = () => deliver({ kind: 'error', message: 'a message from the engine worker could not be read' });
  };
  start();

  const heartbeat = setInterval(() => {
    const t = now();
    if (ping && t - ping.sent > WATCHDOG_MS) {
      worker.terminate();
      ping = null;
      start();
      announce = `The engine stopped answering for ${WATCHDOG_MS / 1000} seconds: it was restarted, and the program loaded again from its first instruction.`;
      for (const m of remembered.values()) worker.postMessage(m);
      if (!remembered.has('load')) {
        deliver({ kind: 'restarted', reason: announce });
        announce = null;
      }
      return;
    }
    if (!ping) {
      ping = { id: nextPing++, sent: t };
      worker.postMessage({ kind: 'ping', id: ping.id });
    }
  }, HEARTBEAT_MS);

  // Comparisons run in short-lived workers of their own: the main worker's run keeps answering meanwhile.
  const comparing = new Map<number, WorkerLike>();
  const compare = (message: Extract<PageMessage, { kind: 'compare' | 'migration-compare' }>) => {
    const w = spawn();
    comparing.set(message.request, w);
    const end = (answer: WorkerMessage) => {
      if (!comparing.has(message.request)) return;
      comparing.delete(message.request);
      w.terminate();
      deliver(answer);
    };
    w.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.kind === 'compare-results' || m.kind === 'compare-failed' || m.kind === 'migration-compare-results') end(m);
      else if (m.kind === 'error') end({ kind: 'compare-failed', request: message.request, errors: [m.message] });
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      end({
        kind: 'compare-failed',
        request: message.request,
        errors: [`the comparison failed: ${e.message || 'its worker could not start'}`],
      });
    };
    w.onmessageerror = () =>
      end({ kind: 'compare-failed', request: message.request, errors: ['the comparison’s answer could not be read'] });
    w.postMessage(message);
  };

  return {
    send: (message) => {
      if (message.kind === 'compare' || message.kind === 'migration-compare') return compare(message);
      if (message.kind === 'cancel') {
        comparing.get(message.request)?.terminate();
        comparing.delete(message.request);
        return;
      }
      if (REMEMBERED.has(message.kind)) remembered.set(message.kind, message);
      worker.postMessage(message);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose: () => {
      for (const w of comparing.values()) w.terminate();
      comparing.clear();
      clearInterval(heartbeat);
      listeners.clear();
      worker.terminate();
    },
  };
}
