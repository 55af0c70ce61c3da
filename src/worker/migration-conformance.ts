// The engine's checkpoint and migration types describe the same data as the protocol's (conformance.ts does
// the same for the rest). Types only: nothing here runs.
import type { VmCheckpoint as EngineCheckpoint, MigrationReport as EngineReport } from '../hypervisor/migration';
import type { MigrationReport, VmCheckpoint } from '../protocol/migration';

type Frozen<T> = T extends readonly (infer U)[] ? readonly Frozen<U>[] : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;
type Alike<A, B> = [Frozen<A>] extends [Frozen<B>] ? ([Frozen<B>] extends [Frozen<A>] ? true : false) : false;
type Check<T extends true> = T;

export type MigrationConformance = [Check<Alike<EngineReport, MigrationReport>>, Check<Alike<EngineCheckpoint, VmCheckpoint>>];
