// The central test of issue 15: every program in programs/ under every technique, checkpointed and restored
// at several moments, cloned, and migrated by each method at several moments, ends with the same
// guest-visible state, console and exit code as the plain run (virtualization.md: "whatever happens, the
// guest cannot tell").
import { describe, expect, it } from 'vitest';
import { loadPrograms, parseExpectations } from '../../../programs/harness';
import { type Scenario, scenarioFromSource } from '../../scenario/scenario';
import { prepare, type RunOptions, type RunResultJson } from '../engine';
import type { VmView } from '../technique';
import {
  checkpointAt,
  decodeCheckpoint,
  encodeCheckpoint,
  LiveMigration,
  MIGRATION_MODES,
  migrationSettings,
  resumeEngine,
  runPlan,
} from '.';

const RUNS: RunOptions[] = [
  { technique: 'native', preset: 'modern' },
  { technique: 'interpret', preset: 'modern' },
  { technique: 'trap-and-emulate', preset: '2006' },
  { technique: 'binary-translation', preset: '2006' },
  { technique: 'hardware-assisted', preset: '2006', paging: 'shadow' },
  { technique: 'hardware-assisted', preset: 'modern', paging: 'nested' },
  { technique: 'paravirtualization', preset: 'modern' },
];

/** What the guest can see: state, exit code, console and the virtual CPU. */
function visible(v: VmView) {
  return { state: v.state, exitCode: v.exitCode, console: v.console, cpu: v.cpu };
}

function plain(s: Scenario, o: RunOptions): RunResultJson | null {
  const p = prepare(s, o);
  if (p.kind !== 'ready') return null;
  p.engine.runToEnd();
  return p.engine.result();
}

const programs = loadPrograms();

describe.each(RUNS)('checkpoint, clone and migration under $technique ($preset)', (o) => {
  for (const prog of programs) {
    const runsOn = prog.source
      .match(/^;\s*runs-on:\s*(.+)$/m)?.[1]
      .trim()
      .split(/\s+/);
    if (runsOn && !runsOn.includes(o.technique as string)) continue;
    const exp = parseExpectations(prog.source, 'classic', o.technique);
    const maxSteps = exp.ok ? exp.expectations.maxSteps : 1_000_000;
    const s: Scenario = { ...scenarioFromSource(prog.source), maxSteps };
    it(prog.name, () => {
      const base = plain(s, o);
      if (!base) return;
      const steps = base.counters.instructions;
      const want = visible(base.vms[0]);
      const moments = [0, Math.floor(steps / 3), Math.floor((2 * steps) / 3)];
      for (const at of moments) {
        // Checkpoint, through the file format, and resume in a fresh engine.
        const c = checkpointAt(s, at, 0, o);
        if (o.technique === 'native') {
          expect(c.kind, 'bare metal has no hypervisor to checkpoint it').toBe('refused');
          return;
        }
        expect(c.kind).toBe('checkpoint');
        if (c.kind !== 'checkpoint') return;
        const d = decodeCheckpoint(encodeCheckpoint(c.checkpoint));
        expect(d.ok, d.ok ? '' : d.reason).toBe(true);
        if (!d.ok) return;
        const r = resumeEngine(d.checkpoint, o);
        expect(r.kind, `resume at ${at}`).toBe('ready');
        if (r.kind !== 'ready') return;
        r.engine.runToEnd();
        expect(visible(r.engine.result().vms[0]), `resumed at ${at}`).toEqual(want);
        // Restored in place later on: runs on as the first time.
        const back = runPlan({ ...s, checkpoints: [{ at, restoreAt: Math.min(steps, at + 500) }] }, o);
        expect(back.kind).toBe('ran');
        if (back.kind === 'ran') expect(visible(back.result.vms[0]), `restored at ${at}`).toEqual(want);
        {
          // A clone beside its original: both end as the plain run (the step limit counts both VMs).
          const cl = runPlan({ ...s, maxSteps: 2 * s.maxSteps, checkpoints: [{ at, clone: true }] }, o);
          expect(cl.kind).toBe('ran');
          if (cl.kind === 'ran') {
            expect(visible(cl.result.vms[0]), `original beside its clone at ${at}`).toEqual(want);
            expect(visible(cl.result.vms[1]), `clone at ${at}`).toEqual(want);
          }
          // Migrations at the later two moments (at step 0 the shapes tests migrate every guest already).
          for (const mode of at === 0 ? [] : MIGRATION_MODES) {
            const p = prepare(s, o);
            if (p.kind !== 'ready') return;
            const mig = new LiveMigration(p.engine, migrationSettings(s, { mode, at }));
            const out = mig.run();
            expect(mig.lostPages, `${mode} at ${at}: pages the dirty log missed`).toBe(0);
            expect(visible(out.vms[0]), `${mode} at ${at}`).toEqual(want);
          }
        }
      }
    });
  }
});
