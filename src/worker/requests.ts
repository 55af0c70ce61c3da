// The page's requests that the run does not move for: a comparison of every technique, a trace export and
// a window of the event list. Each is answered by exactly one message carrying the request's number, so
// the page can have several outstanding and match each answer to its question.
import { PAGING_SETTINGS, PRESET_IDS, TECHNIQUE_IDS } from '../config';
import { type CompareEntry, compareTechniques, type Engine, prepare } from '../hypervisor/engine';
import { VARIANTS } from '../isa/table';
import { COMPARE_MAX_STEPS, EVENT_WINDOW_LIMIT, EXPORT_EVENT_LIMIT, type PageMessage, type WorkerMessage } from '../protocol/messages';
import { validateScenario } from '../scenario/scenario';
import { eventsToCsv, eventsToJson } from '../trace/export';
import { type EventLog, isEventFilter } from './event-log';
import { checkOptions, withHypervisor } from './load-options';

/** The scenario under every technique, to its end (bounded by COMPARE_MAX_STEPS), with the page's options applied. */
export function compareAnswer(m: Extract<PageMessage, { kind: 'compare' }>): WorkerMessage {
  const parsed = validateScenario(m.scenario);
  const optionErrors = [...checkOptions(m.options), ...(m.settings ?? []).flatMap(settingErrors)];
  if (!parsed.ok || optionErrors.length) {
    return { kind: 'compare-failed', request: m.request, errors: [...(parsed.ok ? [] : parsed.errors), ...optionErrors] };
  }
  const { exits, hypervisorType, isa, preset, paging, maxSteps } = m.options;
  const scenario = withHypervisor(parsed.scenario, exits, hypervisorType);
  const steps = Math.min(maxSteps ?? scenario.maxSteps, COMPARE_MAX_STEPS);
  if (m.settings) {
    // A/B: each pinned setting, to its end, as compareTechniques runs each technique.
    const results: CompareEntry[] = [];
    for (const s of m.settings) {
      const p = prepare(withHypervisor(parsed.scenario, exits, s.hypervisorType), {
        technique: s.technique,
        isa: s.isa,
        preset: s.preset,
        paging: s.paging,
        vendor: s.vendor,
        maxSteps: steps,
      });
      if (p.kind === 'refused') results.push({ technique: s.technique, skipped: p.reason });
      else if (p.kind === 'ready') {
        p.engine.runToEnd();
        results.push(p.engine.result());
      } else if (p.kind === 'invalid') return { kind: 'compare-failed', request: m.request, errors: p.errors };
      else
        return {
          kind: 'compare-failed',
          request: m.request,
          errors: p.errors.flatMap((e) => e.diagnostics.map((d) => `${e.name}:${d.line}:${d.startColumn}: ${d.message}`)),
        };
    }
    return { kind: 'compare-results', request: m.request, results };
  }
  const r = compareTechniques(scenario, { isa, preset, paging, maxSteps: steps });
  if (r.kind === 'results') return { kind: 'compare-results', request: m.request, results: r.results };
  if (r.kind === 'invalid') return { kind: 'compare-failed', request: m.request, errors: r.errors };
  const errors = r.errors.flatMap((e) => e.diagnostics.map((d) => `${e.name}:${d.line}:${d.startColumn}: ${d.message}`));
  return { kind: 'compare-failed', request: m.request, errors };
}

/** What is wrong with one side of an A/B comparison (the worker's door: the page is trusted, typos are not). */
function settingErrors(s: unknown, i: number): string[] {
  const o = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
  const errors: string[] = [];
  const oneOf = (key: string, allowed: readonly unknown[]) => {
    if (!allowed.includes(o[key])) errors.push(`settings[${i}].${key}: expected one of ${allowed.join(', ')}`);
  };
  oneOf('technique', TECHNIQUE_IDS);
  oneOf('isa', VARIANTS);
  oneOf('preset', PRESET_IDS);
  oneOf('paging', PAGING_SETTINGS);
  oneOf('hypervisorType', [1, 2]);
  oneOf('vendor', ['intel', 'amd']);
  return errors;
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
