// `virtlab check`: runs a scenario's `lookFor` steps, each under the settings it names, and evaluates
// each step's check (src/scenario/checks.ts) over that run. Runs are shared between steps with the
// same settings; the runs a check asks for under other techniques (bare metal, `cheaper`) too.
import { prepare } from '../hypervisor/engine';
import { runPlan } from '../hypervisor/migration';
import { type CheckRun, evaluateCheck, type LookForStep, type RunEvent, type StepSettings } from '../scenario/checks';
import type { Scenario } from '../scenario/scenario';
import type { TraceEvent } from '../trace/events';

/** Events kept per run for the checks (no `instruction` events); a run past it is checked on its first ones. */
export const CHECK_EVENT_LIMIT = 2_000_000;

export interface StepResult {
  text: string;
  seen: boolean;
  step: number | null;
  /** Why a step was not seen (also: a step with no check). */
  why?: string;
}

export interface CheckReport {
  scenario: string;
  steps: StepResult[];
  passed: boolean;
}

/** The scenario with a step's settings applied. */
export function withSettings(s: Scenario, o: StepSettings = {}): Scenario {
  const { vendor: _v, ...hv } = s.hypervisor;
  const vendor = o.vendor ?? s.hypervisor.vendor;
  return {
    ...s,
    technique: o.technique ?? s.technique,
    isa: o.isa ?? s.isa,
    preset: o.preset ?? s.preset,
    breakpoints: [],
    hypervisor: {
      ...hv,
      type: o.type ?? s.hypervisor.type,
      paging: o.paging ?? s.hypervisor.paging,
      timeSlice: o.timeSlice ?? s.hypervisor.timeSlice,
      exits: { ...s.hypervisor.exits, ...(o.exits ?? {}) },
      ...(vendor === 'amd' ? { vendor } : {}),
    },
  };
}

export function runForCheck(s: Scenario): CheckRun | { skipped: string } {
  if (s.checkpoints?.length || s.migration) {
    // Checkpoints and migrations are driven around the engine (hypervisor/migration): the same run `run` makes.
    const events: TraceEvent[] = [];
    const sink = {
      push: (e: TraceEvent) => {
        if (e.kind !== 'instruction' && events.length < CHECK_EVENT_LIMIT) events.push(e);
      },
    };
    const r = runPlan(s, {}, undefined, sink);
    if (r.kind === 'refused') return { skipped: r.reason };
    if (r.kind === 'assembly-errors') return { skipped: `assembly errors in ${r.errors.map((e) => e.name).join(', ')}` };
    if (r.kind === 'invalid') return { skipped: r.errors.join('; ') };
    return { ...r.result, events: events as unknown as RunEvent[] } as unknown as CheckRun;
  }
  const p = prepare(s, {});
  if (p.kind === 'refused') return { skipped: p.reason };
  if (p.kind === 'assembly-errors') return { skipped: `assembly errors in ${p.errors.map((e) => e.name).join(', ')}` };
  if (p.kind === 'invalid') return { skipped: p.errors.join('; ') };
  const engine = p.engine;
  engine.checkpointInterval = Number.MAX_SAFE_INTEGER;
  const events: TraceEvent[] = [];
  engine.setEventSink(
    {
      push: (e) => {
        if (events.length < CHECK_EVENT_LIMIT) events.push(e);
      },
    },
    false,
  );
  engine.runToEnd();
  const r = engine.result();
  return { ...r, events: events as unknown as RunEvent[] } as unknown as CheckRun;
}

/** Runs every step of `steps` over `scenario` (the scenario's own `lookFor` unless given). */
export function checkScenario(label: string, scenario: Scenario, steps: readonly LookForStep[] = scenario.lookFor ?? []): CheckReport {
  const cache = new Map<string, CheckRun | { skipped: string }>();
  const run = (settings: StepSettings | undefined, over?: StepSettings) => {
    const s = withSettings(scenario, { ...settings, ...over, exits: { ...settings?.exits, ...over?.exits } });
    const key = JSON.stringify([s.technique, s.isa, s.preset, s.hypervisor]);
    let r = cache.get(key);
    if (!r) {
      r = runForCheck(s);
      cache.set(key, r);
    }
    return r;
  };
  const results: StepResult[] = steps.map((step) => {
    if (!step.check) return { text: step.text, seen: false, step: null, why: 'the step has no check' };
    const r = run(step.settings);
    if ('skipped' in r) return { text: step.text, seen: false, step: null, why: `the run cannot happen: ${r.skipped}` };
    const o = evaluateCheck(step.check, r, (t) => run(step.settings, t));
    return { text: step.text, seen: o.seen, step: o.step, ...(o.seen ? {} : { why: o.why }) };
  });
  return { scenario: label, steps: results, passed: results.length > 0 && results.every((x) => x.seen) };
}
