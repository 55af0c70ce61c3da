// The page's "what to look for" steps, checked over the run the worker holds (docs/checks.md, "On the
// page"): the same evaluator as `virtlab check` (src/scenario/checks.ts) over the events of the log up to
// now and the engine's result, with the runs a check compares with (bare metal, `cheaper`) made apart.
import { runForCheck } from '../hypervisor/check-run';
import type { Engine } from '../hypervisor/engine';
import {
  CHECK_RUN_MAX_STEPS,
  CHECK_STEPS_LIMIT,
  type LoadOptions,
  type PageMessage,
  type StepCheck,
  type WorkerMessage,
} from '../protocol/messages';
import { type CheckRun, evaluateCheck, type RunEvent, type StepSettings, validateLookFor } from '../scenario/checks';
import type { Scenario } from '../scenario/scenario';
import { withStepSettings } from '../scenario/step-settings';
import type { EventLog } from './event-log';
import { withHypervisor } from './load-options';

/** The scenario the page's run is of: the loaded scenario with the page's options over it. */
function runScenario(loaded: { scenario: Scenario; options: LoadOptions }): Scenario {
  const { options: o } = loaded;
  const s = withHypervisor(loaded.scenario, o.exits, o.hypervisorType);
  return withStepSettings(s, { technique: o.technique, isa: o.isa, preset: o.preset, paging: o.paging });
}

export function checkStepsAnswer(
  m: Extract<PageMessage, { kind: 'check-steps' }>,
  log: EventLog,
  engine: Engine | null,
  loaded: { scenario: Scenario; options: LoadOptions } | null,
): WorkerMessage {
  const steps = m.steps.slice(0, CHECK_STEPS_LIMIT);
  const answer = (results: StepCheck[]): WorkerMessage => ({ kind: 'steps-checked', request: m.request, results });
  if (!engine || !loaded)
    return answer(steps.map((s) => ({ index: s.index, seen: false, step: null, event: null, why: 'nothing is loaded' })));
  const present = engine.eventCount;
  const items = log.window('all', 0, log.count('all', present), present).items;
  const events = items.map((i) => i.event as unknown as RunEvent);
  const run = { ...engine.result(), events } as unknown as CheckRun;
  // A run that has not ended cannot say what it never does ("none", the console, the final state).
  const ended = run.stop.reason === 'all-stopped';
  const base = runScenario(loaded);
  const runs = new Map<string, CheckRun | { skipped: string }>();
  const under = (settings: StepSettings) => {
    const s = withStepSettings(base, settings);
    const key = JSON.stringify([s.technique, s.isa, s.preset, s.hypervisor]);
    let r = runs.get(key);
    if (!r) {
      r = runForCheck({ ...s, maxSteps: Math.min(s.maxSteps, CHECK_RUN_MAX_STEPS) });
      runs.set(key, r);
    }
    return r;
  };
  return answer(
    steps.map(({ index, check }): StepCheck => {
      const errors: string[] = [];
      const [step] = validateLookFor([{ text: 'step', check }], errors);
      if (!step?.check) return { index, seen: false, step: null, event: null, why: errors[0] ?? 'the step has no check' };
      if (!ended) return { index, seen: false, step: null, event: null, why: 'the run has not ended: run it to its end' };
      const o = evaluateCheck(step.check, run, under);
      const at = o.event ? events.indexOf(o.event) : -1;
      return { index, seen: o.seen, step: o.step, event: at >= 0 ? items[at].index : null, ...(o.why ? { why: o.why } : {}) };
    }),
  );
}
