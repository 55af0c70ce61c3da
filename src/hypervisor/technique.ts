// The one small interface every technique implements (QEMU's accel/, Cloud Hypervisor's Vcpu):
// the engine asks a technique whether it can run a configuration, creates a run, and drives it by
// budgets of guest instructions. Techniques live in techniques/<id>/, one folder each.
import type { ExitControls, HypervisorType, PagingMode, PagingSetting, TechniqueId } from '../config';
import type { Variant } from '../isa/table';
import type { EventSink } from '../trace/events';
import type { CostCategory, CostTable, PresetId } from './costs';
import type { Inspection } from './inspection';
import type { VmView } from './views';

// The settings' names live in the shared vocabulary (src/config), and what a run reports of each VM in
// views.ts (which inspection.ts imports without importing this file); the engine's modules keep importing
// them from here.
export { type ExitControls, type PagingMode, TECHNIQUE_IDS, type TechniqueId } from '../config';
export type { CpuView, FidelityViolation, VmView } from './views';

/** Everything a technique needs to run, with every default of the spec applied. */
export interface RunConfig {
  readonly isa: Variant;
  readonly preset: PresetId;
  readonly costs: Readonly<CostTable>;
  readonly taggedTlb: boolean;
  readonly nestedPagingAvailable: boolean;
  /** The paging the scenario asked for ('auto' resolves per technique). */
  readonly paging: PagingSetting;
  readonly hypervisorType: HypervisorType;
  readonly exits: Partial<ExitControls>;
  readonly timeSlice: number;
  readonly vms: readonly { readonly name: string; readonly image: Uint8Array }[];
}

export type RunStopReason = 'all-stopped' | 'budget' | 'breakpoint';

export interface TechniqueRun {
  /** Runs up to `budget` guest instructions in total; stops early when every VM stopped or at a breakpoint. */
  run(budget: number): RunStopReason;
  /** Guest instructions executed so far (all VMs). */
  steps(): number;
  vms(): VmView[];
  cycles(): { total: number; byCategory: Partial<Record<CostCategory, number>> };
  /** The memory virtualization in use, for the report. */
  readonly paging: PagingMode | 'none' | 'software' | 'direct';
  setEvents(sink: EventSink | null, traceInstructions: boolean): void;
  /** Breakpoints by VM, as guest (virtual) addresses. */
  setBreakpoints(vm: number, addresses: readonly number[]): void;
  snapshot(): unknown;
  restore(s: unknown): void;
  /** Guest physical memory of a VM, for the memory panel (a copy). */
  readMemory(vm: number, address: number, length: number): Uint8Array;
  /** Virtual against real state and the memory and technique structures, for the panels. */
  inspect(): Inspection;
}

export interface Technique {
  readonly id: TechniqueId;
  /** Why this technique cannot run the configuration (shown to the user), or undefined. */
  refuse(config: RunConfig): string | undefined;
  create(config: RunConfig): TechniqueRun;
}
