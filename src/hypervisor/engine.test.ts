import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarioFromSource } from '../scenario/scenario';
import { forkwait, syscallLoop } from '../testing/workloads';
import { prepare, type RunResultJson } from './engine';
import type { TechniqueId } from './technique';

function engineFor(src: string, technique: TechniqueId) {
  const p = prepare(scenarioFromSource(src), { technique, preset: '2006' });
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  p.engine.recordEvents(false);
  p.engine.checkpointInterval = 700; // many checkpoints, so that seeks jump from them both ways
  return p.engine;
}

const strip = (r: RunResultJson) => JSON.stringify({ ...r, events: undefined });

describe('time travel: checkpoints and exact seeking', () => {
  for (const technique of ['native', 'interpret', 'trap-and-emulate', 'binary-translation', 'hardware-assisted'] as TechniqueId[]) {
    it(`${technique}: seeking back to any step gives exactly the state and events of that moment`, () => {
      const src = forkwait(60);
      // The reference: a run stopped at each target the plain way.
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 9000 }), fc.integer({ min: 0, max: 9000 }), (a, b) => {
          const straight = engineFor(src, technique);
          straight.seek(b);
          const expected = { result: strip(straight.result()), events: JSON.stringify(straight.events) };
          const travelled = engineFor(src, technique);
          travelled.seek(a);
          travelled.runToEnd();
          travelled.seek(Math.min(a, b) >> 1); // back, then possibly forwards through kept checkpoints
          travelled.seek(b);
          expect({ result: strip(travelled.result()), events: JSON.stringify(travelled.events) }).toEqual(expected);
        }),
        { numRuns: 25 },
      );
    });
  }

  it('keeps checkpoints bounded on a long run', () => {
    const e = engineFor(syscallLoop(200_000), 'native');
    e.runToEnd();
    expect(e.checkpointSteps.length).toBeLessThanOrEqual(1000);
    expect(e.checkpointSteps[0]).toBe(0);
    const end = e.run.steps();
    e.seek(Math.floor(end / 3));
    expect(e.run.steps()).toBe(Math.floor(end / 3));
  });
});
