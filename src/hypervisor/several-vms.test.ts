import { describe, expect, it } from 'vitest';
import { validateScenario } from '../scenario/scenario';
import type { TraceEvent } from '../trace/events';
import { prepare } from './engine';

const COUNT = (n: number, ch: string) => `
  MOV R1, 0
loop: INC R1
  CMP R1, ${n}
  JNZ loop
  OUT 0xE9, '${ch}'
  OUT 0xF4, 0
`;

function runScenario(data: object) {
  const s = validateScenario(data);
  if (!s.ok) throw new Error(s.errors.join('\n'));
  const p = prepare(s.scenario);
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  p.engine.recordEvents(false);
  p.engine.runToEnd();
  return { result: p.engine.result(), events: p.engine.events as TraceEvent[] };
}

describe('several VMs', () => {
  it('runs VMs round-robin by time slices; every change of VM is a world switch', () => {
    const { result, events } = runScenario({
      technique: 'hardware-assisted',
      hypervisor: { timeSlice: 100 },
      vms: [
        { name: 'a', source: COUNT(300, 'a') },
        { name: 'b', source: COUNT(300, 'b') },
      ],
    });
    const switches = events.filter((e) => e.kind === 'world-switch');
    expect(switches.length).toBeGreaterThanOrEqual(8);
    expect(switches.slice(0, 3).map((e) => (e.kind === 'world-switch' ? `${e.from}→${e.to}` : ''))).toEqual(['a→b', 'b→a', 'a→b']);
    expect(result.counters.worldSwitches).toBe(switches.length);
    expect(result.vms.map((v) => v.console)).toEqual(['a', 'b']);
    expect(result.cycles.byCategory['world-switch']).toBe(switches.length * 3000);
  });

  it('type 2 sends I/O exits and timer interrupts through the host OS, with a world switch each way', () => {
    const src = COUNT(10, 'x');
    const t1 = runScenario({ technique: 'trap-and-emulate', vms: [{ source: src }] });
    const t2 = runScenario({ technique: 'trap-and-emulate', hypervisor: { type: 2 }, vms: [{ source: src }] });
    const hostOs = t2.events.filter((e) => e.kind === 'world-switch');
    expect(hostOs.length).toBe(4); // two OUTs, each there and back
    expect(t1.events.filter((e) => e.kind === 'world-switch')).toEqual([]);
    expect(t2.result.cycles.total - t1.result.cycles.total).toBe(2 * 5000);
    expect(t2.result.vms[0].console).toBe(t1.result.vms[0].console);
  });

  it('native refuses a scenario of several VMs', () => {
    const s = validateScenario({ vms: [{ source: 'HLT' }, { source: 'HLT' }] });
    if (!s.ok) throw new Error();
    const p = prepare(s.scenario, { technique: 'native' });
    expect(p.kind).toBe('refused');
    if (p.kind === 'refused') expect(p.reason).toMatch(/several VMs/);
  });

  it('refuses nested paging with the 2006 preset, with the reason', () => {
    const s = validateScenario({ vms: [{ source: 'HLT' }], preset: '2006', hypervisor: { paging: 'nested' } });
    if (!s.ok) throw new Error();
    const p = prepare(s.scenario, { technique: 'hardware-assisted' });
    expect(p.kind).toBe('refused');
    if (p.kind === 'refused') expect(p.reason).toMatch(/2008/);
  });
});
