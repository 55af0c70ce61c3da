// The vocabulary of a run's settings that the engine, the protocol and the page share: technique ids,
// cost presets, paging modes, the hypervisor type and the exit-control rule. A leaf: it imports nothing,
// so every layer may import it (test/architecture.test.ts) and the page bundles only these few lines.
export { type ExitControls, effectiveExitControls, type ForcedExitControls, forcedExitControls } from './exit-controls';
export {
  type HypervisorType,
  isPagingMode,
  isTechniqueId,
  PAGING_MODES,
  PAGING_SETTINGS,
  type PagingMode,
  type PagingSetting,
  PRESET_IDS,
  type PresetId,
  TECHNIQUE_IDS,
  type TechniqueId,
} from './ids';
