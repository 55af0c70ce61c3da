import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble } from '../isa/assembler';
import { ISA } from '../isa/table';
import { arbitraryProgram } from '../testing/arbitrary';
import type { TraceEvent } from '../trace/events';
import { EXEC, run } from './interpreter';
import { Machine } from './machine';
import { restore, snapshot } from './snapshot';

function machine(src: string, variant: 'classic' | 'strict' = 'classic'): Machine {
  const a = assemble(src);
  expect(a.diagnostics).toEqual([]);
  const m = new Machine({ variant });
  m.loadImage(a.image);
  return m;
}

function state(m: Machine) {
  return {
    r: Array.from(m.r),
    pc: m.pc,
    flags: m.flags,
    cpl: m.cpl,
    cr: [m.cr0, m.cr2, m.cr3, m.idtr, m.ksp],
    state: m.state,
    exitCode: m.exitCode,
    console: m.console,
    ticks: m.ticks,
    retired: m.retired,
    cycles: m.meter.total(),
    mem: Buffer.from(m.mem).toString('base64'),
  };
}

/** A kernel with paging, a timer, user mode and system calls: most of the machine at once. */
const KERNEL = `
  .equ PT, 0x9000
  MOV R1, PT
  MOV R2, 0
fill: MOV R3, R2
  SHL R3, 12
  OR R3, 7          ; present, writable, user
  STORE [R1], R3
  ADD R1, 4
  INC R2
  CMP R2, 16
  JNZ fill
  MOV R1, PT
  MOV CR3, R1
  MOV R1, 0x80000000
  MOV CR0, R1
  LIDT idt
  MOV R1, 0xF000
  MOV KSP, R1
  OUT 0x40, 50
  PUSH 0x8000       ; user SP
  PUSH 3            ; user CPL
  PUSH 0x200        ; user FLAGS: IF
  PUSH user
  IRET
user: MOV R4, 0
uloop: INT 0x80
  INC R4
  CMP R4, 30
  JNZ uloop
  INT 0x81
timer: INC R6
  IRET
syscall: OUT 0xE9, 'x'
  IRET
halt: OUT 0xF4, R6
  .align 4
idt: .space 4 * 32
  .word timer
  .space 4 * 95
  .word syscall, halt
`;

