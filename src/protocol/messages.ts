// The typed messages between the page and the engine worker: the only module both sides import.
// Every message is a discriminated union on `kind`, so each side handles them in one exhaustive switch.
// Messages are structured-clone data only (no classes, no functions), so the same protocol works across
// a Worker and in-process (the controller's tests, a future headless page).
//
// The protocol is defined in the modules beside this one (what the page asks, what the worker answers,
// what the page draws, how events are grouped); importers keep to this one path, so that moving a type
// between them never touches the page or the worker.
//
// The protocol owns the types of everything that crosses (the messages, the views the page renders, the
// events as data): nothing here imports the engine, not even as types. The engine keeps its own types, and
// the worker, the one module that sees both sides, checks at compile time that they describe the same data
// (src/worker/conformance.ts). The settings' vocabulary (technique ids, presets, paging, exit controls) is
// the shared module's (src/config), re-exported here for the page's convenience.

import type { PageMessage } from './page-messages';
import type { WorkerMessage } from './worker-messages';

export type {
  ExitControls,
  HypervisorType,
  PagingMode,
  PagingSetting,
  PresetId,
  TechniqueId,
} from '../config';
export { TECHNIQUE_IDS } from '../config';
export type { Diagnostic } from '../isa/assembler';
export type { Variant } from '../isa/table';
export type {
  DisplaySnapshot,
  EventAt,
  MemoryView,
  RunState,
  RunStatus,
  TimelineView,
  VmDisplay,
} from './display';
export { CONSOLE_TAIL, TIMELINE_BUCKETS, TIMELINE_MARKS } from './display';
export type { EventFilter, TimelineCategory } from './event-kinds';
export {
  DEFAULT_EVENT_FILTER,
  EVENT_KINDS,
  filterSelects,
  HYPERVISOR_EVENT_KINDS,
  TIMELINE_CATEGORIES,
  timelineCategory,
} from './event-kinds';
export type { EventKind, TraceEvent, VmState } from './events';
export type {
  Inspection,
  PageTableEntry,
  RealCpu,
  ShadowEntry,
  TlbEntry,
  TranslatedBlockView,
  VmcsView,
  VmInspection,
} from './inspection';
export type {
  CheckpointSizes,
  CheckpointSummary,
  MigrationMethodResult,
  MigrationMode,
  MigrationReport,
  MigrationRound,
  MigrationView,
  RoundPages,
} from './migration';
export type { CompareSetting, LoadOptions, PageMessage, Speed, TraceFormat } from './page-messages';
export {
  CHECK_RUN_MAX_STEPS,
  CHECK_STEPS_LIMIT,
  COMPARE_MAX_STEPS,
  EXPORT_EVENT_LIMIT,
  isPageMessage,
  MAX_STEP_COUNT,
} from './page-messages';
export type {
  CompareEntry,
  Counters,
  CpuView,
  FidelityViolation,
  RunResult,
  StopReason,
  VmView,
} from './views';
export { CPU_FIELDS } from './views';
export type { StepCheck, VmAssemblyErrors, WorkerMessage, WorkerMessageKind } from './worker-messages';
export { EVENT_BATCH_LIMIT, EVENT_WINDOW_LIMIT, PEEK_LIMIT } from './worker-messages';

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
