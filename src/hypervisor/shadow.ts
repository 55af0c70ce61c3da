// Shadow page tables (trap-and-emulate, binary translation, hardware-assisted without EPT): the
// hardware walks a table the hypervisor builds from the guest's. The guest's page table is
// write-protected; a store to it updates the shadow; a missing shadow entry is a hidden page fault
// that the guest never sees; a CR3 switch empties the shadow, refilled on demand.
// Nothing here builds an event or a string unless someone listens (`Recorder.listening`).
import { CR0_PG } from '../machine/machine';
import type { TraceEvent } from '../trace/events';
import type { CostTable } from './costs';
import type { Vm } from './vm';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** How shadow paging charges and records (the monitor's own recorders). */
export interface Recorder {
  charge(vm: Vm, cost: keyof CostTable, times?: number): void;
  /** True when a sink listens: only then are events built. */
  listening(): boolean;
  record(vm: Vm, e: DistributiveOmit<TraceEvent, 'vm' | 'pc' | 'time'>): void;
}

/** Guest paging changed (CR3 or CR0 written): the shadow table is rebuilt lazily from scratch. */
export function rebuildShadow(h: Recorder, vm: Vm, cr0: number, cr3: number): void {
  vm.shadow.fill(0);
  vm.machine.watch.fill(0);
  if (cr0 & CR0_PG) {
    // Write-protect the guest's page table (16 entries, 64 bytes: one page, or two if it straddles).
    const start = cr3 >>> 0;
    if (start < 0x10000) vm.machine.watch[start >>> 12] = 1;
    if (start + 63 < 0x10000) vm.machine.watch[(start + 63) >>> 12] = 1;
  }
  vm.counters.shadowUpdates++;
  h.charge(vm, 'shadowUpdate');
  if (h.listening())
    h.record(vm, {
      kind: 'shadow-update',
      page: -1,
      detail:
        cr0 & CR0_PG
          ? `new guest page table at 0x${(cr3 >>> 0).toString(16)}: shadow table emptied, refilled on demand`
          : 'guest paging off: shadow maps guest-physical pages',
    });
}

/**
 * A guest store hit its write-protected page table: update the shadow entry it changes. Returns the
 * guest PTE index written, or -1 when the store was not to a page-table entry (same page, emulated only).
 */
export function shadowWrite(h: Recorder, vm: Vm, pa: number, size: number): number {
  const base = vm.machine.cr3 >>> 0;
  if (!(pa + size > base && pa < base + 64)) return -1;
  let dropped = false;
  for (let a = pa; a < pa + size; a++) {
    const i = a - base;
    if (i >= 0 && i < 64) {
      const page = i >>> 2;
      if (vm.shadow[page]) dropped = true;
      vm.shadow[page] = 0;
    }
  }
  vm.counters.shadowUpdates++;
  h.charge(vm, 'shadowUpdate');
  const entry = Math.max(0, (pa - base) >>> 2);
  if (h.listening())
    h.record(vm, {
      kind: 'shadow-update',
      page: entry,
      detail: `guest PTE ${entry} written: shadow entry ${dropped ? 'dropped' : 'not yet filled'}`,
    });
  return entry;
}

/** What a shadow-table store did, in words (for the emulate event). */
export function shadowWriteWords(entry: number): string {
  return entry < 0 ? 'not a page-table entry (same page): emulated only' : `guest PTE ${entry} written`;
}

/** The hypervisor fills the shadow entry from the guest's PTE; the guest never sees this fault. */
export function fillShadow(h: Recorder, vm: Vm, page: number): void {
  vm.shadow[page] = 1;
  vm.counters.hiddenFaults++;
  h.charge(vm, 'hiddenFault');
  if (h.listening()) h.record(vm, { kind: 'hidden-fault', address: page << 12 });
}
