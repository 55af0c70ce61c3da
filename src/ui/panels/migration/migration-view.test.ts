// The Migration panel's view models, on real migrations of the library's guests (the worker's own answers).
import { describe, expect, it } from 'vitest';
import { prepare } from '../../../hypervisor/engine';
import { migrationSettings } from '../../../hypervisor/migration';
import { PlannedRun } from '../../../hypervisor/migration/planned-run';
import type { MigrationView } from '../../../protocol/messages';
import { libraryScenario } from '../../../scenario/library';
import { type Scenario, scenarioToJson } from '../../../scenario/scenario';
import { migrationCompareAnswer } from '../../../worker/plan';
import { compareCsv, compareJson, compareRows, dirtyChart, roundGrids, timesOf, whereIs } from './migration-view';

function migrated(id: string, over: Partial<NonNullable<Scenario['migration']>> = {}, stopAt = Number.POSITIVE_INFINITY): MigrationView {
  const lib = libraryScenario(id) as Scenario;
  const s: Scenario = { ...lib, migration: { ...(lib.migration as NonNullable<Scenario['migration']>), ...over } };
  const p = prepare(s, {});
  if (p.kind !== 'ready') throw new Error(p.kind);
  const run = new PlannedRun(p.engine, scenarioToJson(s), [], migrationSettings(s));
  run.advance(Number.isFinite(stopAt) ? stopAt : 1e9);
  return structuredClone(run.progress) as MigrationView;
}

describe('the Migration panel', () => {
  it('pre-copy that converges: 16 pages in round 1, rounds shrinking, a stop-and-copy grid, downtime far below total time', () => {
    const v = migrated('precopy-converges');
    const grids = roundGrids(v);
    expect(grids[0]).toMatchObject({ title: 'Round 1', sent: 16 });
    expect(grids[0].pages.filter((p) => p === 'sent' || p === 'sent-dirtied')).toHaveLength(16);
    expect(grids.at(-1)?.title).toBe('Stop-and-copy');
    expect(grids).toHaveLength(v.report.rounds.length + 1);
    // Each grid's cells agree with the round's counts.
    for (const g of grids.slice(0, -1)) expect(g.pages.filter((p) => p.startsWith('sent')).length).toBe(g.sent);
    const c = dirtyChart(v, 2);
    expect(c.bars.length).toBe(v.report.rounds.length);
    expect(c.bars.at(-1)?.dirtied).toBeLessThanOrEqual(2);
    expect(c.verdict).toMatch(/^converged: \d+ pages? dirty in the last round/);
    const t = timesOf(v);
    expect(t.downtime).toBeGreaterThan(0);
    expect(t.share).toBeLessThan(0.5);
    expect(t.text).toMatch(/^downtime [\d,]+ cycles of [\d,]+ in all/);
    expect(whereIs(v)).toMatchObject({ host: 'host B', moving: false });
  });

  it('a guest dirtying faster than the link without auto-converge: not converged, and the chart says why', () => {
    const v = migrated('precopy-never-converges', { autoConverge: false, maxFactor: 3 });
    expect(v.report.converged).toBe(false);
    expect(dirtyChart(v, 2).verdict).toMatch(/^did not converge: sent \d+ pages, 3× the VM's memory/);
  });

  it('post-copy: one grid of pushed and faulted pages, each page once', () => {
    const v = migrated('postcopy-vs-precopy');
    const [g] = roundGrids(v);
    expect(g.title).toMatch(/pushed or faulted/);
    expect(g.sent + g.faulted).toBe(16);
    expect(g.pages.filter((p) => p === 'faulted')).toHaveLength(v.report.networkFaults);
    expect(dirtyChart(v, 2).stopPages).toBeNull();
  });

  it('while the migration runs, the VM is moving and the times are not final', () => {
    const v = migrated('precopy-converges', {}, 3000);
    expect(v.done).toBe(false);
    expect(whereIs(v)).toMatchObject({ host: 'host A', moving: true });
    expect(timesOf(v).text).toBe('the migration is under way');
    expect(whereIs(null).text).toMatch(/has not begun/);
  });

  it('the three methods compared: rows, CSV and JSON', () => {
    const lib = libraryScenario('postcopy-vs-precopy') as Scenario;
    const a = migrationCompareAnswer({ kind: 'migration-compare', request: 1, scenario: scenarioToJson(lib), options: {} });
    if (a.kind !== 'migration-compare-results') throw new Error(a.kind);
    const rows = compareRows(a.results);
    expect(rows.map((r) => r.mode)).toEqual(['pre-copy', 'post-copy', 'stop-and-copy']);
    // Hines and Gopalan: post-copy sends each page once, fewer than pre-copy on a write-heavy guest.
    const [pre, post] = rows;
    expect(post.pagesSent).toBe(16);
    expect(pre.pagesSent ?? 0).toBeGreaterThan(16);
    expect(rows.every((r) => r.sameEnd)).toBe(true);
    const csv = compareCsv(rows).trim().split('\n');
    expect(csv[0]).toBe('method,pages sent,total cycles,downtime cycles,network faults,rounds,converged,same end');
    expect(csv[2]).toMatch(/^post-copy,16,\d+,\d+,\d+,1,true,true$/);
    expect(JSON.parse(compareJson(a.results)).results[1]).toMatchObject({ mode: 'post-copy', migration: { pagesSent: 16 } });
  });

  it('a refused method is a row with its reason; CSV cells that look like formulas are defused', () => {
    const rows = compareRows([{ mode: 'pre-copy', refused: '=HYPERLINK("x")' }]);
    expect(rows[0].refused).toBe('=HYPERLINK("x")');
    expect(compareCsv([{ ...rows[0], mode: '=cmd' as never }]).split('\n')[1]).toBe("'=cmd,,,,,,,");
  });
});
