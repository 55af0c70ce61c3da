// The page's requests that the run does not move for: a comparison of every technique, a trace export and
// a window of the event list. Each is answered by exactly one message carrying the request's number, so
// the page can have several outstanding and match each answer to its question.
import { compareTechniques, type Engine } from '../hypervisor/engine';
import { COMPARE_MAX_STEPS, EVENT_WINDOW_LIMIT, EXPORT_EVENT_LIMIT, type PageMessage, type WorkerMessage } from '../protocol/messages';
import { validateScenario } from '../scenario/scenario';
import { eventsToCsv, eventsToJson } from '../trace/export';
import { type EventLog, isEventFilter } from './event-log';
import { checkOptions, withHypervisor } from './load-options';

/** The scenario under every technique, to its end (bounded by COMPARE_MAX_STEPS), with the page's options applied. */
export function compareAnswer(m: Extract<PageMessage, { kind: 'compare' }>): WorkerMessage {
  const parsed = validateScenario(m.scenario);
  const optionErrors = checkOptions(m.options);
  if (!parsed.ok || optionErrors.length) {
    return { kind: 'compare-failed', request: m.request, errors: [...(parsed.ok ? [] : parsed.errors), ...optionErrors] };
  }
  const { exits, hypervisorType, isa, preset, paging, maxSteps } = m.options;
  const scenario = withHypervisor(parsed.scenario, exits, hypervisorType);
  const steps = Math.min(maxSteps ?? scenario.maxSteps, COMPARE_MAX_STEPS);
  const r = compareTechniques(scenario, { isa, preset, paging, maxSteps: steps });
  if (r.kind === 'results') return { kind: 'compare-results', request: m.request, results: r.results };
  if (r.kind === 'invalid') return { kind: 'compare-failed', request: m.request, errors: r.errors };
  const errors = r.errors.flatMap((e) => e.diagnostics.map((d) => `${e.name}:${d.line}:${d.startColumn}: ${d.message}`));
  return { kind: 'compare-failed', request: m.request, errors };
}

/** The run's events up to the present, as a trace file (the newest EXPORT_EVENT_LIMIT of them). */
export function exportAnswer(m: Extract<PageMessage, { kind: 'export-events' }>, log: EventLog, engine: Engine | null): WorkerMessage {
  const present = engine?.eventCount ?? 0;
  const total = log.count('all', present);
  const from = Math.max(0, total - EXPORT_EVENT_LIMIT);
  const events = log.window('all', from, total - from, present).items.map((i) => i.event);
  const names = engine?.assemblies.map((a) => a.name) ?? [];
  const text = m.format === 'csv' ? eventsToCsv(events, names) : eventsToJson(events);
  return { kind: 'events-export', request: m.request, format: m.format, text, count: events.length, total };
}

/** Rows of the Events panel: among the events that have happened by now (a seek back hides the later ones). */
export function windowAnswer(m: Extract<PageMessage, { kind: 'events-window' }>, log: EventLog, engine: Engine | null): WorkerMessage {
  if (!isEventFilter(m.filter)) return { kind: 'error', message: `unknown event filter ${JSON.stringify(m.filter)}` };
  const present = engine?.eventCount ?? 0;
  const count = Math.max(0, Math.min(EVENT_WINDOW_LIMIT, m.count));
  const { total, items } = log.window(m.filter, m.from, count, present);
  return { kind: 'events-window', request: m.request, filter: m.filter, from: Math.max(0, Math.floor(m.from)), total, items };
}
