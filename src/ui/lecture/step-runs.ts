// Which run each "what to look for" step is about: its settings over the scenario as shipped (as
// `virtlab check` runs it). The Guide checks a step against the page's run only when that run is the
// step's; for the others it says which settings show it and offers to switch to them.
import type { StepSettings } from '../../scenario/checks';
import type { Scenario } from '../../scenario/scenario';
import { withStepSettings } from '../../scenario/step-settings';

/** What makes a run the step's: technique, instruction set, preset and the hypervisor's settings. */
function runKey(s: Scenario): string {
  const h = s.hypervisor;
  const exits = Object.fromEntries(Object.entries(h.exits).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify([s.technique, s.isa, s.preset, h.type, h.paging, h.vendor ?? 'intel', h.timeSlice, exits]);
}

/** The scenario a step is run under: its settings over the library scenario as shipped. */
export function stepScenario(shipped: Scenario, settings: StepSettings | undefined): Scenario {
  return withStepSettings(shipped, settings);
}

/** Whether the page's scenario runs under the step's settings (the programs may have been edited: it is still the step's run). */
export function isStepRun(current: Scenario, shipped: Scenario, settings: StepSettings | undefined): boolean {
  return runKey(current) === runKey(stepScenario(shipped, settings));
}

/** The step's settings in words ("isa strict, technique binary-translation"), for the step that needs them. */
export function settingsWords(settings: StepSettings | undefined): string {
  if (!settings) return 'the scenario’s own settings';
  const words: string[] = [];
  for (const [k, v] of Object.entries(settings)) {
    if (v === undefined) continue;
    if (k === 'exits' && typeof v === 'object' && v !== null) {
      for (const [e, on] of Object.entries(v)) words.push(`${e} exiting ${Array.isArray(on) ? on.join(' ') : on ? 'on' : 'off'}`);
    } else words.push(`${k === 'type' ? 'hypervisor type' : k} ${k === 'vendor' ? (v === 'amd' ? 'AMD-V' : 'Intel VT-x') : v}`);
  }
  return words.join(', ');
}
