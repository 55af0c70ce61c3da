// What the memory structures and their events say (issue 12): the TLB as the hardware holds it, EPT
// fills as events of their own, and a type 2 hypervisor's trips to the host OS on an untagged TLB.
import { describe, expect, it } from 'vitest';
import { scenarioFromSource } from '../scenario/scenario';
import type { TraceEvent } from '../trace/events';
import { prepare } from './engine';
import type { TechniqueId } from './technique';

const PAGING = `
  MOV R1, 0
  MOV R2, 0x9000
map: MOV R3, R1
  SHL R3, 12
  OR R3, 3
  STORE [R2], R3
  ADD R2, 4
  INC R1
  CMP R1, 16
  JNZ map
  MOV R1, 0x9000
  MOV CR3, R1
  MOV R1, 0x80000000
  MOV CR0, R1
  LOAD R4, [0x8000]
  HLT
`;

function stopped(technique: TechniqueId, preset: '2006' | 'modern', paging: 'auto' | 'shadow' | 'nested', src = PAGING, type2 = false) {
  const scenario = scenarioFromSource(src);
  const p = prepare(type2 ? { ...scenario, hypervisor: { ...scenario.hypervisor, type: 2 } } : scenario, { technique, preset, paging });
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  p.engine.recordEvents(false);
  p.engine.runToEnd();
  return { inspection: p.engine.run.inspect(), events: p.engine.events as TraceEvent[] };
}

describe('the TLB as the hardware holds it', () => {
  it('natively and under interpretation: guest frames, untagged', () => {
    for (const t of ['native', 'interpret'] as const) {
      const tlb = stopped(t, 'modern', 'auto').inspection.vms[0].tlb;
      expect(tlb.length).toBeGreaterThan(0);
      for (const e of tlb) {
        expect(e.guestFrame).toBeUndefined();
        expect(e.tag).toBeUndefined();
      }
    }
  });

  it('under shadow and nested paging: host frames (the P2M of the guest frame), VPID-tagged with modern VT-x', () => {
    for (const [t, preset, paging, tagged] of [
      ['trap-and-emulate', '2006', 'auto', false],
      ['binary-translation', '2006', 'auto', false],
      ['hardware-assisted', 'modern', 'shadow', true],
      ['hardware-assisted', 'modern', 'nested', true],
    ] as const) {
      const vm = stopped(t, preset, paging).inspection.vms[0];
      expect(vm.tlb.length, t).toBeGreaterThan(0);
      for (const e of vm.tlb) {
        expect(e.guestFrame, t).toBe(e.page); // the guest maps identity
        expect(e.frame, t).toBe(vm.p2m[e.page]);
        expect(e.tag, `${t} ${preset}`).toBe(tagged ? 'VPID 1' : undefined);
      }
    }
  });
});

describe('memory events', () => {
  it('an EPT fill is an ept-update event, not a shadow update', () => {
    const { events } = stopped('hardware-assisted', 'modern', 'nested');
    const fills = events.filter((e) => e.kind === 'ept-update');
    expect(fills.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.kind === 'shadow-update')).toEqual([]);
  });

  it('type 2 with 2006: each trip to the host OS empties the TLB', () => {
    const src = `
  MOV R1, 3
again: OUT 0xE9, 65
  DEC R1
  JNZ again
  HLT`;
    const { events } = stopped('trap-and-emulate', '2006', 'auto', src, true);
    const toHost = events.findIndex((e) => e.kind === 'world-switch' && e.to.startsWith('host OS'));
    expect(toHost).toBeGreaterThanOrEqual(0);
    expect(events[toHost + 1]).toMatchObject({ kind: 'tlb-flush', scope: 'all' });
    const { events: modern } = stopped('trap-and-emulate', 'modern', 'auto', src, true);
    const i = modern.findIndex((e) => e.kind === 'world-switch' && e.to.startsWith('host OS'));
    expect(modern[i + 1]?.kind).not.toBe('tlb-flush');
  });
});
