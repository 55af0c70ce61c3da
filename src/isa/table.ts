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

export type Group = 'data' | 'arithmetic' | 'control' | 'system';
export type Sensitivity = 'control' | 'behavior';

export interface InstructionRow {
  /** Unique key of the row (also the name used by the analysis, e.g. `MOV TO CR`). */
  readonly name: string;
  /** The assembly mnemonic (several rows may share one: MOV). */
  readonly mnemonic: string;
  readonly aliases: readonly string[];
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
  'opcode' | 'aliases' | 'privileged' | 'sensitive' | 'userSensitive' | 'endsBlock' | 'cycles' | 'encoding' | 'flags' | 'mnemonic'
> & {
  mnemonic?: string;
  aliases?: string[];
  privileged?: boolean | Record<Variant, boolean>;
  sensitive?: Sensitivity[];
  userSensitive?: boolean;
  endsBlock?: boolean;
  cycles?: number;
  encoding?: Encoding;
  flags?: string;
};

const ZS_CO = 'ZF, SF from the result; CF, OF as stated';
const LOGIC = 'ZF, SF from the result; CF = OF = 0';
const PRIV = true;
const PRIV_ON_STRICT = { classic: false, strict: true };

const rows: RowInput[] = [
  // Data movement
  { name: 'MOV', operands: ['r', 'src'], group: 'data', summary: 'r ← src' },
  { name: 'LOAD', operands: ['r', 'm'], group: 'data', summary: 'r ← mem32[m]' },
  { name: 'STORE', operands: ['m', 'r'], group: 'data', summary: 'mem32[m] ← r' },
  { name: 'LOADB', operands: ['r', 'm'], group: 'data', summary: 'r ← mem8[m], zero-extended' },
  { name: 'STOREB', operands: ['m', 'r'], group: 'data', summary: 'mem8[m] ← the low byte of r' },
  { name: 'PUSH', operands: ['src'], group: 'data', summary: 'SP ← SP − 4; mem32[SP] ← src' },
  { name: 'POP', operands: ['r'], group: 'data', summary: 'r ← mem32[SP]; SP ← SP + 4' },
  // Arithmetic and logic
  { name: 'ADD', operands: ['r', 'src'], group: 'arithmetic', flags: ZS_CO, summary: 'r ← r + src; CF = carry, OF = signed overflow' },
  { name: 'SUB', operands: ['r', 'src'], group: 'arithmetic', flags: ZS_CO, summary: 'r ← r − src; CF = borrow, OF = signed overflow' },
  { name: 'CMP', operands: ['r', 'src'], group: 'arithmetic', flags: ZS_CO, summary: 'flags of r − src; r unchanged' },
  { name: 'INC', operands: ['r'], group: 'arithmetic', flags: 'ZF, SF, OF; CF unchanged', summary: 'r ← r + 1' },
  { name: 'DEC', operands: ['r'], group: 'arithmetic', flags: 'ZF, SF, OF; CF unchanged', summary: 'r ← r − 1' },
  { name: 'NEG', operands: ['r'], group: 'arithmetic', flags: 'ZF, SF, OF; CF = (r ≠ 0)', summary: 'r ← −r' },
  {
    name: 'MUL',
    operands: ['r', 'src'],
    group: 'arithmetic',
    cycles: 3,
    flags: 'ZF, SF; CF = OF = (high 32 bits ≠ 0)',
    summary: 'r ← low 32 bits of the unsigned product r × src',
  },
  { name: 'DIV', operands: ['r', 'src'], group: 'arithmetic', cycles: 20, flags: LOGIC, summary: 'r ← r ÷ src, unsigned; #DE if src = 0' },
  {
    name: 'MOD',
    operands: ['r', 'src'],
    group: 'arithmetic',
    cycles: 20,
    flags: LOGIC,
    summary: 'r ← r mod src, unsigned; #DE if src = 0',
  },
  { name: 'AND', operands: ['r', 'src'], group: 'arithmetic', flags: LOGIC, summary: 'r ← r & src' },
  { name: 'OR', operands: ['r', 'src'], group: 'arithmetic', flags: LOGIC, summary: 'r ← r | src' },
  { name: 'XOR', operands: ['r', 'src'], group: 'arithmetic', flags: LOGIC, summary: 'r ← r ^ src' },
  { name: 'TEST', operands: ['r', 'src'], group: 'arithmetic', flags: LOGIC, summary: 'flags of r & src; r unchanged' },
  { name: 'NOT', operands: ['r'], group: 'arithmetic', flags: 'none', summary: 'r ← ~r' },
  { name: 'SHL', operands: ['r', 'src'], group: 'arithmetic', flags: 'ZF, SF; CF = last bit out; OF = 0', summary: 'r ← r << (src & 31)' },
  {
    name: 'SHR',
    operands: ['r', 'src'],
    group: 'arithmetic',
    flags: 'ZF, SF; CF = last bit out; OF = 0',
    summary: 'r ← r >> (src & 31), logical',
  },
  {
    name: 'SAR',
    operands: ['r', 'src'],
    group: 'arithmetic',
    flags: 'ZF, SF; CF = last bit out; OF = 0',
    summary: 'r ← r >> (src & 31), arithmetic',
  },
  // Control flow
  { name: 'JMP', operands: ['t'], group: 'control', endsBlock: true, summary: 'PC ← t' },
  { name: 'JZ', aliases: ['JE'], operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if ZF' },
  { name: 'JNZ', aliases: ['JNE'], operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if not ZF' },
  { name: 'JC', aliases: ['JB'], operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if CF (unsigned below)' },
  {
    name: 'JNC',
    aliases: ['JAE'],
    operands: ['t'],
    group: 'control',
    endsBlock: true,
    summary: 'jump if not CF (unsigned above or equal)',
  },
  { name: 'JS', operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if SF' },
  { name: 'JNS', operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if not SF' },
  { name: 'JL', operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if SF ≠ OF (signed less)' },
  { name: 'JGE', operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if SF = OF (signed greater or equal)' },
  { name: 'JLE', operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if ZF or SF ≠ OF (signed less or equal)' },
  { name: 'JG', operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if not ZF and SF = OF (signed greater)' },
  { name: 'JA', operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if not CF and not ZF (unsigned above)' },
  { name: 'JBE', operands: ['t'], group: 'control', endsBlock: true, summary: 'jump if CF or ZF (unsigned below or equal)' },
  { name: 'CALL', operands: ['t'], group: 'control', endsBlock: true, summary: 'push the address of the next instruction; PC ← t' },
  { name: 'RET', operands: [], group: 'control', endsBlock: true, summary: 'pop PC' },
  { name: 'NOP', operands: [], group: 'control', summary: 'nothing' },
  // System
  {
    name: 'INT',
    operands: ['n'],
    group: 'system',
    endsBlock: true,
    summary: 'software interrupt to vector n (0–255); returns to the next instruction',
  },
  {
    name: 'IRET',
    operands: [],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    endsBlock: true,
    summary: 'pop PC, FLAGS, CPL, SP: return from an interrupt',
  },
  { name: 'CLI', operands: [], group: 'system', privileged: PRIV, sensitive: ['control'], summary: 'IF ← 0: mask interrupts' },
  { name: 'STI', operands: [], group: 'system', privileged: PRIV, sensitive: ['control'], summary: 'IF ← 1: unmask interrupts' },
  {
    name: 'HLT',
    operands: [],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    endsBlock: true,
    summary: 'IF = 1: wait for the next interrupt; IF = 0: stop the machine',
  },
  { name: 'IN', operands: ['r', 'n'], group: 'system', privileged: PRIV, sensitive: ['behavior'], summary: 'r ← the value of port n' },
  {
    name: 'OUT',
    operands: ['n', 'src'],
    encoding: 'out',
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    summary: 'write src to port n',
  },
  {
    name: 'LIDT',
    operands: ['src'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    summary: 'IDTR ← src: set the interrupt descriptor table',
  },
  {
    name: 'MOV TO CR',
    mnemonic: 'MOV',
    operands: ['cr', 'r'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    summary: 'CRn ← r (writing CR3 flushes the TLB; CR0 bit 31 turns paging on)',
  },
  {
    name: 'MOV FROM CR',
    mnemonic: 'MOV',
    operands: ['r', 'cr'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['behavior'],
    summary: 'r ← CRn',
  },
  {
    name: 'MOV TO KSP',
    mnemonic: 'MOV',
    operands: ['ksp', 'r'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    summary: 'KSP ← r: the stack an interrupt from user mode switches to',
  },
  {
    name: 'MOV FROM KSP',
    mnemonic: 'MOV',
    operands: ['r', 'ksp'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['behavior'],
    summary: 'r ← KSP',
  },
  {
    name: 'INVLPG',
    operands: ['r'],
    group: 'system',
    privileged: PRIV,
    sensitive: ['control'],
    summary: 'drop the TLB entry of the page holding address r',
  },
  { name: 'PUSHF', operands: [], group: 'system', privileged: PRIV_ON_STRICT, sensitive: ['behavior'], summary: 'push FLAGS, IF included' },
  {
    name: 'POPF',
    operands: [],
    group: 'system',
    privileged: PRIV_ON_STRICT,
    sensitive: ['control', 'behavior'],
    summary: 'pop FLAGS; at CPL > 0 on classic IF is silently kept (the POPF problem)',
  },
  {
    name: 'SMSW',
    operands: ['r'],
    group: 'system',
    privileged: PRIV_ON_STRICT,
    sensitive: ['behavior'],
    summary: 'r ← machine status word: bit 31 = CR0.PG, bits 0–1 = CPL',
  },
  {
    name: 'SIDT',
    operands: ['r'],
    group: 'system',
    privileged: PRIV_ON_STRICT,
    sensitive: ['behavior'],
    userSensitive: true,
    summary: 'r ← IDTR (in user mode under a hypervisor: the Red Pill)',
  },
  {
    name: 'VMCALL',
    operands: ['n'],
    group: 'system',
    endsBlock: true,
    summary: 'hypercall n (arguments R1–R3, result R0); #UD without a hypervisor',
  },
];

export const ISA: readonly InstructionRow[] = rows.map((row, index) => {
  const p = row.privileged ?? false;
  return {
    name: row.name,
    mnemonic: row.mnemonic ?? row.name,
    aliases: row.aliases ?? [],
    // Opcode 0 is left undefined so that running into zeroed memory raises #UD.
    opcode: index + 1,
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

export const ROW_BY_NAME: ReadonlyMap<string, InstructionRow> = new Map(ISA.map((r) => [r.name, r]));
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

export function opcodeOf(name: string): number {
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

export const FLAG_BITS = { CF: 1 << 0, ZF: 1 << 6, SF: 1 << 7, IF: 1 << 9, OF: 1 << 11 } as const;
export const FLAGS_MASK = FLAG_BITS.CF | FLAG_BITS.ZF | FLAG_BITS.SF | FLAG_BITS.IF | FLAG_BITS.OF;

export const VECTORS = { DE: 0, UD: 6, GP: 13, PF: 14, TIMER: 32 } as const;
export const VECTOR_NAMES: Readonly<Record<number, string>> = { 0: '#DE', 6: '#UD', 13: '#GP', 14: '#PF', 32: 'timer' };

export const PORTS = { CONSOLE: 0xe9, TIMER_PERIOD: 0x40, TIMER_TICKS: 0x41, POWER_OFF: 0xf4 } as const;

export const MEMORY_SIZE = 0x10000;
export const PAGE_SIZE = 0x1000;
export const INSTRUCTION_SIZE = 8;
export const TLB_ENTRIES = 8;
export const PTE = { P: 1, W: 2, U: 4 } as const;
export const CR0_PG = 0x80000000 | 0;
