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