describe('machine', () => {
  it('maps every ISA row to an exec code, one each', () => {
    const codes = ISA.map((r) => EXEC[r.name]);
    expect(codes.every((c) => Number.isInteger(c) && c > 0)).toBe(true);
    expect(new Set(codes).size).toBe(ISA.length);
  });

  it('runs a kernel with paging, timer, user mode and system calls', () => {
    const m = machine(KERNEL);
    expect(run(m, 100_000)).toBe('powered-off');
    expect(m.console).toBe('x'.repeat(30));
    expect(m.exitCode).toBeGreaterThan(0);
    expect(m.tlbMisses).toBeGreaterThan(0);
  });

  it('builds the exact interrupt frame of isa.md and IRET restores SP', () => {
    const m = machine(`
      LIDT idt
      MOV R1, 0x7000
      MOV KSP, R1
      PUSH 0x6000
      PUSH 3
      PUSH 0x200
      PUSH user
      IRET
user: INT 0x30
h:    LOAD R1, [SP]
      LOAD R2, [SP + 4]
      LOAD R3, [SP + 8]
      LOAD R4, [SP + 12]
      MOV R5, SP
      OUT 0xF4, 0
      .align 4
idt:  .space 4 * 0x30
      .word h`);
    run(m, 1000);
    expect(m.state).toBe('powered-off');
    expect(m.r[1]).toBe(9 * 8); // return address: the instruction after INT (at 8 * 8)
    expect(m.r[2]).toBe(0x200); // FLAGS
    expect(m.r[3]).toBe(3); // CPL
    expect(m.r[4]).toBe(0x6000); // SP
    expect(m.r[5]).toBe(0x7000 - 16); // KSP was loaded, then four words pushed
  });

  it('triple-faults when the handler is 0 and so is the #DF handler', () => {
    const m = machine('  MOV R0, 0\n  DIV R0, R0');
    expect(run(m, 100)).toBe('crashed');
    expect(m.crashReason).toMatch(/^triple-fault/);
    expect(m.crashReason).toMatch(/delivering vector \d+: .*; then #DF/);
  });

  it('delivers #DF (vector 8) when delivering another exception fails, with the running instruction as return address', () => {
    // #DE has no handler; #DF's handler reports the vector chain by powering off with the return address.
    const m = machine('  LIDT idt\n  MOV R0, 0\ndiv: DIV R0, R0\n  .align 4\nidt: .space 4 * 8\n  .word df\ndf: POP R1\n  OUT 0xF4, R1\n');
    expect(run(m, 100)).toBe('powered-off');
    expect(m.exitCode).toBe(16); // `div` is the third instruction
    expect(m.exceptions).toBe(2);
  });

  it('the fast loop and the reference step agree on random programs', () => {
    fc.assert(
      fc.property(arbitraryProgram, fc.integer({ min: 1, max: 3000 }), (src, budget) => {
        const fast = machine(src);
        const slow = machine(src);
        slow.trace = true; // without a sink: forces the reference step for every instruction
        const a = run(fast, budget);
        const b = run(slow, budget);
        expect(a).toBe(b);
        expect(state(fast)).toEqual(state(slow));
      }),
      { numRuns: 300 },
    );
  });

  it('the fast loop and the reference step agree on the kernel, budget by budget', () => {
    const fast = machine(KERNEL);
    const slow = machine(KERNEL);
    slow.trace = true;
    for (let i = 0; i < 200 && fast.state === 'running'; i++) {
      run(fast, 37);
      run(slow, 37);
      expect(state(fast)).toEqual(state(slow));
    }
    expect(fast.state).toBe('powered-off');
  });

  it('gives identical event streams on two runs', () => {
    const events = () => {
      const m = machine(KERNEL);
      const log: TraceEvent[] = [];
      m.events = { push: (e) => log.push(e) };
      m.trace = true;
      run(m, 100_000);
      return log;
    };
    const a = events();
    expect(a.length).toBeGreaterThan(100);
    expect(events()).toEqual(a);
  });

  it('continues exactly after snapshot → run → restore → run', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 3000 }), (before, after) => {
        const m = machine(KERNEL);
        run(m, before);
        const s = snapshot(m);
        const expected = state(m);
        run(m, after);
        const end = state(m);
        restore(m, s);
        expect(state(m)).toEqual(expected);
        run(m, after);
        expect(state(m)).toEqual(end);
      }),
      { numRuns: 60 },
    );
  });

  it('snapshots share unchanged memory chunks', () => {
    const m = machine(KERNEL);
    run(m, 500);
    const a = snapshot(m);
    run(m, 10);
    const b = snapshot(m);
    const shared = a.chunks.filter((c, i) => c === b.chunks[i]).length;
    expect(shared).toBeGreaterThan(a.chunks.length - 4);
  });

  it('self-modifying code runs the new instruction', () => {
    const m = machine(`
      MOV R0, 1
      LOAD R1, [new]
      STORE [patch], R1
      LOAD R1, [new + 4]
      STORE [patch + 4], R1
patch: MOV R0, 2
      OUT 0xF4, R0
new:  MOV R0, 42`);
    run(m, 100);
    expect(m.exitCode).toBe(42);
  });

  it('takes no interrupt between STI and the next instruction (the STI shadow): STI; CLI keeps the tick pending', () => {
    const src = (after: string) =>
      `  LIDT idt\n  OUT 0x40, 2\n  NOP\n  NOP\n  NOP\n  STI\n  ${after}\n  OUT 0xF4, 7\ntick: OUT 0xF4, R5\n  .align 4\nidt: .space 4 * 32\n  .word tick\n`;
    const cli = machine(src('CLI'));
    expect(run(cli, 100)).toBe('powered-off');
    expect(cli.exitCode).toBe(7); // the tick never came: CLI ran inside the shadow
    expect(cli.irqPending).toBe(true);
    const nop = machine(src('MOV R5, 9'));
    expect(run(nop, 100)).toBe('powered-off');
    expect(nop.exitCode).toBe(9); // the instruction after STI ran, then the tick was taken
  });
});
