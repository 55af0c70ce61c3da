// The published shapes of costs.md, reproduced on VirtLab's own workloads.
import { describe, expect, it } from 'vitest';
import { scenarioFromSource } from '../scenario/scenario';
import { computeLoop, divideByZero, forkwait, portLoop, pteWrites, syscallLoop } from '../testing/workloads';
import type { PresetId } from './costs';
import { prepare } from './engine';
import type { TechniqueId } from './technique';

function cycles(src: string, technique: TechniqueId, preset: PresetId, paging: 'auto' | 'shadow' | 'nested' = 'auto'): number {
  const p = prepare(scenarioFromSource(src), { technique, preset, paging });
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  expect(p.engine.runToEnd()).toBe('all-stopped');
  const r = p.engine.result();
  expect(r.vms[0].state).toBe('powered-off');
  return r.cycles.total;
}

describe('the cost model reproduces the published shapes', () => {
  it('forkwait, 2006, shadow paging: hardware-assisted > trap-and-emulate > native', () => {
    const src = forkwait(200);
    const native = cycles(src, 'native', '2006');
    const te = cycles(src, 'trap-and-emulate', '2006');
    const hw = cycles(src, 'hardware-assisted', '2006', 'shadow');
    expect(hw).toBeGreaterThan(te);
    expect(te).toBeGreaterThan(native);
  });

  it('system-call loop, 2006: hardware-assisted < trap-and-emulate', () => {
    const src = syscallLoop(500);
    expect(cycles(src, 'hardware-assisted', '2006')).toBeLessThan(cycles(src, 'trap-and-emulate', '2006'));
  });

  it('MMU-heavy work, modern: nested paging < shadow paging', () => {
    const src = forkwait(200);
    expect(cycles(src, 'hardware-assisted', 'modern', 'nested')).toBeLessThan(cycles(src, 'hardware-assisted', 'modern', 'shadow'));
  });

  it('interpretation costs 20 to 200 times native on a compute loop', () => {
    for (const preset of ['2006', 'modern'] as const) {
      const src = computeLoop(20_000);
      const ratio = cycles(src, 'interpret', preset) / cycles(src, 'native', preset);
      expect(ratio).toBeGreaterThanOrEqual(20);
      expect(ratio).toBeLessThanOrEqual(200);
    }
  });

  it('`in` to a port, 2006: hardware-assisted costs more than native', () => {
    const src = portLoop(500);
    expect(cycles(src, 'hardware-assisted', '2006')).toBeGreaterThan(cycles(src, 'native', '2006'));
  });

  it('page-table writes, 2006: hardware-assisted far above native', () => {
    const src = pteWrites(500);
    expect(cycles(src, 'hardware-assisted', '2006')).toBeGreaterThan(5 * cycles(src, 'native', '2006'));
  });

  it('divide by zero: hardware-assisted ≈ native (no exit)', () => {
    const src = divideByZero(500);
    const ratio = cycles(src, 'hardware-assisted', 'modern') / cycles(src, 'native', 'modern');
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThan(1.5);
  });
});

describe('binary translation and paravirtualization shapes (issue 4)', () => {
  it('forkwait, 2006, shadow: hardware-assisted > binary translation > native', () => {
    const src = forkwait(200);
    const bt = cycles(src, 'binary-translation', '2006');
    expect(cycles(src, 'hardware-assisted', '2006', 'shadow')).toBeGreaterThan(bt);
    expect(bt).toBeGreaterThan(cycles(src, 'native', '2006'));
  });

  it('system-call loop, 2006: hardware-assisted < binary translation', () => {
    const src = syscallLoop(500);
    expect(cycles(src, 'hardware-assisted', '2006')).toBeLessThan(cycles(src, 'binary-translation', '2006'));
  });

  it('`in` to a port, 2006: binary translation < native < hardware-assisted', () => {
    const src = portLoop(500);
    const native = cycles(src, 'native', '2006');
    expect(cycles(src, 'binary-translation', '2006')).toBeLessThan(native);
    expect(native).toBeLessThan(cycles(src, 'hardware-assisted', '2006'));
  });

  it('page-table writes, 2006: hardware-assisted ≫ binary translation', () => {
    const src = pteWrites(500);
    expect(cycles(src, 'hardware-assisted', '2006')).toBeGreaterThan(3 * cycles(src, 'binary-translation', '2006'));
  });

  it('forkwait, modern with nested paging: hardware-assisted < binary translation', () => {
    const src = forkwait(200);
    expect(cycles(src, 'hardware-assisted', 'modern', 'nested')).toBeLessThan(cycles(src, 'binary-translation', 'modern'));
  });
});
