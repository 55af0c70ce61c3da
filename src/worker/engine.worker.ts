// The engine worker: a thin shell that hands the page's messages to the run controller and yields
// between slices through a MessageChannel (a setTimeout would be clamped to 4 ms once nested).
/// <reference lib="webworker" />
import { isPageMessage, type WorkerMessage } from '../protocol/messages';
import { RunController } from './controller';

declare const self: DedicatedWorkerGlobalScope;

const tick = new MessageChannel();
let pending: (() => void) | null = null;
tick.port1.onmessage = () => {
  const task = pending;
  pending = null;
  task?.();
};

const controller = new RunController({
  post: (message: WorkerMessage) => self.postMessage(message),
  now: () => performance.now(),
  schedule: (task) => {
    pending = task;
    tick.port2.postMessage(null);
  },
  after: (ms, task) => {
    const timer = setTimeout(task, ms);
    return () => clearTimeout(timer);
  },
});

self.onmessage = (e: MessageEvent<unknown>) => {
  if (isPageMessage(e.data)) controller.handle(e.data);
  else self.postMessage({ kind: 'error', message: 'the worker received a message it does not understand' } satisfies WorkerMessage);
};
