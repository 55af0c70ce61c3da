// fast-check generators of whole VX guests for the technique property tests: a random body inside a
// kernel template. The templates turn paging on (an identity map, every page present, writable and
// user), install an IDT (#DE, #GP, the timer, two system calls), start the timer on port 0x40 and run
// the body either in the kernel itself (CPL 0) or in user mode (CPL 3, entered with IRET, system calls
// with INT 0x80, exit with INT 0x81). The body mixes plain code with the hard paths: jumps, CALL/RET
// and indirect jumps and calls, HLT, IN/OUT, faults (#DE, and #GP for privileged instructions in user
// mode, both skipped by their handlers) and self-modifying code (patching an instruction that may
// already have run, so that a translation cache must notice).
//
// Bodies are data (`Op[]`) rendered to text, so that a failure shrinks to a small program.
import fc from 'fast-check';

export type Mode = 'kernel' | 'user';

/** Instructions a patch may write over a patch slot (never executed where they stand). */
const PATCHES = ['XOR R1, 0x55AA', 'INC R3', 'SHL R2, 3', 'NOP', 'ADD R0, R5', 'OUT 0xE9, R4', 'IN R6, 0x41'] as const;
/** Subroutines the body may call; each holds one patch slot. */
const SUBS = 3;

const REG = fc.integer({ min: 0, max: 6 }).map((n) => `R${n}`);
const IMM = fc.oneof(
  fc.integer({ min: -16, max: 16 }),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  fc.constantFrom(0, 1, 31, 32, 0x7fffffff, -0x80000000, 0xffff),
);
const SRC = fc.oneof(REG, IMM.map(String));
/** The data page (page 12), user-writable. */
const DATA = fc.integer({ min: 0, max: 0x3f }).map((n) => 0xc000 + n * 4);

export type Op =
  | { readonly k: 'text'; readonly text: string }
  | { readonly k: 'jump'; readonly op: string; readonly to: number }
  | { readonly k: 'jump-indirect'; readonly reg: string; readonly to: number }
  | { readonly k: 'call'; readonly sub: number }
  | { readonly k: 'call-indirect'; readonly reg: string; readonly sub: number }
  | { readonly k: 'patch'; readonly reg: string; readonly sub: number; readonly patch: number }
  | { readonly k: 'patch-imm'; readonly src: string; readonly sub: number }
  /** Overwrites body instruction `to` (maybe the very next one, maybe one already run) with a patch. */
  | { readonly k: 'patch-body'; readonly reg: string; readonly to: number; readonly patch: number };

const text = (t: fc.Arbitrary<string>): fc.Arbitrary<Op> => t.map((s) => ({ k: 'text', text: s }));
const two = (ops: string[]) => fc.tuple(fc.constantFrom(...ops), REG, SRC).map(([op, r, s]) => `${op} ${r}, ${s}`);

/** Straight-line code that touches only R0–R6, flags, the data page and the stack. */
function plain(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: two(['MOV', 'ADD', 'SUB', 'CMP', 'AND', 'OR', 'XOR', 'TEST', 'SHL', 'SHR', 'SAR', 'MUL']) },
    { weight: 1, arbitrary: two(['DIV', 'MOD']) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('INC', 'DEC', 'NEG', 'NOT'), REG).map(([op, r]) => `${op} ${r}`) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('LOAD', 'LOADB'), REG, DATA).map(([op, r, a]) => `${op} ${r}, [${a}]`) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('STORE', 'STOREB'), REG, DATA).map(([op, r, a]) => `${op} [${a}], ${r}`) },
  );
}

/**
 * Instructions whose effect depends on the mode: port I/O, HLT, CLI/STI, a CR3 reload and INVLPG run
 * for real in the kernel and raise #GP in user mode (the handler skips them); on `strict`, the kernel
 * body also gets the sensitive instructions that are privileged there (PUSHF, POPF, SMSW, SIDT), which a
 * hypervisor must emulate exactly. On `classic` they are left out: at CPL 0 in a deprivileged guest
 * kernel they are the fidelity violations of the Popek–Goldberg analysis (tested in fidelity.test.ts).
 */
