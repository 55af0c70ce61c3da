// The VX instruction set, written once. The assembler, disassembler, decoder, interpreter,
// Popek–Goldberg analysis, editor grammar and hover docs all derive from this table.
// See ../../../shared/spec/isa.md (the contract) and README.md ("The ISA table").

export type Variant = 'classic' | 'strict';
export const VARIANTS: readonly Variant[] = ['classic', 'strict'];

/**
 * Operand forms, in the words of isa.md:
 * - `r` a general register; `src` a register or an expression; `m` a memory operand;
 * - `t` a target (expression or register); `n` an expression (vector, hypercall number, port);
 * - `cr` a control register (CR0, CR2, CR3); `ksp` the KSP register.
 */
export type OperandForm = 'r' | 'src' | 'm' | 't' | 'n' | 'cr' | 'ksp';

/**
 * Encoding (8 bytes, little-endian): byte 0 opcode, byte 1 field A, byte 2 field B, byte 3 mode,
 * bytes 4–7 the 32-bit immediate.
 * - `a`: A holds the first register (or CR number), B the second register or memory base, imm the rest.
 * - `out`: OUT only; bytes 1–2 hold the 16-bit port, byte 3 bits 4–6 the source register.
 * Mode bit 0 (IMM): the `src`/`t` operand is the immediate, not register B.
 * Mode bit 1 (BASE): the memory operand has a base register in B (else the address is the immediate).
 */
export type Encoding = 'a' | 'out';
export const MODE_IMM = 1;
export const MODE_BASE = 2;

export {
  CR0_PG,
  FLAG_BITS,
  FLAGS_MASK,
  INSTRUCTION_SIZE,
  MEMORY_SIZE,
  PAGE_SIZE,
  PORTS,
  PTE,
  TLB_ENTRIES,
  VECTOR_NAMES,
  VECTORS,
} from './constants';

export type Group = 'data' | 'arithmetic' | 'control' | 'system';
export type Sensitivity = 'control' | 'behavior';

export interface InstructionRow {
  /** Unique key of the row (also the name used by the analysis, e.g. `MOV TO CR`). */
  readonly name: InstructionName;
  /** The assembly mnemonic (several rows may share one: MOV). */
  readonly mnemonic: string;
  readonly aliases: readonly string[];
  /**
   * Byte 0 of the encoding, given explicitly on each row (never implied by the row's position): programs
   * and share links hold these numbers. 0 is left undefined so that running into zeroed memory raises #UD.
   */
  readonly opcode: number;
  readonly operands: readonly OperandForm[];
  readonly encoding: Encoding;
  readonly group: Group;
  /** Privileged (raises #GP at CPL > 0) on each variant. */
  readonly privileged: Readonly<Record<Variant, boolean>>;
  /** Popek–Goldberg sensitivity (the same on both variants; what differs is privilege). */
  readonly sensitive: readonly Sensitivity[];
  /** Sensitive when run in user mode: its result there reveals the machine configuration. */
  readonly userSensitive: boolean;
  /** Ends a basic block (a control transfer). The binary translator also ends blocks at sensitive ones. */
  readonly endsBlock: boolean;
  /** Base cost in units of the cost model's `instruction` cost (costs.md: MUL 3, DIV and MOD 20). */
  readonly cycles: number;
  /** Which flags it writes, for docs and hover. */
  readonly flags: string;
  readonly summary: string;
}

type RowInput = Omit<
  InstructionRow,
  'name' | 'aliases' | 'privileged' | 'sensitive' | 'userSensitive' | 'endsBlock' | 'cycles' | 'encoding' | 'flags' | 'mnemonic'
> & {
  name: string;
  mnemonic?: string;
  aliases?: readonly string[];
  privileged?: boolean | Readonly<Record<Variant, boolean>>;
  sensitive?: readonly Sensitivity[];
  userSensitive?: boolean;
  endsBlock?: boolean;
  cycles?: number;
  encoding?: Encoding;
  flags?: string;
};

const ZS_CO = 'ZF, SF from the result; CF, OF as stated';
const LOGIC = 'ZF, SF from the result; CF = OF = 0';
const PRIV = true;
const PRIV_ON_STRICT = { classic: false, strict: true } as const;

