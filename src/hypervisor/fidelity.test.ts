// Differential fidelity, the central test: every technique must end in bare metal's guest-visible
// state, on `strict` always, on `classic` except where it recorded a fidelity violation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Variant } from '../isa/table';
import { scenarioFromSource } from '../scenario/scenario';
import { arbitraryProgram } from '../testing/arbitrary';
import { prepare, type RunResultJson } from './engine';
import type { TechniqueId } from './technique';

const HOSTED: TechniqueId[] = ['interpret', 'trap-and-emulate', 'binary-translation', 'hardware-assisted'];

function runWith(source: string, technique: TechniqueId, isa: Variant, extra: object = {}): RunResultJson {
  const p = prepare(scenarioFromSource(source), { technique, isa, maxSteps: 5000, ...extra });
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  p.engine.runToEnd();
  return p.engine.result();
}

function visible(r: RunResultJson) {
  const vm = r.vms[0];
  return { state: vm.state, exitCode: vm.exitCode, console: vm.console, cpu: vm.cpu, instructions: vm.counters.instructions };
}

describe('differential fidelity against bare metal', () => {
  for (const isa of ['strict', 'classic'] as const) {
    for (const technique of HOSTED) {
      for (const preset of ['2006', 'modern'] as const) {
        it(`${technique} on ${isa} (${preset}): random programs`, () => {
          fc.assert(
            fc.property(arbitraryProgram, (src) => {
              const native = runWith(src, 'native', isa);
              const other = runWith(src, technique, isa, { preset });
              const same = JSON.stringify(visible(native)) === JSON.stringify(visible(other));
              if (isa === 'strict' || technique !== 'trap-and-emulate') {
                expect(visible(other)).toEqual(visible(native));
                expect(other.counters.fidelityViolations).toBe(0);
              } else if (!same) {
                expect(other.counters.fidelityViolations).toBeGreaterThan(0);
              }
            }),
            { numRuns: 60 },
          );
        });
      }
    }
  }
});
