import { describe, expect, it } from 'vitest';
import { scenarioFromSource } from '../../../scenario/scenario';
import type { TraceEvent } from '../../../trace/events';
import { prepare } from '../../engine';
import type { Monitor } from '../../monitor';

function runBt(src: string, isa: 'classic' | 'strict' = 'classic') {
  const p = prepare(scenarioFromSource(src), { technique: 'binary-translation', isa });
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  p.engine.recordEvents(false);
  p.engine.runToEnd();
  return { result: p.engine.result(), events: p.engine.events as TraceEvent[], run: p.engine.run as Monitor };
}

const RED_PILL = `
  LIDT idt
  MOV R1, 0x8000
  MOV KSP, R1
  PUSH 0x7000
  PUSH 3
  PUSH 0x200
  PUSH user
  IRET
user: SIDT R2          ; the Red Pill: where is the IDT?
  INT 0x80
exit: OUT 0xF4, R2
  .align 4
idt: .space 4 * 128
  .word exit
`;

describe('binary translation', () => {
  it('keeps bare metal behaviour for PUSHF, POPF, SMSW and SIDT in the kernel on classic', () => {
    const src = '  LIDT 0x1234\n  CLI\n  PUSHF\n  STI\n  POPF\n  PUSHF\n  POP R1\n  SMSW R2\n  SIDT R3\n  OUT 0xF4, R1\n';
    const { result, events } = runBt(src);
    const vm = result.vms[0];
    expect(vm.exitCode).toBe(0); // IF was restored to 0 by POPF, as on bare metal
    expect(vm.cpu.R2).toBe(0);
    expect(vm.cpu.R3).toBe(0x1234);
    expect(vm.fidelity).toEqual([]);
    // No trap for them: inline updates and callouts (the only traps are shadow paging's hidden faults).
    expect(events.filter((e) => e.kind === 'trap' && !e.cause.startsWith('hidden'))).toEqual([]);
    expect(result.counters.translatedBlocks).toBeGreaterThan(0);
  });

  it('lets the Red Pill see the hypervisor: user-mode SIDT runs directly and returns 0xFC000000', () => {
    const { result } = runBt(RED_PILL);
    expect(result.vms[0].exitCode).toBe(0xfc000000 | 0);
    expect(result.vms[0].fidelity.map((f) => f.instruction)).toEqual(['SIDT R2']);
  });

  it('translates kernel blocks once, shows each instruction and what it became, and hits the cache on indirect branches', () => {
    const src = `
  MOV R4, 50
loop: CALL f
  DEC R4
  JNZ loop
  OUT 0xF4, 0
f: CLI
  STI
  RET`;
    const { result, run, events } = runBt(src);
    expect(result.vms[0].state).toBe('powered-off');
    const blocks = [...(run.guests[0].tc?.blocks.values() ?? [])];
    const f = blocks.find((b) => b.instructions[0].original === 'CLI');
    expect(f?.instructions.map((i) => i.kind)).toEqual(['inline', 'inline', 'lookup']);
    expect(f?.instructions[0].becomes).toMatch(/vCPU\.IF ← 0/);
    expect(result.counters.translatedBlocks).toBe(blocks.length);
    expect(events.filter((e) => e.kind === 'translate').length).toBe(blocks.length);
    expect(result.counters.tcHits).toBeGreaterThanOrEqual(49);
    expect(result.cycles.byCategory.translation).toBeGreaterThan(0);
  });

  it('runs self-modifying kernel code: a store into a translated block invalidates it', () => {
    const src = `
  MOV R5, 0
again: CALL patch
  INC R5
  CMP R5, 2
  JNZ again
  OUT 0xF4, R0
patch: MOV R0, 1        ; rewritten to MOV R0, 42 after the first call
  LOAD R1, [new]
  STORE [patch], R1
  LOAD R1, [new + 4]
  STORE [patch + 4], R1
  RET
new: MOV R0, 42`;
    const { result, events } = runBt(src);
    expect(result.vms[0].exitCode).toBe(42);
    expect(events.some((e) => e.kind === 'tc-invalidate')).toBe(true);
  });
});
