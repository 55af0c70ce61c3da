// The calibration of the cost model (costs.md, "Magnitudes, not only order"), as data the page can
// show: each figure the papers give, its source, the tolerance the model must meet, and the model's own
// figure at the last calibration. Paper figures are quoted as costs.md quotes them; every model figure
// is a model value (a VX workload run through the cost model, never a measurement). The calibration
// test (src/testing/calibration.test.ts) recomputes the model column, prints the table and fails when a
// figure is outside its tolerance or the column below is out of date.
import type { PresetId } from './ids';

export interface CalibrationRow {
  readonly id: string;
  /** What is compared, in words. */
  readonly figure: string;
  readonly preset: PresetId;
  /** The published figure. */
  readonly paper: number;
  readonly unit: 'ratio' | 'cycles' | 'percent';
  readonly source: string;
  /** How close the model must be: a relative band (±35%), a factor (2), or a range of percent. */
  readonly tolerance:
    | { readonly kind: 'relative'; readonly within: number }
    | { readonly kind: 'factor'; readonly within: number }
    | { readonly kind: 'range'; readonly min: number; readonly max: number };
}

const AA = 'Adams & Agesen, ASPLOS 2006';
const EPT = 'VMware, "Performance Evaluation of Intel EPT Hardware Assist", 2009';
const FORKWAIT = { kind: 'relative', within: 0.35 } as const;
const MICRO = { kind: 'factor', within: 2 } as const;

export const CALIBRATION: readonly CalibrationRow[] = [
  {
    id: 'forkwait-bt',
    figure: 'forkwait: binary translation / native',
    preset: '2006',
    paper: 6.2,
    unit: 'ratio',
    source: `${AA} (36.9 s / 6.0 s)`,
    tolerance: FORKWAIT,
  },
  {
    id: 'forkwait-hw',
    figure: 'forkwait: hardware-assisted (shadow) / native',
    preset: '2006',
    paper: 17.7,
    unit: 'ratio',
    source: `${AA} (106.4 s / 6.0 s)`,
    tolerance: FORKWAIT,
  },
  {
    id: 'forkwait-hw-bt',
    figure: 'forkwait: hardware-assisted / binary translation',
    preset: '2006',
    paper: 2.9,
    unit: 'ratio',
    source: `${AA} (106.4 s / 36.9 s)`,
    tolerance: FORKWAIT,
  },
  {
    id: 'in-native',
    figure: '`in` to a port, native (cycles each)',
    preset: '2006',
    paper: 3209,
    unit: 'cycles',
    source: AA,
    tolerance: MICRO,
  },
  {
    id: 'in-bt',
    figure: '`in` to a port, binary translation (about 15× faster than native)',
    preset: '2006',
    paper: 3209 / 15,
    unit: 'cycles',
    source: AA,
    tolerance: MICRO,
  },
  { id: 'in-hw', figure: '`in` to a port, hardware-assisted', preset: '2006', paper: 15826, unit: 'cycles', source: AA, tolerance: MICRO },
  {
    id: 'ptemod-bt',
    figure: 'ptemod (page-table write and its INVLPG), binary translation',
    preset: '2006',
    paper: 391,
    unit: 'cycles',
    source: AA,
    tolerance: MICRO,
  },
  {
    id: 'ptemod-hw',
    figure: 'ptemod, hardware-assisted (shadow)',
    preset: '2006',
    paper: 12733,
    unit: 'cycles',
    source: AA,
    tolerance: MICRO,
  },
  { id: 'divzero-native', figure: 'divide by zero, native', preset: '2006', paper: 889, unit: 'cycles', source: AA, tolerance: MICRO },
  {
    id: 'divzero-hw',
    figure: 'divide by zero, hardware-assisted (no exit)',
    preset: '2006',
    paper: 1014,
    unit: 'cycles',
    source: AA,
    tolerance: MICRO,
  },
  {
    id: 'syscall-bt',
    figure: 'system call: what binary translation adds to native',
    preset: '2006',
    paper: 2000,
    unit: 'cycles',
    source: `${AA} ("about 2,000 cycles")`,
    tolerance: MICRO,
  },
  {
    id: 'ept-vs-shadow',
    figure: 'MMU-heavy work: nested paging faster than shadow paging by',
    preset: 'modern',
    paper: 48,
    unit: 'percent',
    source: `${EPT} ("up to 48%")`,
    tolerance: { kind: 'range', min: 20, max: 50 },
  },
];

export function withinTolerance(row: CalibrationRow, model: number): boolean {
  const t = row.tolerance;
  switch (t.kind) {
    case 'relative':
      return Math.abs(model - row.paper) <= t.within * row.paper;
    case 'factor':
      return model >= row.paper / t.within && model <= row.paper * t.within;
    case 'range':
      return model >= t.min && model <= t.max;
  }
}

/**
 * The model's figures at the last calibration, by row id (model values, rounded as the table shows
 * them): what the page shows beside the paper's.
 */
export const MODEL_AT_CALIBRATION: Readonly<Record<string, number>> = {
  'forkwait-bt': 5.78,
  'forkwait-hw': 21.74,
  'forkwait-hw-bt': 3.76,
  'in-native': 3003,
  'in-bt': 203,
  'in-hw': 8353,
  'ptemod-bt': 659,
  'ptemod-hw': 17006,
  'divzero-native': 1006,
  'divzero-hw': 1006,
  'syscall-bt': 2000,
  'ept-vs-shadow': 41.06,
};

/** Said beside every model figure and every preset cost. */
export const MODEL_VALUE_NOTE =
  'model value: the preset costs are calibrated so that VX workloads reproduce the published figures (costs.md); they are not measurements';
