// The real products of `virtlab systems` (src/scenario/systems.ts) as the page offers them: the settings
// a product sets (technique, instruction set, hypervisor type, cost preset, paging left to the preset),
// and the library's table of virtualization method against hypervisor type.
import type { TechniqueId } from '../../config';
import { type RealSystem, SYSTEMS } from '../../scenario/systems';
import type { MachineSettings } from '../state/app-state';

export { type RealSystem, SYSTEMS };

export interface Machine {
  readonly technique: TechniqueId;
  readonly isa: 'classic' | 'strict';
  readonly settings: Partial<MachineSettings>;
}

/**
 * The page's settings for a product, as `--system` sets them; null for what is not a VM (Wine). x86
 * products run VX `classic` (the 386's flaw); paging goes back to `auto`, which picks what the preset has
 * (nested paging is refused under 2006: EPT came in 2008).
 */
export function machineOf(s: RealSystem): Machine | null {
  if (s.technique === null || s.type === null) return null;
  return { technique: s.technique, isa: s.isa ?? 'classic', settings: { preset: s.preset, hypervisorType: s.type, paging: 'auto' } };
}

/** Whether the page's settings are the product's. */
export function isMachineOf(s: RealSystem, m: { technique: string; isa: string; settings: MachineSettings }): boolean {
  const want = machineOf(s);
  return (
    want !== null &&
    want.technique === m.technique &&
    want.isa === m.isa &&
    want.settings.preset === m.settings.preset &&
    want.settings.hypervisorType === m.settings.hypervisorType
  );
}

/** The rows of the method × type table: each VirtLab technique that stands for a virtualization method. */
export const METHODS: readonly { readonly technique: TechniqueId; readonly method: string }[] = [
  { technique: 'trap-and-emulate', method: 'Trap-and-emulate' },
  { technique: 'interpret', method: 'Interpretation (emulation)' },
  { technique: 'binary-translation', method: 'Binary translation' },
  { technique: 'paravirtualization', method: 'Paravirtualization' },
  { technique: 'hardware-assisted', method: 'Hardware-assisted' },
];

/** The products of one cell of the table. */
export function productsAt(technique: TechniqueId, type: 1 | 2): readonly RealSystem[] {
  return SYSTEMS.filter((s) => s.technique === technique && s.type === type);
}

/** What is virtualized without a virtual machine (Wine): the table's last row. */
export const NOT_A_VM: readonly RealSystem[] = SYSTEMS.filter((s) => s.technique === null);

/** The settings in words: "binary translation, type 2, 2006 costs". */
export function settingsWords(s: RealSystem): string {
  const m = machineOf(s);
  if (!m) return 'not a virtual machine: no hypervisor, no technique';
  return `${m.technique}, type ${s.type}, preset ${s.preset}${m.isa === 'strict' ? ', strict instruction set' : ''}`;
}
