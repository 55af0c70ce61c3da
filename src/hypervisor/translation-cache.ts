// Binary translation's translation cache: one per VM (VMware's translation cache lives in each VM's
// monitor; Adams & Agesen 2006, §3.2). Blocks are keyed by the guest-physical address of their first
// instruction in *this* VM's memory: another VM running the same code at the same address has blocks of
// its own, and its stores never invalidate these.
//
// The cache holds pre-decoded instructions, the form the fast interpreter loop runs (VirtLab's host
// code); no guest text ever reaches a code generator.
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

function translation(row: InstructionRow, immediate: boolean, text: string): { kind: Translation; becomes: string } {
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
      if (p < 0 || (va & 0xfff) > 0xff8 || (i > 0 && p !== pa + 8 * i)) break;
      const d = decode(mem, p);
      if (!d) break;
      const text = formatInstruction(d);
      const t = translation(d.row, (d.mode & MODE_IMM) !== 0, text);
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

  save(): { translated: number; invalidations: number; blocks: Block[] } {
    return { translated: this.translatedInstructions, invalidations: this.invalidations, blocks: [...this.blocks.values()] };
  }

  load(s: { translated: number; invalidations: number; blocks: Block[] }): void {
    this.translatedInstructions = s.translated;
    this.invalidations = s.invalidations;
    this.blocks.clear();
    this.owner.clear();
    for (const b of s.blocks) this.add(b);
  }

  private add(block: Block): void {
    this.blocks.set(block.pa, block);
    for (let i = 0; i < block.instructions.length; i++) this.owner.set(block.pa + 8 * i, block.pa);
  }
}
