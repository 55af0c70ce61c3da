// The scenario files of programs/scenarios: several VMs, each under every technique that can run them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../src/hypervisor/engine';
import type { TechniqueId } from '../src/hypervisor/technique';
import { parseScenarioText } from '../src/scenario/scenario';

const HERE = new URL('.', import.meta.url).pathname;

describe('two VMs, one crashes', () => {
  const parsed = parseScenarioText(readFileSync(join(HERE, 'scenarios', 'two-vms-one-crashes.vlab.json'), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  for (const technique of ['interpret', 'trap-and-emulate', 'binary-translation', 'hardware-assisted'] as TechniqueId[]) {
    it(`${technique}: vm2 triple-faults alone and vm1 finishes`, () => {
      const p = prepare(parsed.scenario, { technique });
      if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
      expect(p.engine.runToEnd()).toBe('all-stopped');
      const r = p.engine.result();
      expect(r.vms[1].state).toBe('crashed');
      expect(r.vms[1].crashReason).toMatch(/^triple-fault/);
      expect(r.vms[0]).toMatchObject({ state: 'powered-off', exitCode: 0, console: 'vm1 counted to 2000\n' });
      expect(r.counters.worldSwitches).toBeGreaterThan(0);
    });
  }
  it('native refuses it: bare metal runs one machine', () => {
    const p = prepare(parsed.scenario, { technique: 'native' });
    expect(p.kind).toBe('refused');
  });
});
