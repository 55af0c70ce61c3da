// Every program under every technique: fidelity is tested differentially against bare metal.
// A program passes when it meets its expectations (technique-specific ones included). On `classic`
// a technique may fail them only where it recorded a fidelity violation, and only then, unless the
// program writes expectations for that technique (`; expect-console[trap-and-emulate classic]: …`):
// those say exactly what the violations show, and must hold; and where a program written for bare
// metal expects a technique to depart from it, the run must show why: fidelity violations, or
// hypercalls (an interface that bare metal lacks, such as VMCALL under hardware assistance).
import { describe, expect, it } from 'vitest';
import type { TechniqueId } from '../src/hypervisor/technique';
import {
  checkProgram,
  type Expectations,
  hasTechniqueExpectations,
  type Isa,
  loadPrograms,
  parseExpectations,
  programVariants,
} from './harness';

/** `; runs-on: …` lists the techniques a program is written for (paravirtualized kernels); by default all but paravirtualization. */
function runsOn(source: string): TechniqueId[] {
  const m = source.match(/^;\s*runs-on:\s*(.+)$/m);
  if (m) return m[1].trim().split(/\s+/) as TechniqueId[];
  return ['native', 'interpret', 'trap-and-emulate', 'binary-translation', 'hardware-assisted'];
}

/** What a run must show (not how long it may take), for one technique on one variant. */
function outcome(source: string, isa: Isa, technique: TechniqueId): Omit<Expectations, 'maxSteps'> | undefined {
  const p = parseExpectations(source, isa, technique);
  if (!p.ok) return undefined;
  const { maxSteps: _, ...rest } = p.expectations;
  return rest;
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
          let hypercalls = 0;
          const mismatches = checkProgram(program.source, run.technique, isa, {
            preset: run.preset,
            paging: run.paging,
            onResult: (r) => {
              violations = r.counters.fidelityViolations;
              hypercalls = r.counters.hypercalls;
            },
          });
          const pinned = hasTechniqueExpectations(program.source, run.technique, isa);
          if (isa === 'strict' || violations === 0 || pinned) expect(mismatches).toEqual([]);
          if (isa === 'strict') expect(violations).toBe(0);
          const bareMetal = !/^;\s*runs-on:/m.test(program.source);
          if (pinned && bareMetal) {
            const departs =
              JSON.stringify(outcome(program.source, isa, run.technique)) !== JSON.stringify(outcome(program.source, isa, 'native'));
            // CPUID is the one question a hypervisor answers differently on purpose: its virtual CPU says a
            // hypervisor is present (isa.md, virtualization.md), so a program that asks may depart by design.
            const asksCpuid = /^\s*(?:[\w.]+:)?\s*CPUID\b/m.test(program.source);
            if (departs && !asksCpuid)
              expect(violations + hypercalls, 'an expected departure from bare metal needs violations or hypercalls').toBeGreaterThan(0);
          }
        });
      }
    }
  }
});
