// Interpretation charged honestly (issue 12): software does everything the hardware does, and more, so
// no program costs less interpreted than on bare metal; and every event's time is read from the same
// meter as the run's total.
import { describe, expect, it } from 'vitest';
import { loadPrograms, parseExpectations } from '../../programs/harness';
import { scenarioFromSource } from '../scenario/scenario';
import { forkwait } from '../testing/workloads';
import type { TraceEvent } from '../trace/events';
import type { PresetId } from './costs';
import { prepare } from './engine';
import type { TechniqueId } from './technique';

function total(source: string, technique: TechniqueId, preset: PresetId, maxSteps: number): number {
  const p = prepare(scenarioFromSource(source), { technique, preset, maxSteps });
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  p.engine.runToEnd();
  return p.engine.result().cycles.total;
}

const runsNative = (source: string) => !/^;\s*runs-on:/m.test(source) || /^;\s*runs-on:.*\bnative\b/m.test(source);

describe('interpretation costs at least what bare metal does', () => {
  for (const program of loadPrograms()) {
    if (!runsNative(program.source)) continue;
    it(`${program.name}: interpret ≥ native with both presets`, () => {
      const e = parseExpectations(program.source, program.variants[0], 'native');
      const maxSteps = e.ok ? e.expectations.maxSteps : 1_000_000;
      for (const preset of ['2006', 'modern'] as const) {
        const native = total(program.source, 'native', preset, maxSteps);
        expect(total(program.source, 'interpret', preset, maxSteps), preset).toBeGreaterThanOrEqual(native);
      }
    });
  }
});

describe("events' times come from the run's own meter", () => {
  for (const technique of ['interpret', 'binary-translation', 'trap-and-emulate'] as const) {
    it(`${technique}: the last event's time is the total, and times never go back`, () => {
      const p = prepare(scenarioFromSource(forkwait(20)), { technique, preset: '2006' });
      if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
      const events: TraceEvent[] = [];
      p.engine.setEventSink({ push: (e) => events.push(e) }, false);
      p.engine.runToEnd();
      const r = p.engine.result();
      for (let i = 1; i < events.length; i++) expect(events[i].time).toBeGreaterThanOrEqual(events[i - 1].time);
      const last = events.at(-1);
      expect(last?.kind).toBe('vm-state');
      // Powering off is the last thing the guest does: nothing is charged after it.
      expect(last?.time).toBe(r.cycles.total);
    });
  }
});
