// The typed messages between the page and the engine worker: the only module both sides import.
// Every message is a discriminated union on `kind`, so each side handles them in one exhaustive switch.
// Messages are structured-clone data only (no classes, no functions), so the same protocol works across
// a Worker and in-process (the controller's tests, a future headless page).
//
// Types are imported from the engine as types only: nothing of the engine is bundled into the page by
// this module, except the list of technique ids (a constant with no dependencies).

import type { PresetId } from '../hypervisor/costs';
import type { StopReason } from '../hypervisor/engine';
import type { CpuView, TechniqueId } from '../hypervisor/technique';
import type { Diagnostic } from '../isa/assembler';
import type { Variant } from '../isa/table';
import type { Counters, TraceEvent, VmState } from '../trace/events';

export { TECHNIQUE_IDS } from '../hypervisor/technique';
export type { Counters, CpuView, Diagnostic, PresetId, StopReason, TechniqueId, TraceEvent, Variant, VmState };

/** Options that override the scenario's own fields for this run (the CLI's --technique, --isa, …). */
export interface LoadOptions {
  readonly technique?: TechniqueId;
  readonly isa?: Variant;
  readonly preset?: PresetId;
  readonly paging?: 'auto' | 'shadow' | 'nested';
  readonly maxSteps?: number;
  /** Stream hypervisor events (never `instruction` events) in `events` batches. */
  readonly events?: boolean;
}

// ---- page → worker ----

export type PageMessage =
  /** Validates and prepares a scenario (untrusted JSON); answered by `loaded` or one of its refusals. */
  | { readonly kind: 'load'; readonly scenario: unknown; readonly options: LoadOptions }
  /** Runs (or continues) until every VM stops, a breakpoint, the step limit, or `pause`. */
  | { readonly kind: 'run' }
  | { readonly kind: 'pause' }
  /** Runs exactly `count` more guest instructions (fewer if the run stops first), then pauses. */
  | { readonly kind: 'step'; readonly count: number }
  /** Prepares the last loaded scenario again, from its first instruction. */
  | { readonly kind: 'reset' };

// ---- worker → page ----

/** Where the run controller is. `idle`: nothing runnable is loaded. `stopped`: the run ended (see `stop`). */
export type RunState = 'idle' | 'running' | 'paused' | 'stopped';

export interface RunStatus {
  readonly state: RunState;
  /** Guest instructions executed so far, all VMs. */
  readonly steps: number;
  /** Why the engine last stopped, once it has (a `breakpoint` stop leaves the run paused). */
  readonly stop: StopReason | null;
  /** The engine's own failure, when `stop` is `error`. */
  readonly error?: string;
}

export interface VmDisplay {
  readonly name: string;
  readonly state: VmState;
  readonly exitCode: number | null;
  readonly crashReason?: string;
  /** The end of the console (at most CONSOLE_TAIL characters). */
  readonly console: string;
  /** Characters of console output in total, so the page can say how much was cut. */
  readonly consoleLength: number;
  readonly cpu: CpuView;
  readonly counters: Counters;
  readonly fidelityViolations: number;
}

/** What the page draws; posted at most about once per frame while running, never per instruction. */
export interface DisplaySnapshot {
  readonly technique: TechniqueId;
  readonly isa: Variant;
  readonly preset: PresetId;
  readonly paging: string;
  readonly steps: number;
  readonly vms: readonly VmDisplay[];
  readonly counters: Counters;
  readonly cycles: { readonly total: number; readonly byCategory: Readonly<Record<string, number>> };
}

export interface VmAssemblyErrors {
  readonly vm: number;
  readonly name: string;
  readonly diagnostics: readonly Diagnostic[];
}

export type WorkerMessage =
  | { readonly kind: 'loaded'; readonly technique: TechniqueId; readonly vms: readonly string[] }
  | { readonly kind: 'assembly-errors'; readonly errors: readonly VmAssemblyErrors[] }
  /** The technique cannot run this scenario (for example native with two VMs); the reason is for people. */
  | { readonly kind: 'refused'; readonly technique: TechniqueId; readonly reason: string }
  /** The scenario is malformed; each error names its field. */
  | { readonly kind: 'invalid'; readonly errors: readonly string[] }
  | { readonly kind: 'status'; readonly status: RunStatus }
  | { readonly kind: 'snapshot'; readonly snapshot: DisplaySnapshot }
  /** Events since the last batch; `dropped` counts those left out to keep a batch bounded. */
  | { readonly kind: 'events'; readonly events: readonly TraceEvent[]; readonly dropped: number }
  /** A message the worker could not act on, or a failure of its own. */
  | { readonly kind: 'error'; readonly message: string };

export type WorkerMessageKind = WorkerMessage['kind'];

/** Console characters carried by a snapshot: enough for any screen, bounded for a guest that prints forever. */
export const CONSOLE_TAIL = 64 * 1024;
/** Events carried by one batch at most. */
export const EVENT_BATCH_LIMIT = 2000;
/** The largest `step` count the worker accepts in one message. */
export const MAX_STEP_COUNT = 1_000_000_000;

/**
 * One message interface that works the same across a Worker and in-process (v86's worker_bus): the page
 * talks to an EngineBus and never knows which one it has.
 */
export interface EngineBus {
  send(message: PageMessage): void;
  /** Calls `listener` for every message from the engine; returns the unsubscribe function. */
  subscribe(listener: (message: WorkerMessage) => void): () => void;
  dispose(): void;
}

/** Shape check for messages arriving from the other side (a worker is trusted code, but typos are not). */
export function isPageMessage(data: unknown): data is PageMessage {
  if (typeof data !== 'object' || data === null) return false;
  const kind = (data as { kind?: unknown }).kind;
  switch (kind) {
    case 'load':
      return 'scenario' in data && typeof (data as { options?: unknown }).options === 'object';
    case 'step':
      return typeof (data as { count?: unknown }).count === 'number';
    case 'run':
    case 'pause':
    case 'reset':
      return true;
    default:
      return false;
  }
}
