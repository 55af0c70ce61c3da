// The calibration table (costs.md, "Magnitudes, not only order"): each published figure beside its
// source and the model's figure, which is a model value (a VX workload run through the presets).
import { CALIBRATION, MODEL_AT_CALIBRATION, MODEL_VALUE_NOTE } from '../../../config/calibration';

const show = (unit: string, v: number) =>
  unit === 'ratio' ? `${v.toFixed(1)}×` : unit === 'percent' ? `${v.toFixed(0)}%` : Math.round(v).toLocaleString('en-US');

export function CalibrationTable() {
  return (
    <details className="calibration">
      <summary>Calibration: the model against the papers</summary>
      <p className="note">Model figures are {MODEL_VALUE_NOTE}.</p>
      <table>
        <thead>
          <tr>
            <th scope="col">figure</th>
            <th scope="col">preset</th>
            <th scope="col">paper</th>
            <th scope="col">model (model value)</th>
            <th scope="col">source</th>
          </tr>
        </thead>
        <tbody>
          {CALIBRATION.map((r) => (
            <tr key={r.id}>
              <td>{r.figure}</td>
              <td>{r.preset}</td>
              <td>{show(r.unit, r.paper)}</td>
              <td>{MODEL_AT_CALIBRATION[r.id] === undefined ? '–' : show(r.unit, MODEL_AT_CALIBRATION[r.id])}</td>
              <td>{r.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
