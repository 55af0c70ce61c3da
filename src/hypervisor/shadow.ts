// Shadow page tables (trap-and-emulate, binary translation, hardware-assisted without EPT): the
// hardware walks a table the hypervisor builds from the guest's. A missing shadow entry is a hidden
// page fault that the guest never sees.
//
// Shadow tables are cached per guest page table, as KVM does: a shadow root is looked up by the guest
// table it shadows (`kvm_mmu_get_shadow_page` / `kvm_mmu_find_shadow_page`, keyed by gfn and role),
// and a CR3 switch back to a table already shadowed reuses it (`kvm_mmu_new_pgd` →
// `fast_pgd_switch`, the `prev_roots` cache of KVM_MMU_NUM_PREV_ROOTS = 3 previous roots beside the
// current one). Every cached table stays write-protected (`account_shadowed` → write tracking), so a
// store to any of them traps and zaps the shadow entries it changes (`kvm_mmu_track_write` →
// `mmu_page_zap_pte`: the new value is not used, the entry is refilled on the next fault). The cache is
// bounded; when it is full the least recently used root is dropped, as `kvm_mmu_zap_oldest_mmu_pages`
// drops the oldest shadow pages, and the eviction is an event.
// Nothing here builds an event or a string unless someone listens (`Recorder.listening`).
import { MEMORY_SIZE, PAGE_SHIFT } from '../isa/constants';
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

/** One cached shadow table: the guest table it shadows (its CR3, or -1 with guest paging off) and its filled entries. */
export interface ShadowRoot {
  readonly key: number;
  readonly filled: Uint8Array;
}

/**
 * How many shadow roots a VM keeps: the current one and KVM_MMU_NUM_PREV_ROOTS = 3 previous ones
 * (arch/x86/include/asm/kvm_host.h). Bounded so that evictions can be seen.
 */
export const SHADOW_ROOTS = 4;

const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

/** The key of the guest table in use: its CR3, or -1 (guest-physical shadow) with guest paging off. */
function keyOf(cr0: number, cr3: number): number {
  return cr0 & CR0_PG ? cr3 >>> 0 : -1;
}

/** Write-protect the page-table pages of every cached table (16 entries, 64 bytes: one page, or two). */
export function protectTables(vm: Vm): void {
  const watch = vm.machine.watch;
  watch.fill(0);
  for (const r of vm.shadowRoots) {
    if (r.key < 0) continue;
    if (r.key < MEMORY_SIZE) watch[r.key >>> PAGE_SHIFT] = 1;
    if (r.key + 63 < MEMORY_SIZE) watch[(r.key + 63) >>> PAGE_SHIFT] = 1;
  }
}

/**
 * Guest paging changed (CR3 or CR0 written): switch to the shadow of the new guest table, reusing it
 * when it is cached (no rebuild, its filled entries stay), else building an empty one (filled on
 * demand), evicting the least recently used root when the cache is full.
 */
export function switchShadow(h: Recorder, vm: Vm, cr0: number, cr3: number): void {
  const key = keyOf(cr0, cr3);
  const roots = vm.shadowRoots;
  let i = roots.length - 1;
  while (i >= 0 && roots[i].key !== key) i--;
  if (i === 0) return; // the same table (CR0 rewritten, or CR3 reloaded with the same value)
  if (i > 0) {
    const [root] = roots.splice(i, 1);
    roots.unshift(root);
    vm.shadow = root.filled;
    if (h.listening()) {
      let n = 0;
      for (let p = 0; p < 16; p++) n += root.filled[p];
      h.record(vm, {
        kind: 'shadow-update',
        page: -1,
        detail:
          key < 0
            ? `guest paging off: the cached guest-physical shadow is reused (${n} entries still filled)`
            : `CR3 ← ${hex(key)}: the cached shadow of this table is reused, not rebuilt (${n} entries still filled)`,
      });
    }
    return;
  }
  let evicted: ShadowRoot | undefined;
  if (roots.length >= SHADOW_ROOTS) evicted = roots.pop();
  const root: ShadowRoot = { key, filled: new Uint8Array(16) };
  roots.unshift(root);
  vm.shadow = root.filled;
  protectTables(vm);
  vm.counters.shadowUpdates++;
  h.charge(vm, 'shadowUpdate');
  if (h.listening()) {
    const made =
      key < 0
        ? 'guest paging off: a new shadow maps guest-physical pages, filled on demand'
        : `new guest page table at ${hex(key)}: a new shadow table, filled on demand`;
    const gone = evicted
      ? `; the cache holds ${SHADOW_ROOTS} tables, so the least recently used (${evicted.key < 0 ? 'guest-physical' : hex(evicted.key)}) is evicted`
      : '';
    h.record(vm, { kind: 'shadow-update', page: -1, detail: made + gone });
  }
}

/** The former name: a CR3 or CR0 write (now a switch between cached shadow tables). */
export const rebuildShadow = switchShadow;

/**
 * A guest store hit a write-protected page: zap the shadow entries it changes in every cached table
 * that shadows a table there. Returns the entry index written (of the first such table), or -1 when the
 * store was to no shadowed page-table entry (same page: emulated only).
 */
export function shadowWrite(h: Recorder, vm: Vm, pa: number, size: number): number {
  let entry = -1;
  let dropped = false;
  let tables = 0;
  for (const r of vm.shadowRoots) {
    const base = r.key;
    if (base < 0 || !(pa + size > base && pa < base + 64)) continue;
    tables++;
    for (let a = pa; a < pa + size; a++) {
      const i = a - base;
      if (i >= 0 && i < 64) {
        const page = i >>> 2;
        if (r.filled[page]) dropped = true;
        r.filled[page] = 0;
        if (entry < 0) entry = page;
      }
    }
  }
  if (tables === 0) return -1;
  vm.counters.shadowUpdates++;
  h.charge(vm, 'shadowUpdate');
  if (h.listening())
    h.record(vm, {
      kind: 'shadow-update',
      page: entry,
      detail: `guest PTE ${entry} written${tables > 1 ? ` (${tables} cached tables share it)` : ''}: shadow entry ${dropped ? 'zapped' : 'not yet filled'}`,
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
  if (h.listening()) h.record(vm, { kind: 'hidden-fault', address: page << PAGE_SHIFT });
}
