// Seeks across a migration (and across checkpoints taken, restored and cloned) are exact: going back and
// forth in a run that migrates gives, at each moment, the very state a run straight to that moment has:
// registers, memory, counters, cycles, events, which host the VM is on and its frames there, and the
// migration's report so far.
import { describe, expect, it } from 'vitest';
import { libraryScenario } from '../../scenario/library';
import { type Scenario, scenarioToJson } from '../../scenario/scenario';
import { prepare, type RunOptions } from '../engine';
import { MIGRATION_MODES, type MigrationMode, migrationSettings } from '.';
import { PlannedRun } from './planned-run';

function planned(s: Scenario, o: RunOptions, interval: number): PlannedRun {
  const p = prepare(s, o);
  if (p.kind !== 'ready') throw new Error(p.kind);
  p.engine.checkpointInterval = interval;
  // Events are emitted (and counted) as in the page's worker.
  p.engine.setEventSink({ push: () => {} }, false);
  const checkpoints = (s.checkpoints ?? []).map((c) => ({ vm: c.vm ?? 0, at: c.at, restoreAt: c.restoreAt, clone: c.clone }));
  return new PlannedRun(p.engine, scenarioToJson(s), checkpoints, s.migration ? migrationSettings(s) : null);
}

function stateOf(r: PlannedRun) {
  const e = r.engine;
  const i = e.run.inspect();
  return {
    steps: e.run.steps(),
    events: e.eventCount,
    result: e.result(),
    vms: i.vms.map((v, n) => ({ host: v.host, p2m: [...v.p2m], memory: Array.from(e.run.readMemory(n, 0, 0x10000)) })),
    migration: r.progress && { report: structuredClone(r.progress.report), rounds: structuredClone(r.progress.rounds) },
  };
}

function straightTo(s: Scenario, o: RunOptions, target: number) {
  const r = planned(s, o, 1 << 30);
  while (r.steps() < target) {
    const stop = r.advance(target - r.steps());
    if (stop === 'breakpoint') r.engine.resume();
    else if (stop) break;
  }
  return stateOf(r);
}

const CASES: { id: string; mode: MigrationMode; o: RunOptions }[] = [
  ...MIGRATION_MODES.map((mode) => ({
    id: 'precopy-converges',
    mode,
    o: { technique: 'hardware-assisted', preset: 'modern' } as RunOptions,
  })),
  { id: 'precopy-converges', mode: 'pre-copy', o: { technique: 'hardware-assisted', preset: '2006' } },
  { id: 'precopy-never-converges', mode: 'pre-copy', o: { technique: 'trap-and-emulate', preset: '2006' } },
  { id: 'postcopy-vs-precopy', mode: 'post-copy', o: { technique: 'paravirtualization', preset: 'modern' } },
  { id: 'postcopy-vs-precopy', mode: 'pre-copy', o: { technique: 'binary-translation', preset: '2006' } },
];

describe('seeks across a live migration are exact', () => {
  it.each(CASES)('$id by $mode under $o.technique ($o.preset)', ({ id, mode, o }) => {
    const lib = libraryScenario(id) as Scenario;
    const s: Scenario = { ...lib, migration: { ...lib.migration, mode, at: 1500 } };
    const run = planned(s, o, 700);
    run.advance(1e9);
    const end = run.steps();
    const report = run.progress?.report;
    expect(report?.resumedAt).toBeGreaterThanOrEqual(1500);
    expect(run.engine.run.inspect().vms[0].host).toBe('host B');
    // Before, during (its first rounds, its stop-and-copy) and after the migration, in no order.
    const resumed = report?.resumedAt ?? 0;
    const targets = [resumed + 300, 10, 1500, 1501, end, Math.floor((1500 + resumed) / 2), 1499, resumed, resumed - 1, 2200, 900, end - 1];
    for (const t of targets) {
      run.seek(t);
      expect(stateOf(run), `at step ${t}`).toEqual(straightTo(s, o, t));
    }
  });

  it('with checkpoints taken, restored and a clone started, seeks are exact too', () => {
    const lib = libraryScenario('precopy-converges') as Scenario;
    const s: Scenario = {
      ...lib,
      vms: [lib.vms[0], { name: 'vm1-clone', source: lib.vms[0].source }],
      migration: { ...lib.migration, mode: 'pre-copy', at: 2000 },
      checkpoints: [
        { vm: 0, at: 800, restoreAt: 1800 },
        { vm: 0, at: 2500, restoreAt: 4000 },
      ],
    };
    const o: RunOptions = { technique: 'hardware-assisted', preset: '2006' };
    const run = planned(s, o, 500);
    run.advance(1e9);
    const end = run.steps();
    for (const t of [3000, 100, 1800, 1801, end, 4001, 799, 2500, 4000, 3999]) {
      run.seek(t);
      expect(stateOf(run), `at step ${t}`).toEqual(straightTo(s, o, t));
    }
  });

  it('a checkpoint taken and restored from the page replays exactly on a seek', () => {
    const lib = libraryScenario('precopy-converges') as Scenario;
    const s: Scenario = { ...lib, migration: undefined };
    const o: RunOptions = { technique: 'binary-translation', preset: '2006' };
    const run = planned(s, o, 400);
    run.advance(1000);
    const slot = run.take(0);
    const at1000 = stateOf(run);
    run.advance(1500);
    expect(run.restore(slot)).toBeNull();
    const restored = stateOf(run);
    // The VM is back: its registers, memory and console are the checkpoint's; the host's clock went on.
    expect(restored.steps).toBe(2500);
    expect(restored.result.vms[0].cpu).toEqual(at1000.result.vms[0].cpu);
    expect(restored.result.vms[0].console).toBe(at1000.result.vms[0].console);
    expect(restored.vms[0].memory).toEqual(at1000.vms[0].memory);
    run.advance(1000);
    const later = stateOf(run);
    run.seek(1200);
    run.seek(2500);
    expect(stateOf(run)).toEqual(restored);
    run.seek(3500);
    expect(stateOf(run)).toEqual(later);
    // The same plan, as the scenario's `checkpoints` carry it, gives the same run.
    const again = planned({ ...s, checkpoints: [{ vm: 0, at: 1000, restoreAt: 2500 }] }, o, 1 << 30);
    again.advance(3500);
    expect(stateOf(again)).toEqual(later);
  });
});