function system(mode: Mode, sensitive: boolean): fc.Arbitrary<string> {
  const always = fc.oneof(
    REG.map((r) => `OUT 0xE9, ${r}`),
    fc.tuple(REG, fc.constantFrom('0x40', '0x41', '0xE9', '0x1234')).map(([r, p]) => `IN ${r}, ${p}`),
    fc.constantFrom('OUT 0x40, 0', 'OUT 0x40, 23', 'OUT 0x40, 61'),
    fc.constantFrom('HLT', 'CLI', 'STI', 'NOP'),
    REG.map((r) => `INVLPG ${r}`),
    REG.map((r) => `MOV ${r}, 0x9000\n        MOV CR3, ${r}`),
  );
  if (mode === 'user') return fc.oneof(always, fc.constantFrom('INT 0x80', 'MOV CR0, R1', 'LIDT 0'));
  if (!sensitive) return always;
  return fc.oneof(
    always,
    fc.constantFrom('PUSHF', 'POPF'),
    fc.tuple(fc.constantFrom('SMSW', 'SIDT'), REG).map(([op, r]) => `${op} ${r}`),
  );
}

const JUMPS = ['JMP', 'JZ', 'JNZ', 'JC', 'JNC', 'JS', 'JNS', 'JL', 'JGE', 'JLE', 'JG', 'JA', 'JBE'];

function op(mode: Mode, sensitive: boolean, count: number): fc.Arbitrary<Op> {
  const to = fc.integer({ min: 0, max: Math.max(0, count - 1) });
  const sub = fc.integer({ min: 0, max: SUBS - 1 });
  return fc.oneof(
    { weight: 10, arbitrary: text(plain()) },
    { weight: 1, arbitrary: text(SRC.map((s) => `PUSH ${s}`)) },
    { weight: 1, arbitrary: text(REG.map((r) => `POP ${r}`)) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...JUMPS), to).map(([o, t]): Op => ({ k: 'jump', op: o, to: t })) },
    { weight: 1, arbitrary: fc.tuple(REG, to).map(([reg, t]): Op => ({ k: 'jump-indirect', reg, to: t })) },
    { weight: 2, arbitrary: sub.map((s): Op => ({ k: 'call', sub: s })) },
    { weight: 1, arbitrary: fc.tuple(REG, sub).map(([reg, s]): Op => ({ k: 'call-indirect', reg, sub: s })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(REG, sub, fc.integer({ min: 0, max: PATCHES.length - 1 }))
        .map(([reg, s, p]): Op => ({ k: 'patch', reg, sub: s, patch: p })),
    },
    { weight: 1, arbitrary: fc.tuple(SRC, sub).map(([src, s]): Op => ({ k: 'patch-imm', src, sub: s })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(REG, to, fc.integer({ min: 0, max: PATCHES.length - 1 }))
        .map(([reg, t, p]): Op => ({ k: 'patch-body', reg, to: t, patch: p })),
    },
    { weight: 3, arbitrary: text(system(mode, sensitive)) },
  );
}

export interface Guest {
  readonly mode: Mode;
  /** Timer period (0: no timer). */
  readonly period: number;
  readonly init: readonly number[];
  readonly body: readonly Op[];
  /** Each subroutine's plain instructions (its patch slot comes first). */
  readonly subs: readonly (readonly string[])[];
}

export function arbitraryGuest(mode: Mode, sensitive = false): fc.Arbitrary<Guest> {
  return fc.record({
    mode: fc.constant(mode),
    period: fc.constantFrom(0, 5, 17, 40),
    init: fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { minLength: 7, maxLength: 7 }),
    body: fc.integer({ min: 1, max: 30 }).chain((n) => fc.array(op(mode, sensitive, n), { minLength: n, maxLength: n })),
    subs: fc.array(fc.array(plain(), { minLength: 0, maxLength: 3 }), { minLength: SUBS, maxLength: SUBS }),
  });
}

/** Whether body op `o` is one instruction, so that overwriting it leaves no half of a sequence behind. */
function single(o: Op | undefined): boolean {
  return o !== undefined && (o.k === 'jump' || o.k === 'call' || (o.k === 'text' && !o.text.includes('\n')));
}

