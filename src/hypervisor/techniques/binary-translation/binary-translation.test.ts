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

  it('adaptive translation: ordinary store → trace fault → retranslation → callout', () => {
    const src = `
  .equ PT, 0x9000
  MOV SP, 0x8000
  MOV R1, 0
  MOV R2, PT
map: MOV R3, R1
  SHL R3, 12
  OR R3, 3
  STORE [R2], R3
  ADD R2, 4
  INC R1
  CMP R1, 16
  JNZ map
  MOV R1, PT
  MOV CR3, R1
  MOV R1, 0x80000000
  MOV CR0, R1
  MOV R4, 3
  MOV R5, 0xC003
again: XOR R5, 2
  STORE [PT + 48], R5
  MOV R6, 0xC000
  INVLPG R6
  DEC R4
  JNZ again
  OUT 0xF4, 0`;
    const { result, events, run } = runBt(src);
    expect(result.vms[0].state).toBe('powered-off');
    const storePc = 18 * 8;
    const at = events.filter(
      (e) =>
        e.pc === storePc &&
        ['trap', 'emulate', 'shadow-update', 'tc-invalidate'].includes(e.kind) &&
        !(e.kind === 'trap' && e.cause.startsWith('hidden')),
    );
    // First execution: the store was translated as is (kept) and takes a trace fault.
    const first = events.find((e) => e.kind === 'translate' && e.code.some((c) => c.original.startsWith('STORE [0x9030]')));
    expect(first?.kind === 'translate' && first.code.find((c) => c.original.startsWith('STORE'))?.kind).toBe('kept');
    const kinds = at.map((e) => (e.kind === 'trap' ? `trap: ${e.cause.split(':')[0]}` : e.kind));
    expect(kinds.slice(0, 4)).toEqual(['trap: trace fault', 'shadow-update', 'emulate', 'tc-invalidate']);
    // Retranslated with a callout for the store, which the next executions take (no trap).
    const again = events.filter((e) => e.kind === 'translate' && e.code.some((c) => c.original.startsWith('STORE [0x9030]')));
    expect(again).toHaveLength(2);
    const callout = again[1].kind === 'translate' ? again[1].code.find((c) => c.original.startsWith('STORE')) : undefined;
    expect(callout?.kind).toBe('callout');
    expect(callout?.becomes).toMatch(/adaptive translation/);
    const later = at.slice(4).filter((e) => e.kind === 'trap' || e.kind === 'emulate');
    expect(later.map((e) => e.kind)).toEqual(['emulate', 'emulate']);
    expect(later.every((e) => e.kind === 'emulate' && e.effect.startsWith('callout'))).toBe(true);
    expect(run.guests[0].machine.meter.counts.translatedPageTableWrite).toBe(2);
    expect(result.counters.shadowUpdates).toBeGreaterThanOrEqual(3);
  });

  it('a store into translated code takes a hidden fault and drops exactly the blocks of that page', () => {
    const src = `
  MOV SP, 0x8000
  CALL f
  CALL g
  MOV R1, f
  LOAD R2, [R1]
  STORE [R1], R2      ; the same bytes: still a store into translated code
  CALL f
  OUT 0xF4, R0
f: MOV R0, 1
  RET
  .org 0x2000
g: MOV R0, 2
  RET`;
    const { result, events } = runBt(src);
    expect(result.vms[0].exitCode).toBe(1);
    const fault = events.findIndex((e) => e.kind === 'trap' && e.cause.startsWith('trace fault'));
    expect(fault).toBeGreaterThan(0);
    expect(events[fault].pc).toBe(5 * 8); // the store
    const before = events.slice(0, fault);
    const translated = new Set(before.flatMap((e) => (e.kind === 'translate' ? [e.block] : [])));
    const onPage0 = [...translated].filter((b) => b < 0x1000).sort((a, b) => a - b);
    expect(translated.has(0x2000)).toBe(true);
    const after = events.slice(fault + 1);
    expect(after[0].kind).toBe('hidden-fault');
    const dropped = after.flatMap((e) => (e.kind === 'tc-invalidate' ? [e.block] : []));
    expect(dropped.sort((a, b) => a - b)).toEqual(onPage0);
    expect(result.counters.hiddenFaults).toBeGreaterThanOrEqual(1);
    expect(result.counters.traps).toBeGreaterThanOrEqual(1);
  });
});
