// Isolation under hostile guests and independence of VMs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../scenario/scenario';
import { prepare, type RunResultJson } from './engine';
import type { Monitor } from './monitor';
import type { TechniqueId } from './technique';

const HOSTED: TechniqueId[] = ['interpret', 'trap-and-emulate', 'binary-translation', 'hardware-assisted', 'paravirtualization'];

const VICTIM = `
  MOV R1, 0
  MOV R2, 0x4000
loop: STORE [R2], R1
  LOAD R3, [R2]
  ADD R4, R3
  INC R1
  CMP R1, 3000
  JNZ loop
  MOV R1, msg
print: LOADB R0, [R1]
  CMP R0, 0
  JZ done
  OUT 0xE9, R0
  INC R1
  JMP print
done: OUT 0xF4, R4
msg: .asciz "victim ok\\n"
`;

/** The same victim, paravirtualized: the console and power-off go through hypercalls. */
const PV_VICTIM = VICTIM.replace('  OUT 0xE9, R0', '  MOV R1, R0\n  VMCALL 0          ; console_write')
  .replace('done: OUT 0xF4, R4', 'done: MOV R1, R4\n  VMCALL 9           ; shutdown')
  .replace('  MOV R1, msg\nprint: LOADB R0, [R1]', '  MOV R6, msg\nprint: LOADB R0, [R6]')
  .replace('  INC R1\n  JMP print', '  INC R6\n  JMP print');

const victimFor = (t: TechniqueId) => (t === 'paravirtualization' ? PV_VICTIM : VICTIM);

/** Random bytes as a program: any instruction, any operand, anything at all. */
const junkProgram = fc.uint8Array({ minLength: 8, maxLength: 400 }).map((b) => `  .byte ${Array.from(b).join(', ')}\n`);

/** A program that writes a random page table, turns paging on and jumps somewhere. */
const randomPaging = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 0xffff }))
  .map(([ptes, target]) =>
    [
      '  MOV R1, 0x9000',
      ...ptes.flatMap((p, i) => [`  MOV R2, ${p}`, `  STORE [R1 + ${i * 4}], R2`]),
      '  MOV CR3, R1',
      '  MOV R2, 0x80000000',
      '  MOV CR0, R2',
      `  JMP ${target}`,
    ].join('\n'),
  );

function run(vms: { name: string; source: string }[], technique: TechniqueId, preset: '2006' | 'modern' = 'modern'): RunResultJson {
  const s = validateScenario({ vms, technique, preset, maxSteps: 40_000, hypervisor: { timeSlice: 500 } });
  if (!s.ok) throw new Error(s.errors.join('\n'));
  const p = prepare(s.scenario);
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  const stop = p.engine.runToEnd();
  expect(stop).not.toBe('error');
  return p.engine.result();
}

describe('isolation', () => {
  for (const technique of HOSTED) {
    it(`${technique}: a hostile neighbour never changes the victim's run, and never breaks the engine`, () => {
      const alone = run([{ name: 'victim', source: victimFor(technique) }], technique).vms[0];
      expect(alone.console).toBe('victim ok\n');
      fc.assert(
        fc.property(
          fc.oneof(junkProgram, randomPaging),
          fc.constantFrom('2006', 'modern') as fc.Arbitrary<'2006' | 'modern'>,
          (hostile, preset) => {
            const r = run(
              [
                { name: 'hostile', source: hostile },
                { name: 'victim', source: victimFor(technique) },
              ],
              technique,
              preset,
            );
            const v = r.vms[1];
            expect({ state: v.state, exitCode: v.exitCode, console: v.console, cpu: v.cpu }).toEqual({
              state: alone.state,
              exitCode: alone.exitCode,
              console: alone.console,
              cpu: alone.cpu,
            });
          },
        ),
        { numRuns: 40 },
      );
    });
  }

  it('one VM crashing or powering off leaves the other unchanged, under every technique', () => {
    for (const technique of HOSTED) {
      const alone = run([{ name: 'victim', source: victimFor(technique) }], technique).vms[0];
      for (const neighbour of ['  MOV R0, 0\n  DIV R0, R0', '  OUT 0xF4, 9', 'x: JMP x']) {
        const r = run(
          [
            { name: 'victim', source: victimFor(technique) },
            { name: 'other', source: neighbour },
          ],
          technique,
        );
        expect(r.vms[0].console).toBe(alone.console);
        expect(r.vms[0].cpu).toEqual(alone.cpu);
        expect(r.vms[0].exitCode).toBe(alone.exitCode);
        expect(r.counters.worldSwitches).toBeGreaterThan(0);
      }
    }
  });
});

