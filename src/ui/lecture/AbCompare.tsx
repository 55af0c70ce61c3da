// A/B in the Compare dialog: pin two settings (classic / strict, type 1 / type 2, shadow / EPT, Intel / AMD,
// any two techniques) and see the same scenario under each side by side: each VM's end, console and
// registers, the counters and cycles, each line that differs highlighted. The worker runs both (the
// `compare` message with `settings`); the page only draws what comes back.
import { useEffect, useRef, useState } from 'react';
import { PAGING_SETTINGS, PRESET_IDS, TECHNIQUE_IDS } from '../../config';
import { COMPARE_MAX_STEPS, type CompareEntry, type CompareSetting } from '../../protocol/messages';
import { type Scenario, scenarioToJson } from '../../scenario/scenario';
import type { MachineSettings } from '../state/app-state';
import { useAppStore } from '../state/context';
import { AB_PAIRS, abLines } from './ab-view';

type Side = 'A' | 'B';

function SideForm({ side, value, onChange }: { side: Side; value: CompareSetting; onChange: (s: CompareSetting) => void }) {
  const select = <K extends keyof CompareSetting>(key: K, label: string, options: readonly CompareSetting[K][]) => (
    <label className="setting">
      <span>{label}</span>
      <select
        aria-label={`${side}: ${label}`}
        value={String(value[key])}
        onChange={(e) => {
          const v = options.find((o) => String(o) === e.target.value);
          if (v !== undefined) onChange({ ...value, [key]: v });
        }}
      >
        {options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {key === 'hypervisorType' ? `type ${o}` : String(o)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <fieldset className="ab-side">
      <legend>Setting {side}</legend>
      {select('technique', 'Technique', TECHNIQUE_IDS)}
      {select('isa', 'Instruction set', ['classic', 'strict'])}
      {select('preset', 'Cost preset', PRESET_IDS)}
      {select('paging', 'Paging', PAGING_SETTINGS)}
      {select('hypervisorType', 'Hypervisor type', [1, 2])}
      {select('vendor', 'Vendor', ['intel', 'amd'])}
    </fieldset>
  );
}

export function AbCompare({
  scenario,
  here,
}: {
  scenario: Scenario;
  here: { technique: CompareSetting['technique']; isa: CompareSetting['isa']; settings: MachineSettings };
}) {
  const store = useAppStore();
  const start: CompareSetting = {
    technique: here.technique,
    isa: here.isa,
    preset: here.settings.preset,
    paging: here.settings.paging,
    hypervisorType: here.settings.hypervisorType,
    vendor: scenario.hypervisor.vendor ?? 'intel',
  };
  const [a, setA] = useState<CompareSetting>(start);
  const [b, setB] = useState<CompareSetting>(start);
  const [onlyDiff, setOnlyDiff] = useState(false);
  const [state, setState] = useState<
    | { kind: 'idle' }
    | { kind: 'running' }
    | { kind: 'done'; a: CompareSetting; b: CompareSetting; results: readonly CompareEntry[] }
    | { kind: 'failed'; errors: readonly string[] }
  >({ kind: 'idle' });
  const cancelRef = useRef<(() => void) | null>(null);
  useEffect(() => () => cancelRef.current?.(), []);

  const runAb = () => {
    cancelRef.current?.();
    setState({ kind: 'running' });
    const pinned = [a, b] as const;
    const { answer, cancel } = store.ask({
      kind: 'compare',
      scenario: scenarioToJson(scenario),
      options: { exits: here.settings.exits, maxSteps: Math.min(scenario.maxSteps, COMPARE_MAX_STEPS) },
      settings: pinned,
    });
    cancelRef.current = cancel;
    answer.then((m) => {
      cancelRef.current = null;
      if (!m) setState({ kind: 'idle' });
      else if (m.kind === 'compare-results' && m.results.length === 2)
        setState({ kind: 'done', a: pinned[0], b: pinned[1], results: m.results });
      else if (m.kind === 'compare-failed') setState({ kind: 'failed', errors: m.errors });
    });
  };

  const lines = state.kind === 'done' ? abLines(state.a, state.b, state.results[0], state.results[1]) : [];
  const differences = lines.filter((l) => l.differs && l.section !== 'Settings').length;
  const shown = onlyDiff ? lines.filter((l) => l.differs) : lines;
  return (
    <section className="ab-compare" aria-labelledby="ab-title">
      <h3 id="ab-title">A/B: two settings side by side</h3>
      <fieldset className="ab-pairs">
        <legend className="sr-only">A/B pairs</legend>
        {AB_PAIRS.map((p) => (
          <button
            key={p.id}
            type="button"
            className="action"
            onClick={() => {
              const [x, y] = p.make(start);
              setA(x);
              setB(y);
            }}
          >
            {p.label}
          </button>
        ))}
      </fieldset>
      <div className="ab-forms">
        <SideForm side="A" value={a} onChange={setA} />
        <SideForm side="B" value={b} onChange={setB} />
      </div>
      <p>
        <button type="button" className="action action-run" onClick={runAb} disabled={state.kind === 'running'}>
          Run A and B
        </button>{' '}
        <label className="check">
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> Only the differences
        </label>
      </p>
      {state.kind === 'running' && <p role="status">Running A and B…</p>}
      {state.kind === 'failed' && (
        <div role="alert" className="banner">
          A and B cannot be run: {state.errors.slice(0, 5).join('; ')}
        </div>
      )}
      {state.kind === 'done' && (
        <>
          <p role="status">
            {differences === 0
              ? 'A and B ran alike: no difference in outcome, console, registers, counters or cycles.'
              : `${differences} line${differences === 1 ? '' : 's'} of the results differ${differences === 1 ? 's' : ''} between A and B (highlighted).`}
          </p>
          <table className="ab-table" aria-label="A/B comparison">
            <thead>
              <tr>
                <th scope="col">line</th>
                <th scope="col">A</th>
                <th scope="col">B</th>
                <th scope="col">
                  <span className="sr-only">differs</span>
                </th>
              </tr>
            </thead>
            {[...new Set(shown.map((l) => l.section))].map((section) => (
              <tbody key={section}>
                <tr>
                  <th scope="rowgroup" colSpan={4} className="ab-section">
                    {section}
                  </th>
                </tr>
                {shown
                  .filter((l) => l.section === section)
                  .map((l) => (
                    <tr key={l.label} className={l.differs ? 'differs' : undefined}>
                      <th scope="row">{l.label}</th>
                      {section === 'Console' ? (
                        <>
                          <td>
                            <pre>{l.a}</pre>
                          </td>
                          <td>
                            <pre>{l.b}</pre>
                          </td>
                        </>
                      ) : (
                        <>
                          <td>{l.a}</td>
                          <td>{l.b}</td>
                        </>
                      )}
                      <td>{l.differs ? '≠ differs' : ''}</td>
                    </tr>
                  ))}
              </tbody>
            ))}
          </table>
        </>
      )}
    </section>
  );
}
