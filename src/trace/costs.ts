// The cost model of costs.md, as data: two presets, overridable field by field from a scenario.
// Every preset cost is a model value: the 2006 column is calibrated so that the library's forkwait.s
// and the microbenchmark loops reproduce Adams & Agesen's magnitudes, and `modern`'s so that mmu-heavy.s
// shows VMware's EPT gain (src/config/calibration.ts, checked by src/testing/calibration.test.ts).

import { PRESET_IDS, type PresetId } from '../config';

export type { PresetId };
/** The preset ids under the name the command line imports; PRESET_IDS (src/config) is the list itself. */
export const PRESETS_IDS: readonly PresetId[] = PRESET_IDS;

export interface CostTable {
  instruction: number;
  memoryReference: number;
  exceptionDelivery: number;
  iret: number;
  portIo: number;
  trapRoundTrip: number;
  emulate: number;
  reflect: number;
  inject: number;
  shadowUpdate: number;
  hiddenFault: number;
  translatePerInstruction: number;
  callout: number;
  inlineVirtual: number;
  indirectBranch: number;
  translatedIo: number;
  translatedPageTableWrite: number;
  vmExitRoundTrip: number;
  hypercallRoundTrip: number;
  interpretPerInstruction: number;
  worldSwitch: number;
  hostOsRoundTrip: number;
  /**
   * Xen: an event upcall, the bounce frame that enters the guest's event callback on the way back to
   * the guest (x86_32 entry.S test_all_events → create_bounce_frame). Model value: the same work as
   * `reflect` (a frame on the guest kernel stack); no crossing of its own: it rides on the exit that
   * made the event pending or on the hypercall that unmasked it.
   */
  upcall: number;
  /**
   * Xen: a trap bounced to the guest kernel's handler from its trap table (do_guest_trap →
   * create_bounce_frame), charged besides the trap that brought it. Model value: as `reflect`.
   */
  bounceFrame: number;
  /**
   * Xen: one entry of a multicall (xen/common/multicall.c: copy the entry in, call, copy the result
   * back), inside the one hypercall crossing the batch pays. Model value: a few percent of a crossing,
   * which is the point of batching (Barham et al., SOSP 2003, §3.3: updates are batched "to amortize").
   */
  multicallEntry: number;
  /**
   * Checkpoint and live migration (virtualization.md; issue 15). Model values, each named with the mechanism it
   * stands for; the link's own time (bandwidth, latency) is a scenario setting, not a cost.
   */
  dirtyLogFault: number;
  dirtyLogHardware: number;
  pageSend: number;
  networkFault: number;
  linkWait: number;
}

export interface Preset {
  readonly id: PresetId;
  readonly description: string;
  readonly costs: Readonly<CostTable>;
  readonly taggedTlb: boolean;
  readonly nestedPaging: boolean;
}

