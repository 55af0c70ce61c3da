// Property: a random body inside a kernel template (paging on, an IDT, the timer, user mode and system
// calls, CALL/RET and indirect jumps, HLT, port I/O, faults, self-modifying code; see kernels.ts) ends
// the same under every technique as on bare metal: the same registers, console, state and exit code,
// the same number of guest instructions, and the same guest memory (by hash).
//
// Paravirtualization is left out: it runs only kernels modified to make hypercalls (an unmodified kernel
// is refused or crashes by design, see the pv-unmodified scenario), and these templates are unmodified.
// Techniques that cannot run a configuration say so (`refuse`) and are skipped for it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepare, type RunResultJson } from '../hypervisor/engine';
import type { TechniqueId } from '../hypervisor/technique';
import type { Variant } from '../isa/table';
import { scenarioFromSource } from '../scenario/scenario';
import { arbitraryGuest, type Mode, renderGuest } from './kernels';

const MAX_STEPS = 3000;
const MEMORY = 0x10000;

/** Every technique against bare metal, with the memory virtualizations hardware assistance offers. */
const RUNS: readonly { technique: TechniqueId; preset: '2006' | 'modern'; paging?: 'shadow' | 'nested' }[] = [
  { technique: 'interpret', preset: 'modern' },
  { technique: 'trap-and-emulate', preset: '2006' },
  { technique: 'binary-translation', preset: '2006' },
  { technique: 'hardware-assisted', preset: '2006', paging: 'shadow' },
  { technique: 'hardware-assisted', preset: 'modern', paging: 'nested' },
];

/** FNV-1a over the guest's physical memory. */
function hash(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

interface Outcome {
  readonly state: string;
  readonly exitCode: number | null;
  readonly console: string;
  readonly cpu: RunResultJson['vms'][number]['cpu'];
  readonly instructions: number;
  readonly memory: string;
}

type Ran = { kind: 'ran'; outcome: Outcome; violations: number } | { kind: 'refused'; reason: string };

function run(
  source: string,
  isa: Variant,
  technique: TechniqueId,
  preset: '2006' | 'modern' = 'modern',
  paging?: 'shadow' | 'nested',
): Ran {
  const p = prepare(scenarioFromSource(source), { technique, isa, preset, maxSteps: MAX_STEPS, ...(paging ? { paging } : {}) });
  if (p.kind === 'refused') return { kind: 'refused', reason: p.reason };
  if (p.kind !== 'ready') throw new Error(`${technique}: ${JSON.stringify(p).slice(0, 400)}`);
  const stop = p.engine.runToEnd();
  if (stop === 'error') throw new Error(`${technique}: engine error ${p.engine.internalError}`);
  const r = p.engine.result();
  const vm = r.vms[0];
  return {
    kind: 'ran',
    violations: r.counters.fidelityViolations,
    outcome: {
      state: vm.state,
      exitCode: vm.exitCode,
      console: vm.console,
      cpu: vm.cpu,
      instructions: vm.counters.instructions,
      memory: hash(p.engine.run.readMemory(0, 0, MEMORY)),
    },
  };
}

/** Runs `source` natively and under every technique; returns the differences. */
function differences(source: string, isa: Variant): string[] {
  const native = run(source, isa, 'native');
  if (native.kind !== 'ran') throw new Error(`native refused: ${native.reason}`);
  const out: string[] = [];
  for (const r of RUNS) {
    const other = run(source, isa, r.technique, r.preset, r.paging);
    const name = `${r.technique}${r.paging ? ` (${r.paging})` : ''}`;
    if (other.kind === 'refused') {
      if (!other.reason) out.push(`${name}: refused without a reason`);
      continue;
    }
    if (other.violations > 0) out.push(`${name}: ${other.violations} fidelity violations`);
    for (const key of Object.keys(native.outcome) as (keyof Outcome)[]) {
      const a = JSON.stringify(native.outcome[key]);
      const b = JSON.stringify(other.outcome[key]);
      if (a !== b) out.push(`${name}: ${key} ${b} where bare metal has ${a}`);
    }
  }
  return out;
}

/** `VIRTLAB_PROPERTY_SCALE=20 npx vitest run src/testing/techniques.property.test.ts` for a long hunt. */
const SCALE = Number(process.env.VIRTLAB_PROPERTY_SCALE ?? 1) || 1;

const CASES: readonly { mode: Mode; isa: Variant; sensitive: boolean; runs: number }[] = [
  { mode: 'kernel', isa: 'classic', sensitive: false, runs: 40 },
  { mode: 'kernel', isa: 'strict', sensitive: true, runs: 30 },
  { mode: 'user', isa: 'classic', sensitive: false, runs: 40 },
  { mode: 'user', isa: 'strict', sensitive: false, runs: 20 },
];

describe('the comparison itself', () => {
  it('sees the POPF problem: trap-and-emulate on classic, a deprivileged kernel reading the real IF', () => {
    const source = '        PUSHF\n        POP R1\n        OUT 0xF4, R1\n';
    const found = differences(source, 'classic');
    expect(found.some((d) => d.startsWith('trap-and-emulate: ') && /fidelity violations/.test(d))).toBe(true);
    expect(differences(source, 'strict')).toEqual([]);
  });
});

describe('every technique against bare metal, random bodies in kernel templates', () => {
  for (const c of CASES) {
    it(`${c.mode}-mode bodies on ${c.isa}${c.sensitive ? ' (with PUSHF, POPF, SMSW, SIDT)' : ''}`, () => {
      fc.assert(
        fc.property(arbitraryGuest(c.mode, c.sensitive), (guest) => {
          const source = renderGuest(guest);
          expect(differences(source, c.isa), source).toEqual([]);
        }),
        { numRuns: Math.round(c.runs * SCALE) },
      );
    });
  }
});