const rows = [
  // Data movement
  { name: 'MOV', opcode: 1, operands: ['r', 'src'], group: 'data', summary: 'r ← src' },
  { name: 'LOAD', opcode: 2, operands: ['r', 'm'], group: 'data', summary: 'r ← mem32[m]' },
  { name: 'STORE', opcode: 3, operands: ['m', 'r'], group: 'data', summary: 'mem32[m] ← r' },
  { name: 'LOADB', opcode: 4, operands: ['r', 'm'], group: 'data', summary: 'r ← mem8[m], zero-extended' },
  { name: 'STOREB', opcode: 5, operands: ['m', 'r'], group: 'data', summary: 'mem8[m] ← the low byte of r' },
  { name: 'PUSH', opcode: 6, operands: ['src'], group: 'data', summary: 'SP ← SP − 4; mem32[SP] ← src' },
  { name: 'POP', opcode: 7, operands: ['r'], group: 'data', summary: 'r ← mem32[SP]; SP ← SP + 4' },
  // Arithmetic and logic
  {
    name: 'ADD',
    opcode: 8,
    operands: ['r', 'src'],
    group: 'arithmetic',
    flags: ZS_CO,
    summary: 'r ← r + src; CF = carry, OF = signed overflow',
  },
  {
    name: 'SUB',
    opcode: 9,
    operands: ['r', 'src'],
    group: 'arithmetic',
    flags: ZS_CO,
    summary: 'r ← r − src; CF = borrow, OF = signed overflow',
  },
  { name: 'CMP', opcode: 10, operands: ['r', 'src'], group: 'arithmetic', flags: ZS_CO, summary: 'flags of r − src; r unchanged' },
  { name: 'INC', opcode: 11, operands: ['r'], group: 'arithmetic', flags: 'ZF, SF, OF; CF unchanged', summary: 'r ← r + 1' },
  { name: 'DEC', opcode: 12, operands: ['r'], group: 'arithmetic', flags: 'ZF, SF, OF; CF unchanged', summary: 'r ← r − 1' },
  { name: 'NEG', opcode: 13, operands: ['r'], group: 'arithmetic', flags: 'ZF, SF, OF; CF = (r ≠ 0)', summary: 'r ← −r' },
  {
    name: 'MUL',
    opcode: 14,
    operands: ['r', 'src'],
    group: 'arithmetic',
    cycles: 3,
    flags: 'ZF, SF; CF = OF = (high 32 bits ≠ 0)',
    summary: 'r ← low 32 bits of the unsigned product r × src',
  },
  {
    name: 'DIV',
    opcode: 15,
    operands: ['r', 'src'],
    group: 'arithmetic',
    cycles: 20,
    flags: LOGIC,
    summary: 'r ← r ÷ src, unsigned; #DE if src = 0',
  },
  {
    name: 'MOD',
    opcode: 16,
    operands: ['r', 'src'],
    group: 'arithmetic',
    cycles: 20,
    flags: LOGIC,
    summary: 'r ← r mod src, unsigned; #DE if src = 0',
  },
  { name: 'AND', opcode: 17, operands: ['r', 'src'], group: 'arithmetic', flags: LOGIC, summary: 'r ← r & src' },
  { name: 'OR', opcode: 18, operands: ['r', 'src'], group: 'arithmetic', flags: LOGIC, summary: 'r ← r | src' },
  { name: 'XOR', opcode: 19, operands: ['r', 'src'], group: 'arithmetic', flags: LOGIC, summary: 'r ← r ^ src' },
  { name: 'TEST', opcode: 20, operands: ['r', 'src'], group: 'arithmetic', flags: LOGIC, summary: 'flags of r & src; r unchanged' },
  { name: 'NOT', opcode: 21, operands: ['r'], group: 'arithmetic', flags: 'none', summary: 'r ← ~r' },
  {
    name: 'SHL',
    opcode: 22,
    operands: ['r', 'src'],
    group: 'arithmetic',
    flags: 'ZF, SF; CF = last bit out; OF = 0',
    summary: 'r ← r << (src & 31)',
  },
  {
    name: 'SHR',
    opcode: 23,
    operands: ['r', 'src'],
    group: 'arithmetic',
    flags: 'ZF, SF; CF = last bit out; OF = 0',
    summary: 'r ← r >> (src & 31), logical',
  },
  {
    name: 'SAR',
    opcode: 24,
    operands: ['r', 'src'],
    group: 'arithmetic',
    flags: 'ZF, SF; CF = last bit out; OF = 0',
    summary: 'r ← r >> (src & 31), arithmetic',
  },
  // Control flow
  { name: 'JMP', opcode: 25, operands: ['t'], group: 'control', endsBlock: true, summary: 'PC ← t' },
  { name: 'JZ', opcode: 26, aliases: ['JE'], operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if ZF' },
  { name: 'JNZ', opcode: 27, aliases: ['JNE'], operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if not ZF' },
  { name: 'JC', opcode: 28, aliases: ['JB'], operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if CF (unsigned below)' },
  {
    name: 'JNC',
    opcode: 29,
    aliases: ['JAE'],
    operands: ['t'],
    group: 'control',
    endsBlock: true,
    summary: 'jump if not CF (unsigned above or equal)',
  },
  { name: 'JS', opcode: 30, operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if SF' },
  { name: 'JNS', opcode: 31, operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if not SF' },
  { name: 'JL', opcode: 32, operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if SF ≠ OF (signed less)' },
  { name: 'JGE', opcode: 33, operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if SF = OF (signed greater or equal)' },
  { name: 'JLE', opcode: 34, operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if ZF or SF ≠ OF (signed less or equal)' },
  { name: 'JG', opcode: 35, operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if not ZF and SF = OF (signed greater)' },
  { name: 'JA', opcode: 36, operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if not CF and not ZF (unsigned above)' },
  { name: 'JBE', opcode: 37, operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if CF or ZF (unsigned below or equal)' },
  {
    name: 'CALL',
    opcode: 38,
    operands: ['t'],
    group: 'control',
    endsBlock: true,
    summary: 'push the address of the next instruction; PC ← t',
  },
  { name: 'RET', opcode: 39, operands: [], group: 'control', endsBlock: true, summary: 'pop PC' },
  { name: 'NOP', opcode: 40, operands: [], group: 'control', summary: 'nothing' },
  // System
  {
    name: 'INT',
    opcode: 41,
    operands: ['n'],
    group: 'system',
    endsBlock: true,
    summary: 'software interrupt to vector n (0–255); returns to the next instruction',
  },
  {
    name: 'IRET',
    opcode: 42,
    operands: [],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    endsBlock: true,
    summary: 'pop PC, FLAGS, CPL, SP: return from an interrupt',
  },
  { name: 'CLI', opcode: 43, operands: [], group: 'system', privileged: PRIV, sensitive: ['control'], summary: 'IF ← 0: mask interrupts' },
  {
    name: 'STI',
    opcode: 44,
    operands: [],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    summary: 'IF ← 1: unmask interrupts',
  },
  {
    name: 'HLT',
    opcode: 45,
    operands: [],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    endsBlock: true,
    summary: 'IF = 1: wait for the next interrupt; IF = 0: stop the machine',
  },
  {
    name: 'IN',
    opcode: 46,
    operands: ['r', 'n'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['behavior'],
    summary: 'r ← the value of port n',
  },
  {
    name: 'OUT',
    opcode: 47,
    operands: ['n', 'src'],
    encoding: 'out',
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    summary: 'write src to port n',
  },
  {
    name: 'LIDT',
    opcode: 48,
    operands: ['src'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    summary: 'IDTR ← src: set the interrupt descriptor table',
  },
  {
    name: 'MOV TO CR',
    opcode: 49,
    mnemonic: 'MOV',
    operands: ['cr', 'r'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    summary: 'CRn ← r (writing CR3 flushes the TLB; CR0 bit 31 turns paging on)',
  },
  {
    name: 'MOV FROM CR',
    opcode: 50,
    mnemonic: 'MOV',
    operands: ['r', 'cr'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['behavior'],
    summary: 'r ← CRn',
  },
  {
    name: 'MOV TO KSP',
    opcode: 51,
    mnemonic: 'MOV',
    operands: ['ksp', 'r'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    summary: 'KSP ← r: the stack an interrupt from user mode switches to',
  },
  {
    name: 'MOV FROM KSP',
    opcode: 52,
    mnemonic: 'MOV',
    operands: ['r', 'ksp'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['behavior'],
    summary: 'r ← KSP',
  },
  {
    name: 'INVLPG',
    opcode: 53,
    operands: ['r'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    summary: 'drop the TLB entry of the page holding address r',
  },
  {
    name: 'PUSHF',
    opcode: 54,
    operands: [],
    group: 'system',
    privileged: PRIV_ON_STRICT,
    sensitive: ['behavior'],
    userSensitive: true,
    summary: 'push FLAGS, IF included',
  },
  {
    name: 'POPF',
    opcode: 55,
    operands: [],
    group: 'system',
    privileged: PRIV_ON_STRICT,
    sensitive: ['control', 'behavior'],
    summary: 'pop FLAGS; at CPL > 0 on classic IF is silently kept (the POPF problem)',
  },
  {
    name: 'SMSW',
    opcode: 56,
    operands: ['r'],
    group: 'system',
    privileged: PRIV_ON_STRICT,
    sensitive: ['behavior'],
    userSensitive: true,
    summary: 'r ← machine status word: bit 31 = CR0.PG, bits 0–1 = CPL',
  },
  {
    name: 'SIDT',
    opcode: 57,
    operands: ['r'],
    group: 'system',
    privileged: PRIV_ON_STRICT,
    sensitive: ['behavior'],
    userSensitive: true,
    summary: 'r ← IDTR (in user mode under a hypervisor: the Red Pill)',
  },
  {
    name: 'VMCALL',
    opcode: 58,
    operands: ['n'],
    group: 'system',
    endsBlock: true,
    summary: 'hypercall n (arguments R1–R3, result R0); #UD without a hypervisor',
  },
  {
    // isa.md: like x86's CPUID it never faults on classic, so a guest user program sees the real CPU
    // unless the hypervisor intercepts it (VT-x and AMD-V always do: exit reason 10, SVM_EXIT_CPUID).
    name: 'CPUID',
    opcode: 59,
    operands: [],
    group: 'system',
    privileged: PRIV_ON_STRICT,
    sensitive: ['behavior'],
    userSensitive: true,
    summary: 'R0 ← 0x56583836 ("VX86"); R1 ← features: bit 0 VMX/SVM available, bit 31 a hypervisor is present',
  },
] as const satisfies readonly RowInput[];

/** The name of an ISA row: `ROW_BY_NAME.get('CLII')` or `case 'CLII':` on a row name does not compile. */
export type InstructionName = (typeof rows)[number]['name'];

export const ISA: readonly InstructionRow[] = rows.map((input) => {
  const row: RowInput & { name: InstructionName } = input;
  const p = row.privileged ?? false;
  return {
    name: row.name,
    mnemonic: row.mnemonic ?? row.name,
    aliases: row.aliases ?? [],
    opcode: row.opcode,
    operands: row.operands,
    encoding: row.encoding ?? 'a',
    group: row.group,
    privileged: typeof p === 'boolean' ? { classic: p, strict: p } : p,
    sensitive: row.sensitive ?? [],
    userSensitive: row.userSensitive ?? false,
    endsBlock: row.endsBlock ?? false,
    cycles: row.cycles ?? 1,
    flags: row.flags ?? 'unchanged',
    summary: row.summary,
  };
});

/** A name to look a row up by: a literal must be a row's name (`'CLII'` does not compile); any `string` passes. */
export type RowNameLookup<N extends string> = N & (string extends N ? N : N extends InstructionName ? N : InstructionName);

/** The rows by name. `ROW_BY_NAME.get('CLII')` does not compile; a name known only at run time (a `string`) may be looked up. */
export interface RowsByName extends Iterable<readonly [InstructionName, InstructionRow]> {
  readonly size: number;
  get<N extends string>(name: RowNameLookup<N>): InstructionRow | undefined;
  has<N extends string>(name: RowNameLookup<N>): boolean;
}
// A Map<string, …> underneath: a run-time string that names no row finds nothing.
export const ROW_BY_NAME: RowsByName = new Map<string, InstructionRow>(ISA.map((r) => [r.name, r])) as Map<
  InstructionName,
  InstructionRow
> &
  RowsByName;
export const ROW_BY_OPCODE: readonly (InstructionRow | undefined)[] = (() => {
  const table: (InstructionRow | undefined)[] = new Array(256).fill(undefined);
  for (const r of ISA) table[r.opcode] = r;
  return table;
})();

/** Every mnemonic the assembler accepts (aliases included), upper case, mapped to its rows. */
export const ROWS_BY_MNEMONIC: ReadonlyMap<string, readonly InstructionRow[]> = (() => {
  const m = new Map<string, InstructionRow[]>();
  for (const r of ISA) {
    for (const name of [r.mnemonic, ...r.aliases]) {
      const list = m.get(name) ?? [];
      list.push(r);
      m.set(name, list);
    }
  }
  return m;
})();

export function opcodeOf(name: InstructionName): number {
  const row = ROW_BY_NAME.get(name);
  if (!row) throw new Error(`no ISA row ${name}`);
  return row.opcode;
}

export const REGISTERS = ['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7'] as const;
export const REGISTER_ALIASES: Readonly<Record<string, number>> = { SP: 7 };
export const CONTROL_REGISTERS: Readonly<Record<string, number>> = { CR0: 0, CR2: 2, CR3: 3 };
export const DIRECTIVES = ['.org', '.word', '.byte', '.ascii', '.asciz', '.space', '.align', '.equ'] as const;

export const REGISTER_DOCS: Readonly<Record<string, string>> = {
  R0: 'general purpose (hypercall result)',
  R1: 'general purpose (hypercall argument 1)',
  R2: 'general purpose (hypercall argument 2)',
  R3: 'general purpose (hypercall argument 3)',
  R4: 'general purpose',
  R5: 'general purpose',
  R6: 'general purpose',
  R7: 'general purpose; the stack pointer (alias SP)',
  SP: 'the stack pointer, alias of R7',
  CR0: 'control register 0: bit 31 PG enables paging',
  CR2: 'the virtual address of the last page fault',
  CR3: 'the physical address of the page table; writing it flushes the TLB',
  KSP: 'kernel stack pointer, loaded into SP when an interrupt enters ring 0 from ring > 0 (TSS.ESP0)',
};
