// Runs every program in programs/*.s natively on each ISA variant it declares and checks the
// expectations written in its comments; also checks the harness's parser and that the programs,
// together, exercise the whole instruction set and assembly language of isa.md.
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/isa/assembler';
import { lex, type Token } from '../src/isa/lexer';
import { DIRECTIVES, ISA, REGISTER_ALIASES, REGISTERS, ROW_BY_OPCODE } from '../src/isa/table';
import { checkProgram, hasTechniqueExpectations, loadPrograms, parseExpectations } from './harness';

const programs = loadPrograms();

describe('programs (native)', () => {
  for (const p of programs) {
    for (const isa of p.variants) {
      it(`${p.name} [${isa}]`, () => {
        expect(checkProgram(p.source, 'native', isa)).toEqual([]);
      });
    }
  }
});

describe('expectation parser', () => {
  const base = '; expect-state: powered-off\n  OUT 0xF4, 0\n';

  it('rejects an unknown expect- key, naming the line', () => {
    const r = parseExpectations(`${base}; expect-foo: 1\n`, 'classic');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(/line 3: unknown expectation 'expect-foo'/);
  });

  it('rejects a misspelt key such as expect-consol', () => {
    const r = parseExpectations(`${base}; expect-consol: hi\n`, 'strict');
    expect(r.ok).toBe(false);
  });

  it('ignores ordinary comments, even ones with a colon', () => {
    const r = parseExpectations(`${base}; note: this is not an expectation\n; see: isa.md\n`, 'classic');
    expect(r.ok).toBe(true);
  });

  it('requires expect-state', () => {
    const r = parseExpectations('; expect-console: hi\n', 'classic');
    expect(r.ok).toBe(false);
  });

  it('rejects malformed values', () => {
    for (const line of [
      '; expect-exit: twelve',
      '; expect-reg: R9=1',
      '; expect-reg: R0=0x1G',
      '; expect-console: bad \\q escape',
      '; isa: classic arm',
      '; expect-console[riscv]: x',
      '; expect-crash: triple-fault',
    ]) {
      expect(parseExpectations(`${base}${line}\n`, 'classic').ok, line).toBe(false);
    }
  });

  it('decodes console escapes and defaults', () => {
    const r = parseExpectations(`${base}; expect-console: a\\tb\\\\c\\n\n; expect-reg: R0=42 R1=0x10 SP=0x10000 FLAGS=-1\n`, 'classic');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.expectations.console).toBe('a\tb\\c\n');
    expect(r.expectations.exitCode).toBe(0);
    expect(r.expectations.maxSteps).toBe(1_000_000);
    expect(r.expectations.isa).toEqual(['classic', 'strict']);
    expect(r.expectations.regs).toEqual({ R0: 42, R1: 16, R7: 0x10000, FLAGS: 0xffffffff });
  });

  it('lets a bracketed variant or technique override the plain line', () => {
    const src = [
      '; isa: classic strict',
      '; expect-state: powered-off',
      '; expect-console: plain',
      '; expect-console[strict]: strict',
      '; expect-console[trap-and-emulate classic]: t&e classic',
      '; expect-reg: R0=1 R1=1',
      '; expect-reg[strict]: R1=2',
      '; max-steps[strict]: 500',
    ].join('\n');
    const get = (isa: 'classic' | 'strict', t: 'native' | 'trap-and-emulate' = 'native') => {
      const r = parseExpectations(src, isa, t);
      if (!r.ok) throw new Error(r.errors.join('; '));
      return r.expectations;
    };
    expect(get('classic').console).toBe('plain');
    expect(get('strict').console).toBe('strict');
    expect(get('classic', 'trap-and-emulate').console).toBe('t&e classic');
    expect(get('strict', 'trap-and-emulate').console).toBe('strict');
    expect(get('classic').regs).toEqual({ R0: 1, R1: 1 });
    expect(get('strict').regs).toEqual({ R0: 1, R1: 2 });
    expect(get('strict').maxSteps).toBe(500);
    expect(get('classic').maxSteps).toBe(1_000_000);
  });

  it('tells which techniques a program writes expectations for', () => {
    const src =
      '; expect-state: powered-off\n; expect-console[trap-and-emulate binary-translation classic]: x\n; expect-reg[native]: R0=1\n; note[interpret]: y\n';
    expect(hasTechniqueExpectations(src, 'trap-and-emulate', 'classic')).toBe(true);
    expect(hasTechniqueExpectations(src, 'binary-translation', 'classic')).toBe(true);
    expect(hasTechniqueExpectations(src, 'trap-and-emulate', 'strict')).toBe(false);
    expect(hasTechniqueExpectations(src, 'native', 'strict')).toBe(true);
    expect(hasTechniqueExpectations(src, 'interpret', 'classic')).toBe(false);
    expect(hasTechniqueExpectations(src, 'hardware-assisted', 'classic')).toBe(false);
  });

  it('accepts an empty expect-console, overriding a plain one', () => {
    const r = parseExpectations('; expect-state: powered-off\n; expect-console: hi\n; expect-console[native]:\n', 'classic');
    expect(r.ok && r.expectations.console).toBe('');
  });

  it('rejects the same expectation twice at the same level', () => {
    expect(parseExpectations(`${base}; expect-console: a\n; expect-console: b\n`, 'classic').ok).toBe(false);
  });

  it('compares exit codes as 32-bit values', () => {
    for (const code of ['-1', '0xFFFFFFFF', '4294967295']) {
      expect(checkProgram(`; expect-state: powered-off\n; expect-exit: ${code}\n  OUT 0xF4, -1\n`, 'native', 'strict'), code).toEqual([]);
    }
  });

  it('reports a mismatch in words', () => {
    const m = checkProgram('; expect-state: powered-off\n; expect-exit: 3\n; expect-console: hi\n  OUT 0xF4, 4\n', 'native', 'classic');
    expect(m).toEqual([expect.stringMatching(/exit code: expected 3, got 4/), expect.stringMatching(/console: expected "hi", got ""/)]);
  });
});

