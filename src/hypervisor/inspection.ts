// What the page's panels show about a run at one moment: the guest's virtual state beside the real
// CPU's, the memory structures (guest page table, TLB, shadow table or EPT, P2M) and the technique's
// own (the VMCS, the translation cache, the hypercall table). Plain data: it crosses to the page.

import type { ExitControls, TechniqueId } from '../config';
import { PAGE_COUNT, PAGE_INDEX_MASK, PAGE_SHIFT, PTE_P, PTE_SIZE, PTE_U, PTE_W, TLB_ENTRIES } from '../isa/constants';
import { CR0_PG, type Machine } from '../machine/machine';
import type { CpuView } from './views';

export interface RealCpu {
  /** The privilege level the real CPU runs this VM's code at now. */
  readonly cpl: number;
  /** The real IF while the guest runs (null when the guest never runs on the CPU: interpretation). */
  readonly interruptsEnabled: boolean | null;
  /** VMX mode for hardware assistance. */
  readonly mode: 'root' | 'non-root' | null;
  /** What the real CR3 points at (the guest's table, a shadow table, the hypervisor's). */
  readonly cr3: string;
  readonly idtr: number;
}

export interface TlbEntry {
  readonly slot: number;
  readonly page: number;
  /** The frame as the TLB holds it: a host frame under shadow and nested paging, else a guest frame. */
  readonly frame: number;
  readonly flags: string;
  /** Under shadow and nested paging: the guest frame behind the host frame. */
  readonly guestFrame?: number;
  /** The entry's tag where the TLB is tagged (VPID under VT-x): absent when every switch empties it. */
  readonly tag?: string;
}

export interface PageTableEntry {
  readonly page: number;
  readonly pte: number;
  readonly present: boolean;
  readonly frame: number;
  readonly flags: string;
}

export interface ShadowEntry {
  readonly page: number;
  /** The host frame the entry maps to, or null while it is not filled. */
  readonly hostFrame: number | null;
}

export interface VmcsView {
  readonly guest: Readonly<Record<string, number>>;
  readonly host: Readonly<Record<string, number | string>>;
  readonly controls: ExitControls & { externalInterrupt: true; interruptWindow: boolean };
  readonly exit: {
    readonly reason: number;
    readonly reasonName: string;
    readonly qualification: string;
    readonly instruction: string;
  } | null;
  /** Intel's VMCS or AMD's VMCB. */
  readonly vendor?: 'intel' | 'amd';
  /** Every field with its real name (GUEST_RIP, EXCEPTION_BITMAP, …; control.EXITCODE, save.RIP, … on AMD). */
  readonly fields?: readonly {
    readonly group: 'guest' | 'host' | 'control' | 'exit' | 'entry';
    readonly name: string;
    readonly value: number;
  }[];
  /** The fields the last exit's handler read and wrote. */
  readonly touched?: { readonly read: readonly string[]; readonly written: readonly string[] };
}

export interface TranslatedBlockView {
  readonly pc: number;
  readonly instructions: readonly {
    readonly address: number;
    readonly original: string;
    readonly kind: string;
    readonly becomes: string;
  }[];
}

export interface VmInspection {
  readonly name: string;
  /** Which layer of this VM the CPU is in: its kernel or its user code. */
  readonly layer: 'guest-kernel' | 'guest-user';
  readonly virtual: CpuView;
  readonly real: RealCpu;
  readonly tlb: readonly TlbEntry[];
  /** The guest's own page table (when guest paging is on). */
  readonly pageTable: readonly PageTableEntry[] | null;
  /** Guest-physical frame → host frame. */
  readonly p2m: readonly number[];
  /** The host the VM runs on (host B once a live migration has moved it). */
  readonly host: 'host A' | 'host B';
  readonly shadow: readonly ShadowEntry[] | null;
  readonly ept: readonly ShadowEntry[] | null;
  readonly vmcs: VmcsView | null;
  readonly blocks: readonly TranslatedBlockView[] | null;
  readonly hypercalls: Readonly<Record<string, number>> | null;
}

export interface Inspection {
  readonly technique: TechniqueId;
  readonly hypervisorType: 1 | 2;
  /** The VM whose code the CPU runs now (or last ran). */
  readonly current: number;
  readonly vms: readonly VmInspection[];
}

export function pteFlags(pte: number): string {
  return `${pte & PTE_P ? 'P' : '-'}${pte & PTE_W ? 'W' : '-'}${pte & PTE_U ? 'U' : '-'}`;
}

export function tlbOf(m: Machine): TlbEntry[] {
  const out: TlbEntry[] = [];
  for (let slot = 0; slot < TLB_ENTRIES; slot++) {
    const page = m.tlbSlots[slot];
    if (page < 0) continue;
    const e = m.tlbMap[page];
    out.push({ slot, page, frame: (e >>> PAGE_SHIFT) & 0xffff, flags: pteFlags(e) });
  }
  return out;
}

export function pageTableOf(m: Machine): PageTableEntry[] | null {
  if (!(m.cr0 & CR0_PG)) return null;
  const base = m.cr3 >>> 0;
  const out: PageTableEntry[] = [];
  for (let page = 0; page < PAGE_COUNT; page++) {
    const a = base + page * PTE_SIZE;
    const pte = a + 3 < m.mem.length ? m.mem[a] | (m.mem[a + 1] << 8) | (m.mem[a + 2] << 16) | (m.mem[a + 3] << 24) : 0;
    out.push({ page, pte: pte >>> 0, present: (pte & 1) === 1, frame: (pte >>> PAGE_SHIFT) & PAGE_INDEX_MASK, flags: pteFlags(pte) });
  }
  return out;
}

/** The guest-visible registers of a machine, unsigned. */
export function cpuView(m: Machine): CpuView {
  const r = m.r;
  return {
    R0: r[0] >>> 0,
    R1: r[1] >>> 0,
    R2: r[2] >>> 0,
    R3: r[3] >>> 0,
    R4: r[4] >>> 0,
    R5: r[5] >>> 0,
    R6: r[6] >>> 0,
    R7: r[7] >>> 0,
    PC: m.pc >>> 0,
    FLAGS: m.flags >>> 0,
    CPL: m.cpl,
    CR0: m.cr0 >>> 0,
    CR2: m.cr2 >>> 0,
    CR3: m.cr3 >>> 0,
    IDTR: m.idtr >>> 0,
    KSP: m.ksp >>> 0,
  };
}
