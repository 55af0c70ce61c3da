// Binary translation's translation cache: one per VM (VMware's translation cache lives in each VM's
// monitor; Adams & Agesen 2006, §3.2). Blocks are keyed by the guest-physical address of their first
// instruction in *this* VM's memory: another VM running the same code at the same address has blocks of
// its own, and its stores never invalidate these.
//
// The cache holds pre-decoded instructions, the form the fast interpreter loop runs (VirtLab's host
// code); no guest text ever reaches a code generator.
import { INSTRUCTION_SIZE, LAST_INSTRUCTION_OFFSET, PAGE_OFFSET_MASK } from '../isa/constants';
import { formatInstruction } from '../isa/disassembler';
import { decode } from '../isa/encoding';
import { type InstructionRow, MODE_IMM } from '../isa/table';

export type Translation = 'kept' | 'inline' | 'callout' | 'device' | 'lookup';

export interface TranslatedInstruction {
  readonly address: number;
  readonly original: string;
  readonly kind: Translation;
  /** What it became, in VX terms a student can read. */
  readonly becomes: string;
}

export interface Block {
  /** Guest-virtual address of the block's first instruction. */
  readonly pc: number;
  readonly pa: number;
  readonly mode: 'kernel';
  readonly instructions: readonly TranslatedInstruction[];
}

/** Instructions translated to inline vCPU updates (no callout). */
export const INLINE: ReadonlySet<string> = new Set(['CLI', 'STI', 'PUSHF', 'POPF']);
const MAX_BLOCK = 32;

export function isIndirect(name: string, immediate: boolean): boolean {
  return name === 'RET' || ((name === 'JMP' || name === 'CALL') && !immediate);
}

/** Guest-virtual to guest-physical through the guest's own table, without side effects, or -1. */
export function guestPhys(m: { cr0: number; cr3: number; mem: Uint8Array }, va: number): number {
  const a = va >>> 0;
  if (a >= 0x10000) return -1;
  if (!(m.cr0 & 0x80000000)) return a;
  const pa = (m.cr3 >>> 0) + (a >>> 12) * 4;
  if (pa + 3 >= 0x10000) return -1;
  const pte = m.mem[pa] | (m.mem[pa + 1] << 8) | (m.mem[pa + 2] << 16) | (m.mem[pa + 3] << 24);
  return pte & 1 ? (pte & 0xf000) | (a & 0xfff) : -1;
}

function translation(row: InstructionRow, immediate: boolean, text: string, adaptive: boolean): { kind: Translation; becomes: string } {
  // Adaptive translation (Adams & Agesen 2006, §3.2 "Adaptive binary translation"): a store that took a
  // trace fault on a page table is retranslated as a callout that performs it and updates the shadow.
  if (adaptive)
    return {
      kind: 'callout',
      becomes: `callout: the hypervisor performs ${text} on the guest page table and updates the shadow (adaptive translation)`,
    };
  if (INLINE.has(row.name)) {
    const becomes = {
      CLI: 'vCPU.IF ← 0 (inline, no trap)',
      STI: 'vCPU.IF ← 1 (inline); if a virtual interrupt is pending, call the hypervisor to inject it',
      PUSHF: 'push FLAGS with IF taken from the vCPU (inline)',
      POPF: 'pop FLAGS; vCPU.IF ← the popped IF (inline)',
    }[row.name as 'CLI'];
    return { kind: 'inline', becomes };
  }
  if (row.name === 'IN' || row.name === 'OUT') return { kind: 'device', becomes: `call the device model: ${text}` };
  if (row.name === 'INT') return { kind: 'callout', becomes: `callout: the hypervisor reflects ${text} through the guest's IDT` };
  if (row.name === 'VMCALL') return { kind: 'callout', becomes: 'callout: #UD is reflected (no hypercall interface)' };
  if (row.group === 'system') return { kind: 'callout', becomes: `callout: the hypervisor emulates ${text} on the vCPU` };
  if (isIndirect(row.name, immediate))
    return { kind: 'lookup', becomes: `look the target up in the translation cache, then jump (${text})` };
  return { kind: 'kept', becomes: text };
}