describe('paravirtualized twins', () => {
  const twins = programs.flatMap((p) => {
    const m = /^;\s*twin:\s*(\S+)\s*$/m.exec(p.source);
    return m ? [{ program: p, twin: m[1] }] : [];
  });

  it('the kernels have paravirtualized twins', () => {
    expect(twins.map((t) => `${t.program.name} ↔ ${t.twin}`)).toEqual(
      expect.arrayContaining([
        'pv-hello.s ↔ hello.s',
        'pv-user-syscalls.s ↔ user-syscalls.s',
        'pv-timer.s ↔ timer-wakeups.s',
        'pv-paging.s ↔ paging-remap.s',
        'pv-batching.s ↔ pagetable-batch.s',
        'pv-masked-event.s ↔ timer-pending.s',
      ]),
    );
  });

  for (const { program, twin } of twins) {
    // The techniques it is written for besides bare metal (`; runs-on:`): paravirtualization, and
    // hardware assistance where the program uses only the hypercalls an HVM guest has.
    const targets = (/^;\s*runs-on:\s*(.+)$/m.exec(program.source)?.[1] ?? 'paravirtualization')
      .trim()
      .split(/\s+/)
      .filter((t): t is 'paravirtualization' | 'hardware-assisted' => t === 'paravirtualization' || t === 'hardware-assisted');
    it(`${program.name} expects, under ${targets.join(' and ')}, what ${twin} shows on bare metal`, () => {
      const other = programs.find((p) => p.name === twin);
      expect(other, `${twin} is not a program`).toBeDefined();
      if (!other) return;
      expect(program.variants).toEqual(other.variants);
      for (const isa of program.variants) {
        const want = parseExpectations(other.source, isa, 'native');
        if (!want.ok) throw new Error(want.errors.join('; '));
        for (const technique of targets) {
          const got = parseExpectations(program.source, isa, technique);
          if (!got.ok) throw new Error(got.errors.join('; '));
          const { console: c, state, exitCode } = got.expectations;
          expect({ console: c, state, exitCode }, `${technique} on ${isa}`).toEqual({
            console: want.expectations.console,
            state: want.expectations.state,
            exitCode: want.expectations.exitCode,
          });
        }
      }
    });
  }
});

/** The statements of a program: its tokens without labels, one entry per line that has a statement. */
function statements(source: string): Token[][] {
  const out: Token[][] = [];
  for (const line of source.split(/\r\n|\r|\n/)) {
    const { tokens } = lex(line);
    let at = 0;
    while (at + 1 < tokens.length && tokens[at].kind === 'ident' && tokens[at + 1].text === ':') at += 2;
    if (at < tokens.length) out.push(tokens.slice(at));
  }
  return out;
}

const isRegister = (t: Token | undefined) =>
  t?.kind === 'ident' && ((REGISTERS as readonly string[]).includes(t.text.toUpperCase()) || t.text.toUpperCase() in REGISTER_ALIASES);

