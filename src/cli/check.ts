// `virtlab check`: runs a scenario's `lookFor` steps, each under the settings it names, and evaluates
// each step's check (src/scenario/checks.ts) over that run. Runs are shared between steps with the
// same settings; the runs a check asks for under other techniques (bare metal, `cheaper`) too.
import { runForCheck } from '../hypervisor/check-run';
import { type CheckRun, evaluateCheck, type LookForStep, type StepSettings } from '../scenario/checks';
import type { Scenario } from '../scenario/scenario';
import { withStepSettings } from '../scenario/step-settings';

export { CHECK_EVENT_LIMIT, runForCheck } from '../hypervisor/check-run';
/** The scenario with a step's settings applied (src/scenario/step-settings.ts, shared with the page). */
export const withSettings = withStepSettings;

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

/** Runs every step of `steps` over `scenario` (the scenario's own `lookFor` unless given). */
export function checkScenario(label: string, scenario: Scenario, steps: readonly LookForStep[] = scenario.lookFor ?? []): CheckReport {
  const cache = new Map<string, CheckRun | { skipped: string }>();
  const run = (settings: StepSettings | undefined, over?: StepSettings) => {
    const s = withStepSettings(scenario, { ...settings, ...over, exits: { ...settings?.exits, ...over?.exits } });
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