function copy(reg: string, patch: number, to: string): string {
  return [`LOAD ${reg}, [T${patch}]`, `STORE [${to}], ${reg}`, `LOAD ${reg}, [T${patch} + 4]`, `STORE [${to} + 4], ${reg}`].join(
    '\n        ',
  );
}

function renderOp(o: Op, body: readonly Op[]): string {
  switch (o.k) {
    case 'text':
      return o.text;
    case 'jump':
      return `${o.op} B${o.to}`;
    case 'jump-indirect':
      return `MOV ${o.reg}, B${o.to}\n        JMP ${o.reg}`;
    case 'call':
      return `CALL S${o.sub}`;
    case 'call-indirect':
      return `MOV ${o.reg}, S${o.sub}\n        CALL ${o.reg}`;
    case 'patch':
      return copy(o.reg, o.patch, `S${o.sub}`);
    case 'patch-body':
      // Only a one-instruction op is overwritten; otherwise the patch goes to a subroutine's slot.
      return copy(o.reg, o.patch, single(body[o.to]) ? `B${o.to}` : `S${o.to % SUBS}`);
    case 'patch-imm':
      return o.src.startsWith('R') ? `STORE [S${o.sub} + 4], ${o.src}` : `MOV R6, ${o.src}\n        STORE [S${o.sub} + 4], R6`;
  }
}

/** The guest as VX assembly. */
export function renderGuest(g: Guest): string {
  const init = g.init.map((v, i) => `        MOV R${i}, ${v}`).join('\n');
  const body = g.body.map((o, i) => `B${i}:     ${renderOp(o, g.body)}`).join('\n');
  const subs = g.subs
    .map((lines, i) => [`S${i}:     ADD R${i}, 1`, ...lines.map((l) => `        ${l}`), '        RET'].join('\n'))
    .join('\n');
  const patches = PATCHES.map((p, i) => `T${i}:     ${p}`).join('\n');
  const enter =
    g.mode === 'user'
      ? `        MOV R1, 0xE000
        MOV KSP, R1
        PUSH 0xB000            ; user SP
        PUSH 3                 ; user CPL
        PUSH 0x200             ; user FLAGS: IF
        PUSH user
${init}
        IRET
user:`
      : `${init}
        STI`;
  const end = g.mode === 'user' ? '        INT 0x81' : '        OUT 0xF4, R0';
  return `; a random ${g.mode}-mode body in a paging kernel with a timer (period ${g.period})
        MOV SP, 0xF000
        LIDT idt
        MOV R1, 0
        MOV R2, 0x9000
map:    MOV R3, R1             ; identity map of all 16 pages: present, writable, user
        SHL R3, 12
        OR R3, 7
        STORE [R2], R3
        ADD R2, 4
        INC R1
        CMP R1, 16
        JNZ map
        MOV R1, 0x9000
        MOV CR3, R1
        MOV R1, 0x80000000
        MOV CR0, R1
        OUT 0x40, ${g.period}
${enter}
${body}
B${g.body.length}:
${end}
${subs}
; #DE and #GP: count, and skip the instruction that faulted
de:     PUSH R1
        LOAD R1, [0xD000]
        INC R1
        STORE [0xD000], R1
        JMP skip
gp:     PUSH R1
        LOAD R1, [0xD004]
        INC R1
        STORE [0xD004], R1
skip:   LOAD R1, [SP + 4]
        ADD R1, 8
        STORE [SP + 4], R1
        POP R1
        IRET
timer:  PUSH R1
        LOAD R1, [0xD008]
        INC R1
        STORE [0xD008], R1
        OUT 0xE9, '.'
        POP R1
        IRET
sys:    ADD R0, R1             ; a system call: R0 += R1
        OUT 0xE9, 's'
        IRET
exit:   OUT 0xF4, R0
${patches}
        .align 4
idt:    .word de               ; 0
        .space 4 * 12
        .word gp               ; 13
        .space 4 * 18
        .word timer            ; 32
        .space 4 * 95
        .word sys, exit        ; 128, 129
`;
}