describe('coverage of isa.md by the programs', () => {
  const all = programs.flatMap((p) => statements(p.source));

  it('has at least 24 programs, including the named demonstrations', () => {
    expect(programs.length).toBeGreaterThanOrEqual(24);
    const names = programs.map((p) => p.name);
    for (const n of ['popf-problem.s', 'red-pill.s', 'smsw-kernel.s', 'syscall-loop.s', 'forkwait.s', 'compute-loop.s', 'io-port.s']) {
      expect(names).toContain(n);
    }
  });

  it('every program assembles', () => {
    for (const p of programs) expect(assemble(p.source).diagnostics, p.name).toEqual([]);
  });

  it('uses every mnemonic and alias of the ISA table as an instruction', () => {
    const used = new Set(all.map((s) => s[0].text.toUpperCase()));
    const missing = ISA.flatMap((row) => [row.mnemonic, ...row.aliases]).filter((m) => !used.has(m));
    expect(missing).toEqual([]);
  });

  it('assembles to every row of the ISA table (MOV to and from CR and KSP included)', () => {
    const rows = new Set<string>();
    for (const p of programs) {
      const r = assemble(p.source);
      for (const e of r.sourceMap) {
        const row = ROW_BY_OPCODE[r.image[e.address]];
        if (row) rows.add(row.name);
      }
    }
    expect(ISA.map((r) => r.name).filter((n) => !rows.has(n))).toEqual([]);
  });

  it('uses every operand form: register and expression sources and targets', () => {
    const forms = new Set<string>();
    for (const s of all) {
      const m = s[0].text.toUpperCase();
      const last = s[s.length - 1];
      const single = s.length === 2;
      if (['PUSH', 'JMP', 'CALL', 'LIDT'].includes(m)) forms.add(`${m} ${single && isRegister(last) ? 'reg' : 'expr'}`);
      if (['MOV', 'ADD', 'SUB', 'CMP', 'MUL', 'DIV', 'MOD', 'AND', 'OR', 'XOR', 'TEST', 'SHL', 'SHR', 'SAR', 'OUT'].includes(m)) {
        const comma = s.findIndex((t) => t.text === ',');
        const src = s.slice(comma + 1);
        forms.add(`${m} ${src.length === 1 && isRegister(src[0]) ? 'reg' : 'expr'}`);
      }
    }
    const expected = ['PUSH', 'JMP', 'CALL', 'LIDT'].flatMap((m) => [`${m} reg`, `${m} expr`]);
    for (const m of ['MOV', 'ADD', 'SUB', 'CMP', 'MUL', 'DIV', 'MOD', 'AND', 'OR', 'XOR', 'TEST', 'SHL', 'SHR', 'SAR', 'OUT']) {
      expected.push(`${m} reg`, `${m} expr`);
    }
    expect(expected.filter((f) => !forms.has(f))).toEqual([]);
  });

  it('uses every memory operand form: [Rn], [Rn + e], [Rn - e], [e], [e + Rn]', () => {
    const forms = new Set<string>();
    for (const s of all) {
      const open = s.findIndex((t) => t.text === '[');
      const close = s.findIndex((t) => t.text === ']');
      if (open < 0 || close < 0) continue;
      const inner = s.slice(open + 1, close);
      if (inner.length === 1 && isRegister(inner[0])) forms.add('[Rn]');
      else if (isRegister(inner[0]) && inner[1]?.text === '+') forms.add('[Rn + e]');
      else if (isRegister(inner[0]) && inner[1]?.text === '-') forms.add('[Rn - e]');
      else if (isRegister(inner[inner.length - 1]) && inner[inner.length - 2]?.text === '+') forms.add('[e + Rn]');
      else if (!inner.some(isRegister)) forms.add('[e]');
    }
    expect([...forms].sort()).toEqual(['[Rn + e]', '[Rn - e]', '[Rn]', '[e + Rn]', '[e]']);
  });

  it('uses every directive, $, character literals with every escape, and every operator', () => {
    const heads = new Set(all.map((s) => s[0].text.toLowerCase()));
    expect(DIRECTIVES.filter((d) => !heads.has(d))).toEqual([]);
    const tokens = all.flat();
    const punct = new Set(tokens.filter((t) => t.kind === 'punct').map((t) => t.text));
    for (const op of ['$', '+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '~', '(', ')']) expect(punct, op).toContain(op);
    const chars = new Set(tokens.filter((t) => t.kind === 'number' && t.text.startsWith("'")).map((t) => t.text));
    for (const c of ["'A'", "'\\n'", "'\\t'", "'\\0'", "'\\\\'", "'\\''"]) expect(chars, c).toContain(c);
    const numbers = tokens.filter((t) => t.kind === 'number').map((t) => t.text.toLowerCase());
    expect(numbers.some((n) => n.startsWith('0x'))).toBe(true);
    expect(numbers.some((n) => n.startsWith('0b'))).toBe(true);
  });

  it('runs on both variants, and some programs expect different behaviour on each', () => {
    const differing = programs.filter((p) => /expect-[a-z]+\[(classic|strict)\]/.test(p.source)).map((p) => p.name);
    expect(differing).toEqual(expect.arrayContaining(['red-pill.s', 'sensitive-user.s']));
  });
});
