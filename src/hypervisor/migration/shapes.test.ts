// The published shapes of live migration, reproduced on VirtLab's own guests (programs/hot-set.s and
// programs/dirty-fast.s): Clark et al., NSDI 2005, for pre-copy; Hines and Gopalan, VEE 2009, for post-copy.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Scenario, scenarioFromSource } from '../../scenario/scenario';
import { prepare, type RunOptions } from '../engine';
import { LiveMigration, type MigrationMode, type MigrationSettings, migrationSettings } from '.';

const source = (name: string) => readFileSync(new URL(`../../../programs/${name}.s`, import.meta.url), 'utf8');
const HOT = scenarioFromSource(source('hot-set'));
const FAST = scenarioFromSource(source('dirty-fast'));

function migrate(s: Scenario, o: RunOptions, over: Partial<MigrationSettings> & { mode: MigrationMode }) {
  const p = prepare(s, o);
  if (p.kind !== 'ready') throw new Error(p.kind);
  const mig = new LiveMigration(p.engine, migrationSettings(s, over));
  const result = mig.run();
  expect(mig.lostPages).toBe(0);
  return result;
}

const TECHNIQUES: RunOptions[] = [
  { technique: 'trap-and-emulate', preset: '2006' },
  { technique: 'binary-translation', preset: '2006' },
  { technique: 'hardware-assisted', preset: '2006', paging: 'shadow' },
  { technique: 'hardware-assisted', preset: 'modern', paging: 'nested' },
  { technique: 'interpret', preset: 'modern' },
];

describe.each(TECHNIQUES)('live migration under $technique ($preset)', (o) => {
  it('pre-copy on a small hot set: rounds shrink to the writable working set, downtime far below the total (Clark et al. 2005)', () => {
    const m = migrate(HOT, o, { mode: 'pre-copy', at: 0 }).migration;
    expect(m.converged).toBe(true);
    expect(m.rounds[0].pagesSent).toBe(16);
    expect(m.rounds.length).toBeGreaterThanOrEqual(2);
    for (let i = 2; i < m.rounds.length; i++) expect(m.rounds[i].pagesSent).toBeLessThanOrEqual(m.rounds[i - 1].pagesSent);
    expect(m.writableWorkingSet).toBeLessThanOrEqual(2); // the two hot pages
    expect(m.downtimeCycles * 5).toBeLessThan(m.totalCycles);
    expect(m.dirtyLogFaults).toBeGreaterThan(0);
  });

  it('a guest dirtying faster than the link: pre-copy does not converge; auto-converge throttles it until it does', () => {
    const m = migrate(FAST, o, { mode: 'pre-copy', at: 1000 }).migration;
    expect(m.converged).toBe(false);
    expect(m.pagesSent).toBeGreaterThanOrEqual(3 * 16); // Xen's DEF_MAX_FACTOR stopped it
    const ac = migrate(FAST, o, { mode: 'pre-copy', at: 1000, autoConverge: true, maxFactor: 30 }).migration;
    expect(ac.throttle).toBeGreaterThan(0);
    expect(ac.converged).toBe(true);
  });

  it('post-copy sends each page once, fewer than pre-copy on a write-heavy guest, with network faults (Hines and Gopalan 2009)', () => {
    const post = migrate(FAST, o, { mode: 'post-copy', at: 1000 }).migration;
    const pre = migrate(FAST, o, { mode: 'pre-copy', at: 1000 }).migration;
    expect(post.pagesSent).toBe(16);
    expect(post.pagesSent).toBeLessThan(pre.pagesSent);
    expect(post.networkFaults).toBeGreaterThan(0);
    expect(post.downtimeCycles).toBeLessThan(pre.downtimeCycles);
    const stop = migrate(FAST, o, { mode: 'stop-and-copy', at: 1000 }).migration;
    expect(stop.pagesSent).toBe(16);
    expect(stop.downtimeCycles).toBe(stop.totalCycles);
    expect(stop.downtimeCycles).toBeGreaterThan(post.downtimeCycles);
  });
});

describe('dirty logging as each real system does it', () => {
  it('charges and shows each logging fault', () => {
    const cases: [RunOptions, RegExp, string][] = [
      [{ technique: 'trap-and-emulate', preset: '2006' }, /shadow entries write-protected/, 'traps'],
      [{ technique: 'hardware-assisted', preset: '2006', paging: 'shadow' }, /#PF exit/, 'vmExits'],
      [{ technique: 'hardware-assisted', preset: 'modern', paging: 'nested' }, /Intel PML/, ''],
      [{ technique: 'hardware-assisted', preset: 'modern', paging: 'nested', vendor: 'amd' }, /NPT write protection/, 'vmExits'],
      [{ technique: 'interpret', preset: 'modern' }, /software MMU/, ''],
    ];
    for (const [o, how, counter] of cases) {
      const p = prepare(HOT, { ...o, trace: true });
      if (p.kind !== 'ready') throw new Error(p.kind);
      const plain = prepare(HOT, o);
      if (plain.kind !== 'ready') throw new Error(plain.kind);
      plain.engine.runToEnd();
      const r = new LiveMigration(p.engine, migrationSettings(HOT, { mode: 'pre-copy', at: 1000 })).run();
      expect(r.migration.dirtyLogging).toMatch(how);
      const logged = (r.events ?? []).filter((e) => e.kind === 'dirty-log');
      expect(logged.length).toBe(r.migration.dirtyLogFaults);
      expect(r.cycles.byCategory.migration).toBeGreaterThan(0);
      if (counter === 'traps') expect(r.counters.traps).toBeGreaterThan(plain.engine.result().counters.traps);
      if (counter === 'vmExits') expect(r.counters.vmExits).toBeGreaterThan(plain.engine.result().counters.vmExits);
      const kinds = new Set((r.events ?? []).map((e) => e.kind));
      for (const k of ['migrate-round', 'dirty-log', 'stop-and-copy', 'migrate-resume'] as const) expect(kinds.has(k), k).toBe(true);
    }
  });

  it('Xen log-dirty mode under paravirtualization', () => {
    const pv = scenarioFromSource(source('pv-hello'));
    const p = prepare(pv, { technique: 'paravirtualization' });
    if (p.kind !== 'ready') throw new Error(p.kind);
    const r = new LiveMigration(p.engine, migrationSettings(pv, { mode: 'pre-copy', at: 10 })).run();
    expect(r.migration.dirtyLogging).toMatch(/Xen log-dirty/);
  });

  it('host B gives the VM frames of its own', () => {
    const p = prepare(HOT, { technique: 'hardware-assisted' });
    if (p.kind !== 'ready') throw new Error(p.kind);
    const before = p.engine.run.inspect().vms[0].p2m;
    new LiveMigration(p.engine, migrationSettings(HOT, { mode: 'stop-and-copy', at: 100 })).run();
    const after = p.engine.run.inspect().vms[0].p2m;
    expect(after).not.toEqual(before);
    expect(new Set(after).size).toBe(16);
  });

  it('post-copy shows network faults', () => {
    const p = prepare(FAST, { technique: 'hardware-assisted', trace: true });
    if (p.kind !== 'ready') throw new Error(p.kind);
    const r = new LiveMigration(p.engine, migrationSettings(FAST, { mode: 'post-copy', at: 1000 })).run();
    expect((r.events ?? []).filter((e) => e.kind === 'network-fault').length).toBe(r.migration.networkFaults);
  });
});