/** The victim beside a neighbour that runs the very same code and rewrites its own copy of it. */
const SAME_CODE_REWRITTEN_BASE = VICTIM.replace(
  'loop: STORE [R2], R1',
  'loop: STORE [R2], R1\n  STORE [loop + 4], R1\n  STORE [print + 4], R1',
);

/** The victim with a CALL and a RET in its loop: under binary translation, thousands of cache hits. */
const CALLING = `${VICTIM.replace('  INC R1\n  CMP R1, 3000', '  CALL bump\n  CMP R1, 3000')}  .align 8\nbump: INC R1\n  RET\n`;
const SAME_CODE_REWRITTEN = SAME_CODE_REWRITTEN_BASE;
const CALLING_REWRITTEN = CALLING.replace('loop: STORE [R2], R1', 'loop: STORE [R2], R1\n  STORE [loop + 4], R1\n  STORE [bump + 4], R1');

describe('independence of VMs', () => {
  function runAt(vms: { name: string; source: string }[], technique: TechniqueId) {
    const s = validateScenario({ vms, technique, preset: 'modern', maxSteps: 60_000, hypervisor: { timeSlice: 500 } });
    if (!s.ok) throw new Error(s.errors.join('\n'));
    const p = prepare(s.scenario);
    if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
    p.engine.recordEvents(false);
    p.engine.runToEnd();
    const index = vms.findIndex((v) => v.name === 'victim');
    const monitor = p.engine.run as Monitor;
    const { worldSwitches: _w, ...counters } = p.engine.result().vms[index].counters;
    const events = p.engine.events
      .filter((e) => e.vm === index && e.kind !== 'world-switch')
      .map(({ time: _t, step: _s, vm: _v, ...rest }) => rest);
    return { counters, events, cycles: monitor.guests[index].machine.meter.total() };
  }

  for (const technique of HOSTED) {
    it(`${technique}: a VM's counters, events and cycles are the same alone and beside a neighbour running (and rewriting) the same code`, () => {
      // Host frames are placed by VM index: the victim is VM 1 both times, and the neighbour runs first.
      // Alone, VM 0 powers off at once (hypercall 9 is shutdown).
      const pv = technique === 'paravirtualization';
      const victim = { name: 'victim', source: pv ? PV_VICTIM : CALLING };
      const alone = runAt([{ name: 'gone', source: pv ? '  VMCALL 9' : '  OUT 0xF4, 0' }, victim], technique);
      const beside = runAt([{ name: 'hostile', source: pv ? PV_VICTIM : CALLING_REWRITTEN }, victim], technique);
      expect(beside.counters).toEqual(alone.counters);
      expect(beside.events).toEqual(alone.events);
      expect(beside.cycles).toBe(alone.cycles);
      if (technique === 'binary-translation') expect(alone.counters.tcHits).toBeGreaterThan(2000);
    });
  }

  it('binary translation with several VMs: restoring a snapshot and running on gives exactly the same run', () => {
    const s = validateScenario({
      technique: 'binary-translation',
      preset: '2006',
      maxSteps: 60_000,
      hypervisor: { timeSlice: 300 },
      vms: [
        { name: 'a', source: SAME_CODE_REWRITTEN },
        { name: 'b', source: VICTIM },
      ],
    });
    if (!s.ok) throw new Error(s.errors.join('\n'));
    const p = prepare(s.scenario);
    if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
    const run = p.engine.run;
    run.run(7_000);
    const snap = run.snapshot();
    run.run(60_000);
    const first = { vms: run.vms(), cycles: run.cycles(), blocks: run.inspect().vms.map((v) => v.blocks) };
    run.restore(snap);
    run.run(60_000);
    expect({ vms: run.vms(), cycles: run.cycles(), blocks: run.inspect().vms.map((v) => v.blocks) }).toEqual(first);
  });
});
