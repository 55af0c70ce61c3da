// Runs the calibration (src/config/calibration.ts): the model's figure for each published one, measured
// on VirtLab's own workloads with the presets. Every model figure is a model value.

import { readFileSync } from 'node:fs';
import { CALIBRATION, type CalibrationRow, withinTolerance } from '../config/calibration';
import type { PresetId } from '../hypervisor/costs';
import { prepare } from '../hypervisor/engine';
import type { TechniqueId } from '../hypervisor/technique';
import { scenarioFromSource } from '../scenario/scenario';
import { divideByZero, portLoop, pteWrites, syscallLoop } from './workloads';

/** The forkwait-like guest: the library's own programs/forkwait.s, what the Compare chart shows. */
const FORKWAIT = readFileSync(new URL('../../programs/forkwait.s', import.meta.url), 'utf8');
/** The page-table-heavy guest of the EPT comparison: programs/mmu-heavy.s. */
const MMU_HEAVY = readFileSync(new URL('../../programs/mmu-heavy.s', import.meta.url), 'utf8');

export interface CalibrationResult extends CalibrationRow {
  /** The model's figure (a model value). */
  readonly model: number;
  readonly ok: boolean;
}

function cycles(src: string, technique: TechniqueId, preset: PresetId, paging: 'auto' | 'shadow' | 'nested' = 'auto'): number {
  const p = prepare(scenarioFromSource(src), { technique, preset, paging, maxSteps: 50_000_000 });
  if (p.kind !== 'ready') throw new Error(`calibration: ${technique} refused: ${JSON.stringify(p)}`);
  p.engine.runToEnd();
  const r = p.engine.result();
  if (r.vms[0].state !== 'powered-off') throw new Error(`calibration: ${technique} did not finish`);
  return r.cycles.total;
}

/** Cycles per iteration of a loop: (run with n iterations − run with 0) / n, so setup is left out. */
function perIteration(
  make: (n: number) => string,
  technique: TechniqueId,
  preset: PresetId,
  n = 200,
  paging: 'auto' | 'shadow' = 'auto',
): number {
  return (cycles(make(n), technique, preset, paging) - cycles(make(1), technique, preset, paging)) / (n - 1);
}

/** The model's figure for one row (runs the workloads: a few seconds for the whole table). */
export function modelFigure(id: string, cache = new Map<string, number>()): number {
  const memo = (key: string, f: () => number) => {
    const v = cache.get(key) ?? f();
    cache.set(key, v);
    return v;
  };
  const fw = (t: TechniqueId) => memo(`fw-${t}`, () => cycles(FORKWAIT, t, '2006', t === 'hardware-assisted' ? 'shadow' : 'auto'));
  switch (id) {
    case 'forkwait-bt':
      return fw('binary-translation') / fw('native');
    case 'forkwait-hw':
      return fw('hardware-assisted') / fw('native');
    case 'forkwait-hw-bt':
      return fw('hardware-assisted') / fw('binary-translation');
    case 'in-native':
      return perIteration(portLoop, 'native', '2006');
    case 'in-bt':
      return perIteration(portLoop, 'binary-translation', '2006');
    case 'in-hw':
      return perIteration(portLoop, 'hardware-assisted', '2006');
    case 'ptemod-bt':
      return perIteration(pteWrites, 'binary-translation', '2006');
    case 'ptemod-hw':
      return perIteration(pteWrites, 'hardware-assisted', '2006', 200, 'shadow');
    case 'divzero-native':
      return perIteration(divideByZero, 'native', '2006');
    case 'divzero-hw':
      return perIteration(divideByZero, 'hardware-assisted', '2006');
    case 'syscall-bt':
      return perIteration(syscallLoop, 'binary-translation', '2006') - perIteration(syscallLoop, 'native', '2006');
    case 'ept-vs-shadow': {
      const src = MMU_HEAVY;
      const shadow = cycles(src, 'hardware-assisted', 'modern', 'shadow');
      return (100 * (shadow - cycles(src, 'hardware-assisted', 'modern', 'nested'))) / shadow;
    }
    default:
      throw new Error(`calibration: unknown figure ${id}`);
  }
}

/** The whole table: every row with the model's figure. */
export function calibrate(): CalibrationResult[] {
  const cache = new Map<string, number>();
  return CALIBRATION.map((row) => {
    const model = modelFigure(row.id, cache);
    return { ...row, model, ok: withinTolerance(row, model) };
  });
}

/** The table as text (the calibration test prints it). */
export function calibrationText(rows: readonly CalibrationResult[]): string {
  const fmt = (r: CalibrationResult, v: number) =>
    r.unit === 'ratio' ? v.toFixed(2) : r.unit === 'percent' ? `${v.toFixed(1)}%` : Math.round(v).toLocaleString('en-US');
  const tol = (r: CalibrationRow) =>
    r.tolerance.kind === 'relative'
      ? `±${r.tolerance.within * 100}%`
      : r.tolerance.kind === 'factor'
        ? `×${r.tolerance.within}`
        : `${r.tolerance.min}–${r.tolerance.max}%`;
  const lines = rows.map(
    (r) =>
      `${r.ok ? 'ok  ' : 'FAIL'} ${r.preset.padEnd(6)} ${r.figure.padEnd(70)} model ${fmt(r, r.model).padStart(8)}  paper ${fmt(r, r.paper).padStart(8)}  (${tol(r)})  ${r.source}`,
  );
  return ['calibration: model values (VX workloads through the cost model) against the published figures', ...lines].join('\n');
}

/** A model figure as MODEL_AT_CALIBRATION keeps it: ratios to 2 decimals, percents to 1, cycles whole. */
export function roundFigure(v: number): number {
  return Math.abs(v) < 100 ? Math.round(v * 100) / 100 : Math.round(v);
}
