// The worker's messages folded into the page's state. Pure, so that the store can batch a frame's worth of
// messages into one update, and so that tests need no worker.
import type { WorkerMessage } from '../../protocol/messages';
import { type AppState, EVENTS_KEPT, IDLE, keyOf } from './app-state';

/** Folds one worker message into the state. Pure, so it is easy to test and to batch. */
export function reduce(s: AppState, m: WorkerMessage): Partial<AppState> {
  switch (m.kind) {
    case 'loaded':
      return {
        predict: { ...s.predict, question: null, asking: false },
        problem: null,
        events: [],
        eventsDropped: 0,
        eventsTotal: 0,
        timeline: null,
        loadsAnswered: s.loadsAnswered + 1,
      };
    case 'assembly-errors': {
      const vmDiagnostics = s.vms.map((_, vm) => m.errors.find((e) => e.vm === vm)?.diagnostics ?? []);
      return {
        diagnostics: vmDiagnostics.flat(),
        vmDiagnostics,
        problem: null,
        snapshot: null,
        status: IDLE,
        loadsAnswered: s.loadsAnswered + 1,
      };
    }
    case 'refused':
      return {
        problem: { kind: 'refused', technique: m.technique, reason: m.reason },
        snapshot: null,
        status: IDLE,
        loadsAnswered: s.loadsAnswered + 1,
      };
    case 'invalid':
      return { problem: { kind: 'invalid', errors: m.errors }, snapshot: null, status: IDLE, loadsAnswered: s.loadsAnswered + 1 };
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
    case 'checkpoints-changed': {
      // The worker's run has them already: if it was the editor's, it still is.
      const meta = { ...s.meta, checkpoints: m.checkpoints.length ? m.checkpoints : undefined };
      const loaded = s.loadedKey === keyOf(s);
      return {
        meta,
        checkpointNotice: m.refused ?? null,
        ...(loaded ? { loadedKey: keyOf({ ...s, meta }) } : {}),
      };
    }
    case 'compare-results':
    case 'compare-failed':
    case 'events-export':
    case 'checkpoint-file':
    case 'checkpoint-opened':
    case 'migration-compare-results':
    case 'next-event':
    case 'steps-checked':
      return {}; // answers to requests: kept by whoever asked (see AppStore.ask)
    case 'restarted':
      return { problem: { kind: 'error', message: m.reason } };
    default: {
      const never: never = m;
      return { problem: { kind: 'error', message: `unknown message from the engine: ${JSON.stringify(never)}` } };
    }
  }
}
