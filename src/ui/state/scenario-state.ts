// The page's scenario: the store keeps what the controls edit (programs, technique, instruction set,
// machine settings, breakpoints) as fields of their own, and the rest of the scenario (title, notes,
// cost overrides, time slice, step limit, unknown fields) as `meta`. These functions go between the two,
// so that a scenario opened from a link or the library comes back out of the Share button unchanged.
import { LIBRARY, type LibraryEntry, libraryScenario } from '../../scenario/library';
import { DEFAULT_MAX_STEPS, DEFAULT_TIME_SLICE, SCENARIO_FORMAT, SCENARIO_VERSION, type Scenario } from '../../scenario/scenario';
import { DEFAULT_SOURCE } from './defaults';

/** The parts of a scenario that no control edits, kept so that sharing loses nothing. */
export interface ScenarioMeta {
  readonly title: string;
  readonly notes: string;
  readonly costs: Readonly<Record<string, number>>;
  readonly timeSlice: number;
  readonly maxSteps: number;
  readonly extra: Readonly<Record<string, unknown>>;
  /** The scenario's checkpoints (taken and restored on the page travel in it) and its live migration. */
  readonly checkpoints?: Scenario['checkpoints'];
  readonly migration?: Scenario['migration'];
}

export const DEFAULT_META: ScenarioMeta = {
  title: '',
  notes: '',
  costs: {},
  timeSlice: DEFAULT_TIME_SLICE,
  maxSteps: DEFAULT_MAX_STEPS,
  extra: {},
};

/** The fields of the page's state that make up a scenario. */
export interface ScenarioFields {
  readonly vms: readonly { readonly name: string; readonly source: string }[];
  readonly breakpoints: readonly { readonly vm: number; readonly line: number }[];
  readonly technique: Scenario['technique'];
  readonly isa: Scenario['isa'];
  readonly settings: {
    readonly preset: Scenario['preset'];
    readonly paging: Scenario['hypervisor']['paging'];
    readonly hypervisorType: 1 | 2;
    readonly vendor: NonNullable<Scenario['hypervisor']['vendor']>;
    readonly exits: Scenario['hypervisor']['exits'];
  };
  readonly meta: ScenarioMeta;
}

export function scenarioOfFields(s: ScenarioFields): Scenario {
  return {
    format: SCENARIO_FORMAT,
    version: SCENARIO_VERSION,
    title: s.meta.title,
    notes: s.meta.notes,
    isa: s.isa,
    technique: s.technique,
    preset: s.settings.preset,
    costs: s.meta.costs,
    hypervisor: {
      type: s.settings.hypervisorType,
      paging: s.settings.paging,
      // Written only for AMD, where the scenario parser puts it: a scenario reads back field for field.
      ...(s.settings.vendor === 'amd' ? { vendor: 'amd' as const } : {}),
      exits: s.settings.exits,
      timeSlice: s.meta.timeSlice,
    },
    vms: s.vms.map((v) => ({ name: v.name, source: v.source })),
    breakpoints: s.breakpoints.map((b) => ({ vm: b.vm, line: b.line })),
    maxSteps: s.meta.maxSteps,
    extra: s.meta.extra,
    ...(s.meta.checkpoints?.length ? { checkpoints: s.meta.checkpoints } : {}),
    ...(s.meta.migration ? { migration: s.meta.migration } : {}),
  };
}

export function fieldsOfScenario(sc: Scenario): ScenarioFields {
  return {
    vms: sc.vms.map((v) => ({ name: v.name, source: v.source })),
    breakpoints: sc.breakpoints.map((b) => ({ vm: b.vm, line: b.line })),
    technique: sc.technique,
    isa: sc.isa,
    settings: {
      preset: sc.preset,
      paging: sc.hypervisor.paging,
      hypervisorType: sc.hypervisor.type,
      vendor: sc.hypervisor.vendor ?? 'intel',
      exits: sc.hypervisor.exits,
    },
    meta: {
      title: sc.title,
      notes: sc.notes,
      costs: sc.costs,
      timeSlice: sc.hypervisor.timeSlice,
      maxSteps: sc.maxSteps,
      extra: sc.extra,
      ...(sc.checkpoints ? { checkpoints: sc.checkpoints } : {}),
      ...(sc.migration ? { migration: sc.migration } : {}),
    },
  };
}

/** The scenario the page opens with when there is no link and no saved work. */
export function defaultScenario(): Scenario {
  return scenarioOfFields({
    vms: [{ name: 'vm1', source: DEFAULT_SOURCE }],
    breakpoints: [],
    technique: 'native',
    isa: 'classic',
    settings: { preset: 'modern', paging: 'auto', hypervisorType: 1, vendor: 'intel', exits: {} },
    meta: DEFAULT_META,
  });
}

/** Two scenarios are the same run and the same text (unknown fields aside). */
export function sameScenario(a: Scenario, b: Scenario): boolean {
  // `lookFor` and `system` travel in `extra` too (the page never edits them): the work is the rest.
  const strip = (s: Scenario) => JSON.stringify({ ...s, extra: undefined, lookFor: undefined, system: undefined });
  return strip(a) === strip(b);
}

/**
 * The library entry a scenario is, as shipped or edited: its title and notes are the entry's (a link to
 * a library scenario carries them). Edited programs still count: "Restore original" brings them back.
 */
export function libraryEntryOf(sc: Scenario): LibraryEntry | undefined {
  if (!sc.title) return undefined;
  return LIBRARY.find((e) => {
    const shipped = libraryScenario(e.id);
    return shipped !== undefined && shipped.title === sc.title && shipped.notes === sc.notes;
  });
}
