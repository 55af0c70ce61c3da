// Every program under every technique: fidelity is tested differentially against bare metal.
// A program passes when it meets its expectations (technique-specific ones included). On `classic`
// a technique may fail them only where it recorded a fidelity violation, and only then.
import { describe, expect, it } from 'vitest';
import type { TechniqueId } from '../src/hypervisor/technique';
import { checkProgram, loadPrograms, programVariants } from './harness';

/** `; runs-on: …` lists the techniques a program is written for (paravirtualized kernels); by default all but paravirtualization. */
function runsOn(source: string): TechniqueId[] {
  const m = source.match(/^;\s*runs-on:\s*(.+)$/m);
  if (m) return m[1].trim().split(/\s+/) as TechniqueId[];
  return ['native', 'interpret', 'trap-and-emulate', 'binary-translation', 'hardware-assisted'];
}

const RUNS: { technique: TechniqueId; preset: '2006' | 'modern'; paging?: 'shadow' | 'nested' }[] = [
  { technique: 'interpret', preset: 'modern' },
  { technique: 'trap-and-emulate', preset: '2006' },
  { technique: 'binary-translation', preset: '2006' },
  { technique: 'hardware-assisted', preset: '2006', paging: 'shadow' },
  { technique: 'hardware-assisted', preset: 'modern', paging: 'nested' },
  { technique: 'paravirtualization', preset: 'modern' },
];

describe('programs under every technique', () => {
  for (const program of loadPrograms()) {
    const targets = runsOn(program.source);
    for (const isa of programVariants(program.source)) {
      for (const run of RUNS.filter((r) => targets.includes(r.technique))) {
        it(`${program.name} · ${isa} · ${run.technique}${run.paging ? ` (${run.paging})` : ''}`, () => {
          let violations = 0;
          const mismatches = checkProgram(program.source, run.technique, isa, {
            preset: run.preset,
            paging: run.paging,
            onResult: (r) => {
              violations = r.counters.fidelityViolations;
            },
          });
          if (isa === 'strict' || violations === 0) expect(mismatches).toEqual([]);
          if (isa === 'strict') expect(violations).toBe(0);
        });
      }
    }
  }
});
