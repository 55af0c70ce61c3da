// `binary-translation` (VMware Workstation and ESX before VT-x): guest-kernel code is never run as
// written. Each basic block is translated on first use into the translation cache and runs at real
// CPL 1: sensitive instructions become inline vCPU updates (CLI, STI, PUSHF, POPF) or callouts into
// the hypervisor, IN/OUT calls into the device model, indirect branches translation-cache lookups,
// and page-table stores callouts (adaptive translation). Guest-user code runs directly at CPL 3, as
// under trap-and-emulate. Memory: shadow page tables.
//
// The translation cache holds pre-decoded instructions, the form the fast interpreter loop runs
// (VirtLab's host code); no guest text ever reaches a code generator. Blocks are keyed by physical
// address; a store into translated code invalidates the blocks it touches.
import { formatInstruction } from '../../../isa/disassembler';
import { decode } from '../../../isa/encoding';
import { type InstructionRow, MODE_IMM } from '../../../isa/table';
import type { DeliveryCause, SystemInstruction } from '../../../machine/host';
import type { Machine } from '../../../machine/machine';
import type { TranslatedBlockView } from '../../inspection';
import type { Vm } from '../../monitor';
import type { RunConfig, Technique, TechniqueId } from '../../technique';
import { effectOf } from '../effects';
import { TrapAndEmulateRun } from '../trap-and-emulate';

export type Translation = 'kept' | 'inline' | 'callout' | 'device' | 'lookup';

export interface TranslatedInstruction {
  readonly address: number;
  readonly original: string;
  readonly kind: Translation;
  /** What it became, in VX terms a student can read. */
  readonly becomes: string;
}

export interface Block {
  readonly vm: number;
  /** Guest-virtual address of the block's first instruction. */
  readonly pc: number;
  readonly pa: number;
  readonly mode: 'kernel';
  readonly instructions: readonly TranslatedInstruction[];
}

const INLINE = new Set(['CLI', 'STI', 'PUSHF', 'POPF']);
const MAX_BLOCK = 32;

function isIndirect(row: InstructionRow, immediate: boolean): boolean {
  return row.name === 'RET' || ((row.name === 'JMP' || row.name === 'CALL') && !immediate);
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
  if (isIndirect(row, immediate)) return { kind: 'lookup', becomes: `look the target up in the translation cache, then jump (${text})` };
  return { kind: 'kept', becomes: text };
}

export class BinaryTranslationRun extends TrapAndEmulateRun {
  protected readonly techniqueId: TechniqueId = 'binary-translation';
  /** The translation cache: blocks by the physical address of their first instruction. */
  readonly blocks = new Map<number, Block>();
  /** Which block each translated instruction belongs to, by physical address. */
  private readonly owner = new Map<number, number>();
  translatedInstructions = 0;
  tcInvalidations = 0;
  callouts = 0;

  constructor(config: RunConfig) {
    super(config);
  }

  realCpl(vm: Vm): number {
    return vm.virtualCpl === 0 ? 1 : 3;
  }

  private callout(vm: Vm, m: Machine, ins: SystemInstruction, cost: 'callout' | 'translatedIo' | 'inlineVirtual'): void {
    this.charge(vm, cost);
    if (cost === 'inlineVirtual') return;
    this.callouts++;
    vm.counters.emulated++;
    this.record(vm, {
      kind: 'emulate',
      instruction: this.instructionAt(vm),
      effect: cost === 'translatedIo' ? `call into the ${effectOf(m, ins)}` : `callout: ${effectOf(m, ins)}`,
    });
    if (ins.name !== 'IRET' && ins.name !== 'HLT') this.lookupAfterCallout(vm, m);
  }

  /** Back from the hypervisor, execution resumes through a translation-cache lookup of the next block. */
  private lookupAfterCallout(vm: Vm, m: Machine): void {
    const next = this.peekPhys(m, (m.pc + 8) | 0);
    if (next >= 0 && this.owner.has(next)) {
      vm.counters.tcHits++;
      this.record(vm, { kind: 'tc-hit', block: (m.pc + 8) >>> 0 });
    }
  }

  system(m: Machine, ins: SystemInstruction): boolean {
    if (m.cpl !== 0) return super.system(m, ins); // guest user code runs directly, as under trap-and-emulate
    const vm = this.vmOf(m);
    if (INLINE.has(ins.name)) {
      this.callout(vm, m, ins, 'inlineVirtual');
      return false; // the vCPU's own semantics: exactly bare metal's
    }
    if (ins.name === 'INT' || ins.name === 'VMCALL') return false; // reflected at delivery
    if (ins.name === 'IN' || ins.name === 'OUT') {
      this.callout(vm, m, ins, 'translatedIo');
      this.viaHostOs(vm, 'I/O');
      return false;
    }
    this.callout(vm, m, ins, 'callout');
    if (ins.name === 'MOV TO CR' && ins.a !== 2) {
      const value = m.r[ins.b];
      this.rebuildShadow(vm, ins.a === 0 ? value : m.cr0, ins.a === 3 ? value : m.cr3);
    } else if (ins.name === 'INVLPG') {
      vm.shadow[(m.r[ins.b] >>> 12) & 15] = 0;
    }
    return false;
  }

  delivering(m: Machine, vector: number, cause: DeliveryCause, returnPc: number): void {
    if (cause === 'software' && m.cpl === 0) {
      // INT in translated kernel code is a callout that reflects it: no trap.
      const vm = this.vmOf(m);
      this.charge(vm, 'callout');
      this.callouts++;
      this.reflect(vm, vector);
      return;
    }
    super.delivering(m, vector, cause, returnPc);
  }

