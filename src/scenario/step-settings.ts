// A "what to look for" step's settings over its scenario (docs/checks.md): what `virtlab check` runs each
// step under, and what the page compares its own settings with to know which steps its run can show.
import type { StepSettings } from './checks';
import type { Scenario } from './scenario';

/** The scenario with a step's settings applied (each step's over the scenario as written, not the step before). */
export function withStepSettings(s: Scenario, o: StepSettings = {}): Scenario {
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
