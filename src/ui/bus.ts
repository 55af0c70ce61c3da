// The page's side of the engine bus: the engine runs in a module worker, behind the typed protocol.
import type { EngineBus, WorkerMessage } from '../protocol/messages';

export function workerBus(): EngineBus {
  const worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'virtlab-engine' });
  const listeners = new Set<(m: WorkerMessage) => void>();
  const deliver = (m: WorkerMessage) => {
    for (const listener of listeners) listener(m);
  };
  worker.onmessage = (e: MessageEvent<WorkerMessage>) => deliver(e.data);
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    deliver({ kind: 'error', message: `the engine worker failed: ${e.message || 'it could not start'}` });
  };
  worker.onmessageerror = () => deliver({ kind: 'error', message: 'a message from the engine worker could not be read' });
  return {
    send: (message) => worker.postMessage(message),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose: () => {
      listeners.clear();
      worker.terminate();
    },
  };
}
