// The Compare dialog's treatment of runs, on the engine's real results: a crashed run and a run that hit
// the step limit are drawn apart, never ranked or crowned, and their fidelity never "holds"; a technique
// cheaper than bare metal carries the published reason; bare metal's outcome is there to compare with.
import { describe, expect, it } from 'vitest';
import { compareTechniques } from '../../hypervisor/engine';
import type { CompareEntry } from '../../protocol/messages';
import { libraryScenario } from '../../scenario/library';
import { type Scenario, scenarioFromSource } from '../../scenario/scenario';
import { compareView } from './compare-view';

function compare(scenario: Scenario, maxSteps?: number): readonly CompareEntry[] {
  const r = compareTechniques(scenario, maxSteps ? { maxSteps } : {});
  if (r.kind !== 'results') throw new Error(JSON.stringify(r));
  return r.results as readonly CompareEntry[];
}

describe('compareView', () => {
  it('draws the crashed paravirtualized system call apart: not comparable, not the cheapest, fidelity not holding', () => {
    const view = compareView(compare(libraryScenario('syscall-each')!));
    const pv = view.rows.find((r) => r.technique === 'paravirtualization')!;
    expect(pv.run?.vms[0].state).toBe('crashed');
    expect(pv.group).toBe('not-comparable');
    expect(pv.label).toMatch(/^not comparable: vm1 crashed \(after \d+ instructions\) where bare metal did not$/);
    expect(pv.fidelity.ok).toBe(false);
    expect(pv.fidelity.text).not.toMatch(/holds/);
    expect(pv.verdict.best).toBe(false);
    // It is the cheapest in cycles, yet the cheapest virtualized run is a comparable one.
    const comparable = view.rows.filter((r) => r.group === 'comparable');
    expect(Math.min(...comparable.map((r) => r.run!.cycles.total))).toBeGreaterThan(pv.run!.cycles.total);
    const best = view.rows.filter((r) => r.verdict.best);
    expect(best).toHaveLength(1);
    expect(best[0].group).toBe('comparable');
    expect(best[0].label).toMatch(/cheapest virtualized/);
    // Drawn after every comparable run, and the scale is the dearest comparable run's.
    expect(view.rows.map((r) => r.group)).toEqual([...comparable.map(() => 'comparable'), 'not-comparable']);
    expect(view.rows[0].technique).toBe('native');
    expect(view.rows[0].label).toMatch(/the reference/);
    expect(view.scaleMax).toBe(Math.max(...comparable.map((r) => r.run!.cycles.total)));
    // Bare metal's end is there beside it.
    expect(view.bareMetal).toMatch(/^vm1 powered-off, exit code 0, console “/);
    for (const r of comparable.slice(1)) expect(r.fidelity).toEqual({ text: 'holds: it finished like bare metal', ok: true });
  });

  it('ranks no run that hit the step limit, and says so', () => {
    const loop = scenarioFromSource('spin: JMP spin\n');
    const view = compareView(compare(loop, 500));
    const ranRows = view.rows.filter((r) => r.run);
    expect(ranRows.length).toBeGreaterThan(0);
    for (const r of ranRows) {
      expect(r.group).toBe('not-comparable');
      expect(r.label).toMatch(/^not comparable: hit the step limit after 500 instructions: it did not finish$/);
      expect(r.verdict.best).toBe(false);
      expect(r.fidelity.text).toMatch(/^does not hold: hit the step limit/);
    }
    // Bare metal itself did not finish: it is no reference either.
    expect(view.rows.find((r) => r.technique === 'native')?.group).toBe('not-comparable');
  });

  it('gives a technique cheaper than bare metal the published reason (Adams & Agesen 2006)', () => {
    const view = compareView(compare(libraryScenario('pv-unmodified')!));
    const bt = view.rows.find((r) => r.technique === 'binary-translation')!;
    expect(bt.group).toBe('comparable');
    expect(bt.run!.cycles.total).toBeLessThan(view.rows[0].run!.cycles.total);
    expect(bt.label).toMatch(/0\.\d\d× · cheapest virtualized · cheaper than bare metal/);
    expect(bt.verdict.cheaperThanBareMetal?.source).toMatch(/Adams and O. Agesen.*ASPLOS 2006/);
  });

  it('puts techniques that cannot run the scenario last, with the reason', () => {
    const view = compareView(compare(libraryScenario('two-vms')!));
    const last = view.rows[view.rows.length - 1];
    expect(last.technique).toBe('native');
    expect(last.group).toBe('skipped');
    expect(last.label).toMatch(/^skipped: /);
    expect(view.bareMetal).toBeNull();
  });
});