export const PRESETS: Readonly<Record<PresetId, Preset>> = {
  '2006': {
    id: '2006',
    description: 'Pentium 4 with first-generation VT-x (no EPT, no tagged TLB): Adams & Agesen, ASPLOS 2006',
    taggedTlb: false,
    nestedPaging: false,
    costs: {
      instruction: 1,
      memoryReference: 50,
      exceptionDelivery: 800,
      iret: 200,
      portIo: 3000,
      trapRoundTrip: 2500,
      emulate: 300,
      reflect: 300,
      inject: 100,
      shadowUpdate: 250,
      hiddenFault: 1500,
      translatePerInstruction: 300,
      callout: 200,
      inlineVirtual: 30,
      indirectBranch: 40,
      translatedIo: 200,
      translatedPageTableWrite: 200,
      vmExitRoundTrip: 8000,
      hypercallRoundTrip: 2500,
      interpretPerInstruction: 60,
      worldSwitch: 12000,
      hostOsRoundTrip: 20000,
      upcall: 300,
      bounceFrame: 300,
      multicallEntry: 100,
      dirtyLogFault: 500,
      dirtyLogHardware: 50,
      pageSend: 4000,
      networkFault: 1000,
      linkWait: 1,
    },
  },
  modern: {
    id: 'modern',
    description: 'a recent x86 server core with EPT and VPID',
    taggedTlb: true,
    nestedPaging: true,
    costs: {
      instruction: 1,
      memoryReference: 40,
      exceptionDelivery: 400,
      iret: 200,
      portIo: 1000,
      trapRoundTrip: 1000,
      emulate: 150,
      reflect: 150,
      inject: 50,
      shadowUpdate: 250,
      hiddenFault: 500,
      translatePerInstruction: 150,
      callout: 100,
      inlineVirtual: 20,
      indirectBranch: 20,
      translatedIo: 150,
      translatedPageTableWrite: 250,
      vmExitRoundTrip: 1300,
      hypercallRoundTrip: 1250,
      interpretPerInstruction: 40,
      worldSwitch: 3000,
      hostOsRoundTrip: 5000,
      upcall: 150,
      bounceFrame: 150,
      multicallEntry: 50,
      dirtyLogFault: 250,
      dirtyLogHardware: 40,
      pageSend: 1000,
      networkFault: 500,
      linkWait: 1,
    },
  },
};

export type CostCategory =
  | 'guest'
  | 'interpretation'
  | 'trap'
  | 'vm-exit'
  | 'hypercall'
  | 'hypervisor'
  | 'translation'
  | 'memory'
  | 'world-switch'
  | 'migration';

export const CATEGORY_OF: Readonly<Record<keyof CostTable, CostCategory>> = {
  instruction: 'guest',
  exceptionDelivery: 'guest',
  iret: 'guest',
  portIo: 'guest',
  interpretPerInstruction: 'interpretation',
  trapRoundTrip: 'trap',
  vmExitRoundTrip: 'vm-exit',
  hypercallRoundTrip: 'hypercall',
  emulate: 'hypervisor',
  reflect: 'hypervisor',
  inject: 'hypervisor',
  translatePerInstruction: 'translation',
  callout: 'translation',
  inlineVirtual: 'translation',
  indirectBranch: 'translation',
  translatedIo: 'translation',
  translatedPageTableWrite: 'translation',
  memoryReference: 'memory',
  shadowUpdate: 'memory',
  hiddenFault: 'memory',
  worldSwitch: 'world-switch',
  hostOsRoundTrip: 'world-switch',
  upcall: 'hypervisor',
  bounceFrame: 'hypervisor',
  multicallEntry: 'hypercall',
  dirtyLogFault: 'migration',
  dirtyLogHardware: 'migration',
  pageSend: 'migration',
  networkFault: 'migration',
  linkWait: 'migration',
};

/**
 * Where the migration rows come from (costs.md: new events get rows of their own with their sources). All are
 * model values, calibrated on the mechanism, not measured:
 * - dirtyLogFault: the hypervisor's work on a logging fault after the trap or exit that brought it (marking the
 *   bitmap and making the page writable again: KVM's fast_page_fault / mark_page_dirty, Xen's paging_mark_dirty
 *   from sh_page_fault): priced as a shadow-entry update (shadowUpdate), which is what it is.
 * - dirtyLogHardware: a page the CPU logs itself without a fault (Intel PML writes the GPA into the PML buffer;
 *   a software MMU sets the bitmap bit, QEMU's notdirty write): priced as one memory reference.
 * - pageSend: the source hypervisor copying one 4 KiB page into the migration stream (about a cycle per byte for
 *   the copy, QEMU's ram_save_page): a model value.
 * - networkFault: post-copy's fault on host B for a page still on host A, before the link's round trip (Hines &
 *   Gopalan, VEE 2009): priced as a hidden fault (hiddenFault); the round trip itself is linkWait.
 * - linkWait: one host cycle the VM spends paused waiting for the link (downtime, post-copy's fetches): a unit.
 */
export const MIGRATION_COST_SOURCES: Readonly<
  Record<'dirtyLogFault' | 'dirtyLogHardware' | 'pageSend' | 'networkFault' | 'linkWait', string>
