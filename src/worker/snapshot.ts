// What the page draws, built from the engine at the moment the run is at. Everything here is bounded
// (a console tail, a window of memory, the recent translated blocks, the timeline only when it changed):
// a snapshot crosses to the page about once a frame, however long the run has been.
import type { Engine } from '../hypervisor/engine';
import type { PlannedRun } from '../hypervisor/migration/planned-run';
import { ADDRESS_MASK, INSTRUCTION_SIZE, MEMORY_SIZE, PAGE_INDEX_MASK, PAGE_OFFSET_MASK, PAGE_SHIFT, PAGE_SIZE } from '../isa/constants';
import { CONSOLE_TAIL, type DisplaySnapshot, type Inspection, type MemoryView, type Speed } from '../protocol/messages';
import type { EventLog } from './event-log';
import { summaries } from './plan';

/** Bytes of guest memory a snapshot carries, centred on the PC or the chosen address. */
const MEMORY_WINDOW = 256;
/** Translated blocks a snapshot carries at most (the most recent ones, and the PC's). */
const BLOCKS_SHOWN = 64;

/** The part of a snapshot the engine alone gives (the controller adds the memory view, the event counts and the timeline). */
export function snapshotOf(engine: Engine): DisplaySnapshot {
  const r = engine.result();
  return {
    technique: r.technique,
    isa: r.isa,
    preset: r.preset,
    paging: r.paging,
    steps: engine.run.steps(),
    vms: r.vms.map((vm) => ({
      name: vm.name,
      state: vm.state,
      exitCode: vm.exitCode,
      ...(vm.crashReason !== undefined ? { crashReason: vm.crashReason } : {}),
      console: vm.console.length > CONSOLE_TAIL ? vm.console.slice(-CONSOLE_TAIL) : vm.console,
      consoleLength: vm.console.length,
      cpu: { ...vm.cpu },
      counters: vm.counters,
      fidelityViolations: vm.fidelity.length,
    })),
    counters: r.counters,
    cycles: r.cycles,
  };
}

/**
 * Builds the controller's snapshots. It remembers which timeline the page was last sent, because the
 * timeline is the one part that is costly to build and usually unchanged from one frame to the next.
 */
export class SnapshotBuilder {
  /** The guest-physical address the memory view is centred on; null: it follows the PC. */
  private memoryAddress: number | null = null;
  private postedTimeline = -1;
  private postedFurthest = -1;

  constructor(private readonly log: EventLog) {}

  /** Centres the memory view on a guest-physical address, or (null) has it follow the PC. */
  focusMemory(address: number | null): void {
    this.memoryAddress = address === null ? null : Math.max(0, Math.floor(address)) & ADDRESS_MASK;
  }

  /** A new run: its first snapshot carries the timeline. */
  forgetTimeline(): void {
    this.postedTimeline = -1;
  }

  build(engine: Engine, furthest: number, speed: Speed, plan: PlannedRun | null = null): DisplaySnapshot {
    const base = snapshotOf(engine);
    const inspection = engine.run.inspect();
    const present = engine.eventCount;
    const timelineChanged = this.log.timelineVersion !== this.postedTimeline || furthest !== this.postedFurthest;
    this.postedTimeline = this.log.timelineVersion;
    this.postedFurthest = furthest;
    return {
      ...base,
      inspection: trimInspection(inspection),
      memory: this.memoryOf(engine, inspection),
      eventCount: present,
      eventsFirstKept: this.log.firstKept,
      eventCounts: this.log.counts(present),
      speed,
      ...(timelineChanged ? { timeline: this.log.timeline(furthest) } : {}),
      ...(plan?.checkpoints.length
        ? {
            checkpoints: summaries(
              plan,
              base.vms.map((v) => v.name),
            ),
          }
        : {}),
      ...(plan?.settings ? { migration: plan.progress && structuredClone(plan.progress) } : {}),
    };
  }

  private memoryOf(engine: Engine, all: Inspection): MemoryView {
    const vm = all.current;
    const inspection = all.vms[vm];
    const pc = inspection?.virtual.PC ?? 0;
    let pcPhysical: number | null = pc & ADDRESS_MASK;
    if (inspection?.pageTable) {
      const pte = inspection.pageTable[(pc >>> PAGE_SHIFT) & PAGE_INDEX_MASK];
      pcPhysical = pte?.present ? pte.frame * PAGE_SIZE + (pc & PAGE_OFFSET_MASK) : null;
    }
    const centre = this.memoryAddress ?? pcPhysical ?? 0;
    const start = Math.max(0, Math.min(MEMORY_SIZE - MEMORY_WINDOW, (centre - MEMORY_WINDOW / 2) & ~(INSTRUCTION_SIZE - 1)));
    const bytes = Array.from(engine.run.readMemory(vm, start, MEMORY_WINDOW));
    return { vm, base: start, bytes, pcPhysical, followsPc: this.memoryAddress === null, focus: centre };
  }
}

/** The translation cache can grow large: the page gets the most recent blocks, and the PC's. */
function trimInspection(i: Inspection): Inspection {
  if (!i.vms.some((v) => v.blocks && v.blocks.length > BLOCKS_SHOWN)) return i;
  return {
    ...i,
    vms: i.vms.map((v) => {
      if (!v.blocks || v.blocks.length <= BLOCKS_SHOWN) return v;
      const pc = v.virtual.PC;
      const recent = v.blocks.slice(-BLOCKS_SHOWN);
      const atPc = v.blocks.find((b) => b.instructions.some((x) => x.address === pc));
      return { ...v, blocks: atPc && !recent.includes(atPc) ? [atPc, ...recent.slice(1)] : recent };
    }),
  };
}
