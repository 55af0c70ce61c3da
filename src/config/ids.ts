// The names of a run's settings, written once: the scenario file, the engine, the protocol, the page and
// the command line all take their lists of techniques, presets and paging modes from here.

/** The techniques, in the order of interfaces.md (Compare, the keys 1–6, `compare --json`). */
export const TECHNIQUE_IDS = [
  'native',
  'interpret',
  'trap-and-emulate',
  'binary-translation',
  'hardware-assisted',
  'paravirtualization',
] as const;
export type TechniqueId = (typeof TECHNIQUE_IDS)[number];

export function isTechniqueId(v: unknown): v is TechniqueId {
  return (TECHNIQUE_IDS as readonly unknown[]).includes(v);
}

/** The cost presets of costs.md (their tables are the cost model's: trace/costs.ts). */
export const PRESET_IDS = ['2006', 'modern'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** How guest memory is virtualized: shadow page tables, or nested paging (EPT). */
export const PAGING_MODES = ['shadow', 'nested'] as const;
export type PagingMode = (typeof PAGING_MODES)[number];

/** What a scenario may ask for: a paging mode, or `auto` (nested where the technique and preset offer it, else shadow). */
export const PAGING_SETTINGS = ['auto', ...PAGING_MODES] as const;
export type PagingSetting = (typeof PAGING_SETTINGS)[number];

export function isPagingMode(v: unknown): v is PagingMode {
  return (PAGING_MODES as readonly unknown[]).includes(v);
}

/** Type 1 (bare-metal hypervisor) or type 2 (hosted, on a host OS). */
export type HypervisorType = 1 | 2;
