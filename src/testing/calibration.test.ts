// The calibration test (costs.md, "Magnitudes, not only order"): prints the table of model against
// paper and fails for any figure outside its tolerance.
import { describe, expect, it } from 'vitest';
import { CALIBRATION, MODEL_AT_CALIBRATION } from '../config/calibration';
import { calibrate, calibrationText, roundFigure } from './calibration';

describe('the cost model is calibrated to the published magnitudes', () => {
  it('every figure is within its tolerance', () => {
    const rows = calibrate();
    console.log(calibrationText(rows));
    expect(rows.length).toBe(CALIBRATION.length);
    expect(rows.filter((r) => !r.ok).map((r) => `${r.id}: model ${r.model.toFixed(2)}, paper ${r.paper}`)).toEqual([]);
    // What the page shows is this calibration's model column.
    expect(Object.fromEntries(rows.map((r) => [r.id, roundFigure(r.model)]))).toEqual(MODEL_AT_CALIBRATION);
  }, 120_000);
});