  watchedWrite(m: Machine, pa: number, size: number): void {
    if (m.cpl !== 0) {
      super.watchedWrite(m, pa, size);
      return;
    }
    // Adaptive translation: the translated store calls the hypervisor, which updates the shadow.
    const vm = this.vmOf(m);
    this.charge(vm, 'translatedPageTableWrite');
    this.callouts++;
    vm.counters.emulated++;
    const what = this.shadowWrite(vm, pa, size);
    this.record(vm, { kind: 'emulate', instruction: this.instructionAt(vm), effect: `callout (page-table store): ${what}` });
    this.lookupAfterCallout(vm, m);
  }

  decoded(m: Machine, pa: number, name: string, immediate: boolean): boolean {
    if (m.cpl !== 0) return false;
    if (!this.owner.has(pa)) this.translate(this.vmOf(m), m, pa);
    return name === 'RET' || ((name === 'JMP' || name === 'CALL') && !immediate);
  }

  observe(m: Machine, name: string, ins: SystemInstruction): void {
    if (m.cpl !== 0) return;
    const vm = this.vmOf(m);
    this.charge(vm, 'indirectBranch');
    const target = name === 'RET' ? this.peekWord(m, m.r[7]) : m.r[ins.b];
    const tpa = target === undefined ? -1 : this.peekPhys(m, target);
    if (tpa >= 0 && this.blocks.has(tpa)) {
      vm.counters.tcHits++;
      this.record(vm, { kind: 'tc-hit', block: target! >>> 0 });
    }
  }

  codeWritten(m: Machine, pa: number): void {
    for (let a = Math.max(0, pa - 7); a <= pa; a++) {
      const start = this.owner.get(a);
      if (start === undefined) continue;
      const block = this.blocks.get(start);
      if (!block) continue;
      this.blocks.delete(start);
      for (const i of block.instructions) this.owner.delete(block.pa + (i.address - block.pc));
      // Its instructions must be decoded (translated) afresh.
      m.xop.fill(-1, block.pa, block.pa + block.instructions.length * 8);
      this.tcInvalidations++;
      const vm = this.vmOf(m);
      this.record(vm, { kind: 'tc-invalidate', block: block.pc >>> 0 });
    }
  }

  private peekWord(m: Machine, va: number): number | undefined {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const p = this.peekPhys(m, (va + i) | 0);
      if (p < 0) return undefined;
      v |= m.mem[p] << (8 * i);
    }
    return v;
  }

  /** Translates the basic block that starts at the guest's PC (physical address pa). */
  private translate(vm: Vm, m: Machine, pa: number): void {
    const pc = m.pc >>> 0;
    const out: TranslatedInstruction[] = [];
    for (let i = 0; i < MAX_BLOCK; i++) {
      const va = pc + 8 * i;
      const p = this.peekPhys(m, va);
      // A block stays inside one page and never straddles into the next.
      if (p < 0 || (va & 0xfff) > 0xff8 || (i > 0 && p !== pa + 8 * i)) break;
      const d = decode(m.mem, p);
      if (!d) break;
      const text = formatInstruction(d);
      const t = translation(d.row, (d.mode & MODE_IMM) !== 0, text);
      out.push({ address: va, original: text, kind: t.kind, becomes: t.becomes });
      if (d.row.endsBlock || t.kind === 'callout' || t.kind === 'device') break;
    }
    if (out.length === 0) return; // an undefined instruction: #UD will be reflected
    const block: Block = { vm: vm.index, pc, pa, mode: 'kernel', instructions: out };
    this.blocks.set(pa, block);
    for (let i = 0; i < out.length; i++) this.owner.set(pa + 8 * i, pa);
    this.translatedInstructions += out.length;
    vm.counters.translatedBlocks++;
    this.charge(vm, 'translatePerInstruction', out.length);
    this.record(vm, {
      kind: 'translate',
      block: pc,
      instructions: out.length,
      replaced: out.filter((x) => x.kind !== 'kept').length,
      code: out.map(({ original, kind, becomes }) => ({ original, kind, becomes })),
    });
  }

  protected blocksOf(vm: Vm): TranslatedBlockView[] {
    return [...this.blocks.values()].filter((b) => b.vm === vm.index).map((b) => ({ pc: b.pc, instructions: b.instructions }));
  }

  protected realState(vm: Vm) {
    return { ...super.realState(vm), cpl: this.realCpl(vm) };
  }

  protected saveExtra(): unknown {
    return {
      translated: this.translatedInstructions,
      inv: this.tcInvalidations,
      callouts: this.callouts,
      blocks: [...this.blocks.values()],
    };
  }

  protected loadExtra(s: unknown): void {
    const x = s as { translated: number; inv: number; callouts: number; blocks: Block[] };
    this.translatedInstructions = x.translated;
    this.tcInvalidations = x.inv;
    this.callouts = x.callouts;
    this.blocks.clear();
    this.owner.clear();
    for (const b of x.blocks) {
      this.blocks.set(b.pa, b);
      for (let i = 0; i < b.instructions.length; i++) this.owner.set(b.pa + 8 * i, b.pa);
    }
    // Decoded instructions must match the restored cache: decode everything afresh.
    for (const vm of this.guests) vm.machine.xop.fill(-1);
  }
}

export const binaryTranslation: Technique = {
  id: 'binary-translation',
  refuse(config) {
    if (config.paging === 'nested') return 'binary translation uses shadow page tables: nested paging (EPT) needs hardware assistance';
    return undefined;
  },
  create(config) {
    return new BinaryTranslationRun(config);
  },
};
