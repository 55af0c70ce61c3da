// The page's load options over the scenario, and the worker's answer when the engine will not run it:
// shared by a load (the run the page steps through) and a comparison (every technique run to its end), so
// that both refuse the same options alike and apply the same controls.
import type { Prepared } from '../hypervisor/engine';
import type { LoadOptions, WorkerMessage } from '../protocol/messages';
import type { Scenario } from '../scenario/scenario';

/** The worker's answer when the engine will not run the scenario. */
export function refusal(p: Exclude<Prepared, { kind: 'ready' }>): WorkerMessage {
  switch (p.kind) {
    case 'invalid':
      return { kind: 'invalid', errors: p.errors };
    case 'refused':
      return { kind: 'refused', technique: p.technique, reason: p.reason };
    case 'assembly-errors':
      return { kind: 'assembly-errors', errors: p.errors };
    default: {
      const never: never = p;
      return { kind: 'error', message: `unexpected preparation ${JSON.stringify(never)}` };
    }
  }
}

/** The page's exit controls and hypervisor type, over the scenario's own. */
export function withHypervisor(scenario: Scenario, exits: LoadOptions['exits'], hypervisorType: LoadOptions['hypervisorType']): Scenario {
  if (!exits && !hypervisorType) return scenario;
  return {
    ...scenario,
    hypervisor: { ...scenario.hypervisor, ...(exits ? { exits } : {}), ...(hypervisorType ? { type: hypervisorType } : {}) },
  };
}

export function checkOptions(o: LoadOptions): string[] {
  const errors: string[] = [];
  if (o.maxSteps !== undefined && !(Number.isSafeInteger(o.maxSteps) && o.maxSteps >= 1)) {
    errors.push('options.maxSteps: expected a whole number from 1');
  }
  if (o.hypervisorType !== undefined && o.hypervisorType !== 1 && o.hypervisorType !== 2) {
    errors.push('options.hypervisorType: expected 1 or 2');
  }
  return errors;
}
