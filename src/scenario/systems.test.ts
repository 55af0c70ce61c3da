import { describe, expect, it } from 'vitest';
import { validateScenario } from './scenario';
import { SYSTEMS } from './systems';

describe('real systems and the scenario system field', () => {
  it('lists each product once, with what VirtLab simplifies', () => {
    expect(new Set(SYSTEMS.map((s) => s.id)).size).toBe(SYSTEMS.length);
    for (const s of SYSTEMS) {
      expect(s.simplifies.length).toBeGreaterThan(20);
      expect(s.year).toBeGreaterThan(1960);
    }
  });

  it('sets technique, type, preset and isa as the product had them; explicit fields win', () => {
    const r = validateScenario({ system: 'vm-370', vms: [{ source: 'NOP' }] });
    expect(r.ok && [r.scenario.technique, r.scenario.isa, r.scenario.preset, r.scenario.hypervisor.type, r.scenario.system]).toEqual([
      'trap-and-emulate',
      'strict',
      '2006',
      1,
      'vm-370',
    ]);
    const w = validateScenario({
      system: 'vmware-workstation-1',
      technique: 'interpret',
      hypervisor: { type: 1 },
      vms: [{ source: 'NOP' }],
    });
    expect(w.ok && [w.scenario.technique, w.scenario.hypervisor.type, w.scenario.preset]).toEqual(['interpret', 1, '2006']);
    const k = validateScenario({ system: 'kvm', vms: [{ source: 'NOP' }] });
    expect(k.ok && k.scenario.hypervisor.type).toBe(2);
  });

  it('refuses an unknown id, and Wine as not a virtual machine', () => {
    const u = validateScenario({ system: 'vmware-9', vms: [{ source: 'NOP' }] });
    expect(!u.ok && u.errors[0]).toMatch(/^system: expected the id of a real system/);
    const w = validateScenario({ system: 'wine', vms: [{ source: 'NOP' }] });
    expect(!w.ok && w.errors[0]).toMatch(/^system: Wine is not a virtual machine/);
  });
});