> = {
  dirtyLogFault: 'model value: a shadow-entry update (KVM mark_page_dirty, Xen paging_mark_dirty), after the trap or exit',
  dirtyLogHardware: 'model value: one memory reference (Intel PML buffer entry; QEMU notdirty write under interpretation)',
  pageSend: 'model value: about one cycle per byte to copy a 4 KiB page into the stream (QEMU ram_save_page)',
  networkFault: 'model value: a hidden fault on host B (Hines & Gopalan, VEE 2009), before the link round trip',
  linkWait: 'unit: one host cycle paused waiting on the link (bandwidth and latency are scenario settings)',
};

export const COST_NAMES = Object.keys(CATEGORY_OF) as (keyof CostTable)[];

/** The preset's table with a scenario's overrides applied (unknown or non-numeric fields are reported). */
export function resolveCosts(preset: PresetId, overrides: Record<string, unknown> = {}): { costs: CostTable; errors: string[] } {
  const costs: CostTable = { ...PRESETS[preset].costs };
  const errors: string[] = [];
  for (const [k, v] of Object.entries(overrides)) {
    if (!Object.hasOwn(costs, k)) {
      errors.push(`costs.${k}: unknown cost (known: ${COST_NAMES.join(', ')})`);
    } else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      errors.push(`costs.${k}: expected a number ≥ 0`);
    } else {
      costs[k as keyof CostTable] = v;
    }
  }
  return { costs, errors };
}

/** Cycles charged so far, by cost name; turned into categories for the breakdown. */
export class CycleMeter {
  readonly counts: Record<keyof CostTable, number>;
  constructor(readonly costs: Readonly<CostTable>) {
    this.counts = Object.fromEntries(COST_NAMES.map((k) => [k, 0])) as Record<keyof CostTable, number>;
  }
  charge(name: keyof CostTable, times = 1): void {
    this.counts[name] += times;
  }
  /** Written out term by term: events ask for the time, and a keyed loop was most of their cost. */
  total(): number {
    const n = this.counts;
    const c = this.costs;
    return (
      n.instruction * c.instruction +
      n.memoryReference * c.memoryReference +
      n.exceptionDelivery * c.exceptionDelivery +
      n.iret * c.iret +
      n.portIo * c.portIo +
      n.trapRoundTrip * c.trapRoundTrip +
      n.emulate * c.emulate +
      n.reflect * c.reflect +
      n.inject * c.inject +
      n.shadowUpdate * c.shadowUpdate +
      n.hiddenFault * c.hiddenFault +
      n.translatePerInstruction * c.translatePerInstruction +
      n.callout * c.callout +
      n.inlineVirtual * c.inlineVirtual +
      n.indirectBranch * c.indirectBranch +
      n.translatedIo * c.translatedIo +
      n.translatedPageTableWrite * c.translatedPageTableWrite +
      n.vmExitRoundTrip * c.vmExitRoundTrip +
      n.hypercallRoundTrip * c.hypercallRoundTrip +
      n.interpretPerInstruction * c.interpretPerInstruction +
      n.worldSwitch * c.worldSwitch +
      n.hostOsRoundTrip * c.hostOsRoundTrip +
      n.upcall * c.upcall +
      n.bounceFrame * c.bounceFrame +
      n.multicallEntry * c.multicallEntry +
      n.dirtyLogFault * c.dirtyLogFault +
      n.dirtyLogHardware * c.dirtyLogHardware +
      n.pageSend * c.pageSend +
      n.networkFault * c.networkFault +
      n.linkWait * c.linkWait
    );
  }
  byCategory(): Partial<Record<CostCategory, number>> {
    const out: Partial<Record<CostCategory, number>> = {};
    for (const k of COST_NAMES) {
      const c = this.counts[k] * this.costs[k];
      if (c > 0) out[CATEGORY_OF[k]] = (out[CATEGORY_OF[k]] ?? 0) + c;
    }
    return out;
  }
}
