// What a run reports, as data the page renders: the guest-visible registers, the counters, each VM's
// state and the run's result (the JSON of interfaces.md, which the Compare view shows per technique).
// The protocol owns these shapes; the engine's own types must match them (src/worker/conformance.ts).
import type { PresetId, TechniqueId } from '../config';
import type { Variant } from '../isa/table';
import type { TraceEvent, VmState } from './events';

/** Why the engine stopped (interfaces.md's `stop.reason`). */
export type StopReason = 'all-stopped' | 'step-limit' | 'breakpoint' | 'error';

/** The guest-visible (virtual) registers, unsigned. */
export interface CpuView {
  readonly R0: number;
  readonly R1: number;
  readonly R2: number;
  readonly R3: number;
  readonly R4: number;
  readonly R5: number;
  readonly R6: number;
  readonly R7: number;
  readonly PC: number;
  readonly FLAGS: number;
  readonly CPL: number;
  readonly CR0: number;
  readonly CR2: number;
  readonly CR3: number;
  readonly IDTR: number;
  readonly KSP: number;
}

/** CpuView's fields in the order the page and the tests list them (interfaces.md's `cpu`). */
export const CPU_FIELDS = [
  'R0',
  'R1',
  'R2',
  'R3',
  'R4',
  'R5',
  'R6',
  'R7',
  'PC',
  'FLAGS',
  'CPL',
  'CR0',
  'CR2',
  'CR3',
  'IDTR',
  'KSP',
] as const satisfies readonly (keyof CpuView)[];

/** The counters of interfaces.md, per VM or summed over VMs. */
export interface Counters {
  readonly instructions: number;
  readonly traps: number;
  readonly emulated: number;
  readonly reflected: number;
  readonly injected: number;
  readonly vmExits: number;
  /** Keyed by exit-reason name (Intel's, or AMD's with `vendor: amd`). */
  readonly vmExitsByReason: Readonly<Record<string, number>>;
  readonly hypercalls: number;
  /** Keyed by Xen's hypercall names. */
  readonly hypercallsByName: Readonly<Record<string, number>>;
  readonly translatedBlocks: number;
  readonly tcHits: number;
  readonly worldSwitches: number;
  readonly hiddenFaults: number;
  readonly shadowUpdates: number;
  readonly tlbMisses: number;
  readonly fidelityViolations: number;
  /** Added to the contract's counters: interrupts and exceptions delivered by the (virtual) CPU, port I/O. */
  readonly interrupts: number;
  readonly exceptions: number;
  readonly io: number;
}

/** Where a guest saw the virtual machine behave unlike a real one. */
export interface FidelityViolation {
  readonly pc: number;
  readonly instruction: string;
  readonly expected: string;
  readonly actual: string;
}

/** One VM as the guest sees it (virtual state), after or during a run. */
export interface VmView {
  readonly name: string;
  readonly state: VmState;
  readonly exitCode: number | null;
  readonly crashReason?: string;
  readonly console: string;
  readonly cpu: CpuView;
  readonly counters: Counters;
  readonly fidelity: readonly FidelityViolation[];
}

/** A run's result: the object `run --json` prints (interfaces.md). */
export interface RunResult {
  readonly technique: TechniqueId;
  readonly isa: Variant;
  readonly preset: PresetId;
  readonly paging: string;
  readonly stop: { readonly reason: StopReason };
  readonly vms: readonly VmView[];
  readonly counters: Counters;
  readonly cycles: { readonly total: number; readonly byCategory: Readonly<Record<string, number>> };
  readonly events?: readonly TraceEvent[];
}

/** One technique's line of a comparison: its result, or why it cannot run the scenario. */
export type CompareEntry = RunResult | { readonly technique: TechniqueId; readonly skipped: string };
