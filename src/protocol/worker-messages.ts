// What the engine worker tells the page: the answers to its messages, and what the run reports as it goes.
// The page folds them into its state in one exhaustive switch (the store's `reduce`), so a message added
// here does not go unhandled there.
import type { TechniqueId } from '../config';
import type { Diagnostic } from '../isa/assembler';
import type { DisplaySnapshot, RunStatus } from './display';
import type { EventFilter } from './event-kinds';
import type { TraceEvent } from './events';
import type { MigrationMethodResult } from './migration';
import type { TraceFormat } from './page-messages';
import type { CompareEntry } from './views';

export interface VmAssemblyErrors {
  readonly vm: number;
  readonly name: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** One "what to look for" step's check over the page's run (the answer to `check-steps`). */
export interface StepCheck {
  /** The step's place in the scenario's `lookFor`. */
  readonly index: number;
  readonly seen: boolean;
  /** The step (guest instructions retired) it was seen at; the run's end for whole-run checks. */
  readonly step: number | null;
  /** The index in the run's event list of the event it was seen at, if it matched one: where "Show me" goes. */
  readonly event: number | null;
  /** Why not, when not seen. */
  readonly why?: string;
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
  /**
   * Events since the last batch; `dropped` counts those left out (the oldest) to keep a batch bounded.
   * `first` is the index of events[0] in the run's event list (when given); `replay` marks events that a
   * seek produced again (not worth animating).
   */
  | {
      readonly kind: 'events';
      readonly events: readonly TraceEvent[];
      readonly dropped: number;
      readonly first?: number;
      readonly replay?: boolean;
    }
  /** A seek went back in time: the page's event list keeps its first `count` events; replayed ones follow. */
  | { readonly kind: 'events-cut'; readonly count: number }
  | { readonly kind: 'pong'; readonly id: number }
  /** Said by the page's side of the bus: the worker stopped answering and was replaced (the program is loaded again). */
  | { readonly kind: 'restarted'; readonly reason: string }
  /** The answer to an `events-window` request. */
  | {
      readonly kind: 'events-window';
      readonly request: number;
      readonly filter: EventFilter;
      readonly from: number;
      /** How many events the filter selects in all (up to now). */
      readonly total: number;
      readonly items: readonly { readonly index: number; readonly event: TraceEvent }[];
    }
  /** Every technique's run of the scenario, in TECHNIQUE_IDS order (skipped ones with their reason). */
  | { readonly kind: 'compare-results'; readonly request: number; readonly results: readonly CompareEntry[] }
  /** The scenario could not be compared (invalid, or its programs do not assemble). */
  | { readonly kind: 'compare-failed'; readonly request: number; readonly errors: readonly string[] }
  /** The trace file asked for: `count` events, the newest of the `total` the run has had up to now. */
  | {
      readonly kind: 'events-export';
      readonly request: number;
      readonly format: TraceFormat;
      readonly text: string;
      readonly count: number;
      readonly total: number;
    }
  /**
   * The scenario's `checkpoints` as the run now has them (after a checkpoint was taken or restored at this
   * moment): the page keeps them in the scenario, so that they travel with it and its links.
   */
  | {
      readonly kind: 'checkpoints-changed';
      readonly checkpoints: readonly { readonly vm: number; readonly at: number; readonly restoreAt?: number; readonly clone?: boolean }[];
      /** Why a restore was refused, if it was. */
      readonly refused?: string;
    }
  | {
      readonly kind: 'checkpoint-file';
      readonly request: number;
      readonly name: string;
      readonly text: string | null;
      readonly reason?: string;
    }
  /** The file opened, or why it was refused (corrupt, an unknown version, another program or technique). */
  | { readonly kind: 'checkpoint-opened'; readonly request: number; readonly ok: boolean; readonly reason?: string }
  | { readonly kind: 'migration-compare-results'; readonly request: number; readonly results: readonly MigrationMethodResult[] }
  /**
   * The answer to `peek-event`: the next hypervisor event (its index in the run's event list), or null
   * when the run ends or PEEK_LIMIT instructions pass without one.
   */
  | {
      readonly kind: 'next-event';
      readonly request: number;
      readonly next: { readonly index: number; readonly event: TraceEvent } | null;
    }
  /** The answer to `check-steps`: one result per step asked about, in the order asked. */
  | { readonly kind: 'steps-checked'; readonly request: number; readonly results: readonly StepCheck[] }
  /** A message the worker could not act on, or a failure of its own. */
  | { readonly kind: 'error'; readonly message: string };

export type WorkerMessageKind = WorkerMessage['kind'];

/** Events carried by one batch at most. */
export const EVENT_BATCH_LIMIT = 2000;
/** Instructions the worker runs ahead at most to find the next event for `peek-event`. */
export const PEEK_LIMIT = 1_000_000;
/** Events one `events-window` answer carries at most. */
export const EVENT_WINDOW_LIMIT = 500;