export class TranslationCache {
  /** Blocks by the guest-physical address of their first instruction. */
  readonly blocks = new Map<number, Block>();
  /** Which block each translated instruction belongs to, by guest-physical address. */
  private readonly owner = new Map<number, number>();
  translatedInstructions = 0;
  invalidations = 0;
  /** Adaptive translation: guest-physical addresses of stores retranslated as callouts after a trace fault. */
  readonly calloutStores = new Set<number>();

  has(pa: number): boolean {
    return this.owner.has(pa);
  }

  hasBlock(pa: number): boolean {
    return this.blocks.has(pa);
  }

  /**
   * Translates the basic block whose first instruction is at guest-virtual `pc` (guest-physical `pa`);
   * `phys` maps guest-virtual to guest-physical without side effects. Undefined for an undefined
   * instruction (#UD will be reflected).
   */
  translate(mem: Uint8Array, pc: number, pa: number, phys: (va: number) => number): Block | undefined {
    const out: TranslatedInstruction[] = [];
    for (let i = 0; i < MAX_BLOCK; i++) {
      const va = pc + 8 * i;
      const p = phys(va);
      // A block stays inside one page and never straddles into the next.
      if (p < 0 || (va & PAGE_OFFSET_MASK) > LAST_INSTRUCTION_OFFSET || (i > 0 && p !== pa + INSTRUCTION_SIZE * i)) break;
      const d = decode(mem, p);
      if (!d) break;
      const text = formatInstruction(d);
      const t = translation(d.row, (d.mode & MODE_IMM) !== 0, text, this.calloutStores.has(p));
      out.push({ address: va, original: text, kind: t.kind, becomes: t.becomes });
      if (d.row.endsBlock || t.kind === 'callout' || t.kind === 'device') break;
    }
    if (out.length === 0) return undefined;
    const block: Block = { pc, pa, mode: 'kernel', instructions: out };
    this.add(block);
    this.translatedInstructions += out.length;
    return block;
  }

  /** Drops the blocks holding the instruction at guest-physical `pa` (a store hit translated code). */
  invalidate(pa: number): Block[] {
    const dropped: Block[] = [];
    for (let a = Math.max(0, pa - 7); a <= pa; a++) {
      const start = this.owner.get(a);
      if (start === undefined) continue;
      const block = this.blocks.get(start);
      if (!block) continue;
      this.blocks.delete(start);
      for (let i = 0; i < block.instructions.length; i++) this.owner.delete(block.pa + 8 * i);
      this.invalidations++;
      dropped.push(block);
    }
    return dropped;
  }

  /** True when the byte at guest-physical `pa` belongs to a translated instruction (a traced byte). */
  covers(pa: number): boolean {
    for (let a = Math.max(0, pa - 7); a <= pa; a++) if (this.owner.has(a)) return true;
    return false;
  }

  /**
   * A trace fault on guest-physical page `page`: drops every block translated from it (VMware traces
   * whole pages; the blocks are translated afresh when next reached).
   */
  invalidatePage(page: number): Block[] {
    const dropped: Block[] = [];
    for (const [start, block] of this.blocks) {
      if (start >>> 12 !== page) continue;
      this.blocks.delete(start);
      for (let i = 0; i < block.instructions.length; i++) this.owner.delete(block.pa + 8 * i);
      this.invalidations++;
      dropped.push(block);
    }
    return dropped;
  }

  /** Drops the block holding the instruction at `pa` and has that store retranslated as a callout. */
  retranslateStore(pa: number): Block[] {
    this.calloutStores.add(pa);
    return this.invalidate(pa);
  }

  save(): { translated: number; invalidations: number; blocks: Block[]; calloutStores?: number[] } {
    return {
      translated: this.translatedInstructions,
      invalidations: this.invalidations,
      blocks: [...this.blocks.values()],
      calloutStores: [...this.calloutStores],
    };
  }

  load(s: { translated: number; invalidations: number; blocks: Block[]; calloutStores?: number[] }): void {
    this.translatedInstructions = s.translated;
    this.invalidations = s.invalidations;
    this.blocks.clear();
    this.owner.clear();
    this.calloutStores.clear();
    for (const pa of s.calloutStores ?? []) this.calloutStores.add(pa);
    for (const b of s.blocks) this.add(b);
  }

  private add(block: Block): void {
    this.blocks.set(block.pa, block);
    for (let i = 0; i < block.instructions.length; i++) this.owner.set(block.pa + 8 * i, block.pa);
  }
}
