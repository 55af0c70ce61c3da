// Isolation under hostile guests and independence of VMs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../scenario/scenario';
import { prepare, type RunResultJson } from './engine';
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
