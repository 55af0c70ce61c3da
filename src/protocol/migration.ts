// The shapes of checkpoints and live migration as they cross to the page (issue 15): a VM's checkpoint (plain
// data: numbers, strings and arrays, so it crosses a worker with structuredClone or leaves the page as a file
// unchanged) and the `migration` report of interfaces.md. The engine's types (hypervisor/migration) are
// checked against these in worker/migration-conformance.ts.

export type MigrationMode = 'pre-copy' | 'post-copy' | 'stop-and-copy';

export interface MigrationRound {
  round: number;
  pagesSent: number;
  pagesDirtied: number;
  cycles: number;
}

/** interfaces.md's `migration` object, with the fields VirtLab adds after the contract's. */
export interface MigrationReport {
  mode: MigrationMode;
  vm: number;
  from: string;
  to: string;
  rounds: MigrationRound[];
  pagesSent: number;
  networkFaults: number;
  totalCycles: number;
  downtimeCycles: number;
  converged: boolean;
  writableWorkingSet: number;
  dirtyLogging: string;
  dirtyLogFaults: number;
  stopReason: string;
  throttle: number;
  resumedAt: number;
}

/** A VM's checkpoint: the file's content (format "virtlab-checkpoint", version 1). */
export interface VmCheckpoint {
  readonly format: 'virtlab-checkpoint';
  readonly version: 1;
  readonly program: string;
  readonly technique: string;
  readonly isa: string;
  readonly preset: string;
  readonly paging: string;
  readonly vendor: string;
  readonly vm: number;
  readonly name: string;
  readonly steps: number;
  readonly time: number;
  readonly scenario: unknown;
  readonly machine: {
    readonly scalars: Record<string, number | boolean | string>;
    readonly console: string;
    readonly consoleDropped: number;
    readonly regs: number[];
    readonly tlbMap: number[];
    readonly tlbSlots: number[];
    readonly watch: number[];
    readonly meter: Record<string, number>;
    readonly memory: string;
  };
  readonly hypervisor: {
    readonly counters: Record<string, unknown>;
    readonly fidelity: unknown[];
    readonly shadow: number[];
    readonly ept: number[];
    readonly vcpu: Record<string, unknown>;
    readonly lastExit: Record<string, unknown>;
    readonly callouts: number;
    readonly tc: { translated: number; invalidations: number; blocks: unknown[] } | null;
  };
}

/** The 16-page grid of one round: which pages crossed, which the guest dirtied meanwhile, which a network fault fetched. */
export interface RoundPages {
  readonly sent: readonly number[];
  readonly dirtied: readonly number[];
  readonly faulted: readonly number[];
}

/** The migration at the run's present moment: the report so far and each round's pages (the last: the stop-and-copy). */
export interface MigrationView {
  readonly report: MigrationReport;
  readonly rounds: readonly RoundPages[];
  readonly done: boolean;
  /** The step it began at. */
  readonly at: number;
}

/** The sizes of what a checkpoint saved, in bytes of its file (JSON; memory in base64). */
export interface CheckpointSizes {
  readonly vcpu: number;
  readonly memoryPages: number;
  readonly memory: number;
  readonly devices: number;
  readonly technique: number;
}

/** One checkpoint of the run, as the page lists it. */
export interface CheckpointSummary {
  readonly index: number;
  readonly vm: number;
  readonly vmName: string;
  /** The step it was taken at (a file's: the step of its own run). */
  readonly at: number;
  readonly restoreAt?: number;
  readonly clone?: boolean;
  /** `file`: opened from a file (not part of the scenario). */
  readonly origin: 'scenario' | 'file';
  /** Whether the run has reached its moment (only then can it be restored or saved). */
  readonly taken: boolean;
  readonly sizes?: CheckpointSizes;
  readonly refused?: string;
}

/** One method's line of the comparison of the three migration methods on the same guest. */
export type MigrationMethodResult =
  | {
      readonly mode: MigrationMode;
      readonly report: MigrationReport;
      readonly cycles: number;
      readonly consoles: readonly string[];
      readonly states: readonly string[];
    }
  | { readonly mode: MigrationMode; readonly refused: string };
