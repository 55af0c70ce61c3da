// The protocol owns the shapes of what crosses to the page; the engine keeps its own types, for the CLI's
// JSON and its internals. The worker is the one module that sees both, so the check that they describe the
// same data lives here: each pair must be assignable both ways (a field added, dropped or retyped on one
// side alone fails to compile). Readonly differences (of fields and arrays) are allowed: the engine fills in what the page reads.
// Types only: nothing here runs.
import type { CompareEntry as EngineCompareEntry, StopReason as EngineStopReason, RunResultJson } from '../hypervisor/engine';
import type * as Engine from '../hypervisor/inspection';
import type {
  CpuView as EngineCpuView,
  FidelityViolation as EngineFidelityViolation,
  VmView as EngineVmView,
} from '../hypervisor/technique';
import type * as Protocol from '../protocol/messages';
import type {
  Counters as EngineCounters,
  EventKind as EngineEventKind,
  TraceEvent as EngineTraceEvent,
  VmState as EngineVmState,
} from '../trace/events';

/** T with every property and array readonly, all the way down. */
type Frozen<T> = T extends readonly (infer U)[] ? readonly Frozen<U>[] : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;
/** True when A and B, read-only both, are each assignable to the other. */
type Alike<A, B> = [Frozen<A>] extends [Frozen<B>] ? ([Frozen<B>] extends [Frozen<A>] ? true : false) : false;
type Check<T extends true> = T;

export type Conformance = [
  Check<Alike<EngineCpuView, Protocol.CpuView>>,
  Check<Alike<EngineCounters, Protocol.Counters>>,
  Check<Alike<EngineVmState, Protocol.VmState>>,
  Check<Alike<EngineFidelityViolation, Protocol.FidelityViolation>>,
  Check<Alike<EngineVmView, Protocol.VmView>>,
  Check<Alike<EngineStopReason, Protocol.StopReason>>,
  Check<Alike<RunResultJson, Protocol.RunResult>>,
  Check<Alike<EngineCompareEntry, Protocol.CompareEntry>>,
  Check<Alike<EngineEventKind, Protocol.EventKind>>,
  Check<Alike<EngineTraceEvent, Protocol.TraceEvent>>,
  Check<Alike<Engine.RealCpu, Protocol.RealCpu>>,
  Check<Alike<Engine.TlbEntry, Protocol.TlbEntry>>,
  Check<Alike<Engine.PageTableEntry, Protocol.PageTableEntry>>,
  Check<Alike<Engine.ShadowEntry, Protocol.ShadowEntry>>,
  Check<Alike<Engine.VmcsView, Protocol.VmcsView>>,
  Check<Alike<Engine.TranslatedBlockView, Protocol.TranslatedBlockView>>,
  Check<Alike<Engine.VmInspection, Protocol.VmInspection>>,
  Check<Alike<Engine.Inspection, Protocol.Inspection>>,
];
