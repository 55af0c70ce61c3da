// What the page's per-scenario tests used to check, one page per library scenario, checked here on the
// engine instead: the scenario as a share link delivers it, prepared as the worker prepares it, runs to
// its end with every VM stopped the way the scenario means, and prints. The page itself is tested with
// two scenarios only (e2e/lecture.spec.ts: one through a share link, one through the library picker).
import { describe, expect, it } from 'vitest';
import { prepare } from '../hypervisor/engine';
import { LIBRARY, libraryScenario } from '../scenario/library';
import { decodeLink, encodeFragment } from '../scenario/link';

/** The VMs whose point is that they do not power off; every other VM of the library powers off. */
// `two-vms` has VMs of its own that both finish (issue 13); `crashing-vm` is the scenario where one crashes.
const CRASHES: Record<string, readonly string[]> = { 'pv-unmodified': ['vm1'], 'crashing-vm': ['vm2'] };

describe('every library scenario, as a share link opens it', () => {
  for (const entry of LIBRARY) {
    it(`${entry.id}: opens with its VMs, technique and checklist, and runs to its end`, () => {
      const shipped = libraryScenario(entry.id);
      if (!shipped) throw new Error(`no scenario ${entry.id}`);
      const link = decodeLink(encodeFragment(shipped));
      if (!link.ok) throw new Error(link.error);
      const scenario = link.scenario;
      expect(scenario.vms.map((v) => v.source)).toEqual(shipped.vms.map((v) => v.source));
      expect(scenario.technique).toBe(shipped.technique);
      expect(entry.lookFor.length).toBeGreaterThan(0);
      const p = prepare(scenario);
      if (p.kind !== 'ready') throw new Error(JSON.stringify(p).slice(0, 300));
      expect(p.engine.runToEnd()).toBe('all-stopped');
      const result = p.engine.result();
      const crashing = CRASHES[entry.id] ?? [];
      for (const vm of result.vms) expect(vm.state, vm.name).toBe(crashing.includes(vm.name) ? 'crashed' : 'powered-off');
      // What the page's Console shows: every VM that runs to its end prints something.
      for (const vm of result.vms.filter((v) => v.state === 'powered-off')) expect(vm.console, vm.name).not.toBe('');
    });
  }
});
