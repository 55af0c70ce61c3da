// The typed messages between the page and the engine worker: the only module both sides import.
// Every message is a discriminated union on `kind`, so each side handles them in one exhaustive switch.
// Messages are structured-clone data only (no classes, no functions), so the same protocol works across
// a Worker and in-process (the controller's tests, a future headless page).
//
// The protocol is defined in the modules beside this one (what the page asks, what the worker answers,
// what the page draws, how events are grouped); importers keep to this one path, so that moving a type
// between them never touches the page or the worker.
//
// Types are imported from the engine as types only: nothing of the engine is bundled into the page by
// the protocol, except the list of technique ids (a constant with no dependencies).

import type { PresetId } from '../hypervisor/costs';
import type { CompareEntry, StopReason } from '../hypervisor/engine';
import type { CpuView, ExitControls, TechniqueId } from '../hypervisor/technique';
import type { Diagnostic } from '../isa/assembler';
import type { Variant } from '../isa/table';
import type { Counters, EventKind, TraceEvent, VmState } from '../trace/events';
import type { PageMessage } from './page-messages';
import type { WorkerMessage } from './worker-messages';

export type {
  Inspection,
  PageTableEntry,
  RealCpu,
  ShadowEntry,
  TlbEntry,
  TranslatedBlockView,
  VmcsView,
  VmInspection,
} from '../hypervisor/inspection';
export { TECHNIQUE_IDS } from '../hypervisor/technique';
export type {
  DisplaySnapshot,
  MemoryView,
  RunState,
  RunStatus,
  TimelineView,
  VmDisplay,
} from './display';
export { CONSOLE_TAIL, TIMELINE_BUCKETS, TIMELINE_MARKS } from './display';
export type { EventFilter, TimelineCategory } from './event-kinds';
export { EVENT_KINDS, filterSelects, HYPERVISOR_EVENT_KINDS, TIMELINE_CATEGORIES, timelineCategory } from './event-kinds';
export type { LoadOptions, PageMessage, Speed, TraceFormat } from './page-messages';
export { COMPARE_MAX_STEPS, EXPORT_EVENT_LIMIT, isPageMessage, MAX_STEP_COUNT } from './page-messages';
export type { VmAssemblyErrors, WorkerMessage, WorkerMessageKind } from './worker-messages';
export { EVENT_BATCH_LIMIT, EVENT_WINDOW_LIMIT } from './worker-messages';
export type {
  CompareEntry,
  Counters,
  CpuView,
  Diagnostic,
  EventKind,
  ExitControls,
  PresetId,
  StopReason,
  TechniqueId,
  TraceEvent,
  Variant,
  VmState,
};

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
