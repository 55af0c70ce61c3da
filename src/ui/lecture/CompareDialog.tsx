// Compare: the current scenario under every technique at once, in a worker of its own (the run on the
// page keeps going meanwhile): cycles by category as stacked bars (an SVG that exports as SVG and PNG),
// the counters side by side, and fidelity per technique; techniques that cannot run it, with the reason.
// The run's event trace exports from here too (JSON, CSV), from the main worker's event log.
import { useEffect, useRef, useState } from 'react';
import { COMPARE_MAX_STEPS, type CompareEntry, type TraceFormat } from '../../protocol/messages';
import { scenarioToJson } from '../../scenario/scenario';
import { CATEGORIES, COUNTERS } from '../panels/costs/Costs';
import { download, svgText, svgToPng } from '../saved-work/download';
import { Dialog } from '../shared/Dialog';
import { fmt } from '../shared/format';
import { useAppStore } from '../state/context';
import { scenarioOf } from '../state/store';

type Ran = Exclude<CompareEntry, { skipped: string }>;
const ran = (e: CompareEntry): e is Ran => !('skipped' in e);

const W = 1000;
const LABEL_W = 210;
const VALUE_W = 190;
const ROW_H = 46;
const TOP = 56;

/** The stacked bars: one row per technique, bars scaled to the dearest run, the legend below. */
function Chart({ results, title, svgRef }: { results: readonly CompareEntry[]; title: string; svgRef: React.Ref<SVGSVGElement> }) {
  const max = Math.max(1, ...results.filter(ran).map((r) => r.cycles.total));
  const native = results.find((r) => r.technique === 'native');
  const base = native && ran(native) ? native.cycles.total : null;
  const used = CATEGORIES.filter((c) => results.some((r) => ran(r) && (r.cycles.byCategory[c.id] ?? 0) > 0));
  const legendTop = TOP + results.length * ROW_H + 16;
  const perRow = 4;
  const height = legendTop + Math.ceil(used.length / perRow) * 30 + 12;
  const barW = W - LABEL_W - VALUE_W;
  return (
    <svg
      ref={svgRef}
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${W} ${height}`}
      width={W}
      height={height}
      role="img"
      aria-label={`Cycles by category under each technique: ${results
        .map((r) => (ran(r) ? `${r.technique} ${fmt(r.cycles.total)} cycles` : `${r.technique} skipped`))
        .join('; ')}`}
      fontFamily="system-ui, 'DejaVu Sans', Arial, sans-serif"
      className="compare-chart"
    >
      <rect width={W} height={height} fill="#ffffff" />
      <text x={16} y={30} fontSize={20} fontWeight={700} fill="#14161a">
        {title}
      </text>
      <text x={W - 16} y={30} fontSize={15} fill="#4a5160" textAnchor="end">
        host cycles, by category
      </text>
      {results.map((r, i) => {
        const y = TOP + i * ROW_H;
        let x = LABEL_W;
        return (
          <g key={r.technique}>
            <text x={LABEL_W - 12} y={y + 27} fontSize={17} fill="#14161a" textAnchor="end" fontWeight={600}>
              {r.technique}
            </text>
            {ran(r) ? (
              <>
                {used.map((c) => {
                  const v = r.cycles.byCategory[c.id] ?? 0;
                  const w = (v / max) * barW;
                  const rect = (
                    <rect key={c.id} x={x} y={y + 8} width={Math.max(0, w)} height={ROW_H - 16} fill={c.color}>
                      <title>{`${c.label}: ${fmt(v)} cycles`}</title>
                    </rect>
                  );
                  x += w;
                  return rect;
                })}
                <text x={x + 8} y={y + 27} fontSize={15} fill="#14161a">
                  {fmt(r.cycles.total)}
                  {base ? ` · ${(r.cycles.total / base).toFixed(r.cycles.total / base < 10 ? 2 : 0)}×` : ''}
                </text>
              </>
            ) : (
              <text x={LABEL_W} y={y + 27} fontSize={15} fill="#6b3a00">
                skipped: {r.skipped}
              </text>
            )}
          </g>
        );
      })}
      {used.map((c, i) => {
        const x = 16 + (i % perRow) * ((W - 32) / perRow);
        const y = legendTop + Math.floor(i / perRow) * 30;
        return (
          <g key={c.id}>
            <rect x={x} y={y} width={18} height={18} fill={c.color} />
            <text x={x + 26} y={y + 15} fontSize={15} fill="#14161a">
              {c.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function Fidelity({ r, native }: { r: Ran; native: Ran | undefined }) {
  const violations = r.vms.flatMap((v) => v.fidelity);
  const kinds = [...new Set(violations.map((f) => `${f.instruction} (expected ${f.expected}, got ${f.actual})`))];
  const sameConsole = native ? native.vms.every((v, i) => v.console === r.vms[i]?.console) : null;
  return (
    <>
      {violations.length === 0 ? (
        <span className="fidelity-ok">holds</span>
      ) : (
        <span className="fidelity-bad">
          ⚠ {fmt(violations.length)} violation{violations.length === 1 ? '' : 's'}: {kinds.slice(0, 3).join('; ')}
          {kinds.length > 3 ? '…' : ''}
        </span>
      )}
      {sameConsole !== null && r.technique !== 'native' && (
        <span className={sameConsole ? 'fidelity-ok' : 'fidelity-bad'}>
          {sameConsole ? ' · console as on bare metal' : ' · console differs from bare metal'}
        </span>
      )}
    </>
  );
}

export function CompareDialog({ onClose }: { onClose: () => void }) {
  const store = useAppStore();
  const [state, setState] = useState<
    | { kind: 'running' }
    | { kind: 'done'; results: readonly CompareEntry[]; ms: number }
    | { kind: 'failed'; errors: readonly string[] }
    | { kind: 'cancelled' }
  >({ kind: 'running' });
  const [exporting, setExporting] = useState<string | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const [setup] = useState(() => {
    const s = store.getState();
    return { scenario: scenarioOf(s), isa: s.isa, settings: s.settings };
  });
  const describe = `${setup.scenario.title || 'This program'} · ${setup.isa} · preset ${setup.settings.preset} · paging ${setup.settings.paging}`;
  const cancelRef = useRef<(() => void) | null>(null);

  useEffect(() => {
    const t0 = performance.now();
    const { answer, cancel } = store.ask({
      kind: 'compare',
      scenario: scenarioToJson(setup.scenario),
      options: {
        isa: setup.isa,
        preset: setup.settings.preset,
        paging: setup.settings.paging,
        hypervisorType: setup.settings.hypervisorType,
        exits: setup.settings.exits,
        maxSteps: Math.min(setup.scenario.maxSteps, COMPARE_MAX_STEPS),
      },
    });
    cancelRef.current = cancel;
    let live = true;
    answer.then((a) => {
      if (!live) return;
      cancelRef.current = null;
      if (!a) setState({ kind: 'cancelled' });
      else if (a.kind === 'compare-results') setState({ kind: 'done', results: a.results, ms: performance.now() - t0 });
      else if (a.kind === 'compare-failed') setState({ kind: 'failed', errors: a.errors });
    });
    return () => {
      live = false;
      cancelRef.current?.();
    };
  }, [store, setup]);

  const exportTrace = async (format: TraceFormat) => {
    setExporting(`Preparing the events as ${format.toUpperCase()}…`);
    const a = await store.ask({ kind: 'export-events', format }).answer;
    if (a?.kind !== 'events-export') {
      setExporting('The events could not be exported.');
      return;
    }
    download(`virtlab-events.${format}`, a.text, format === 'csv' ? 'text/csv' : 'application/json');
    setExporting(
      a.count < a.total
        ? `Saved the newest ${fmt(a.count)} of ${fmt(a.total)} events.`
        : `Saved ${fmt(a.count)} event${a.count === 1 ? '' : 's'} (the run up to this moment).`,
    );
  };
  const chartSvg = () => (svg.current ? svgText(svg.current) : null);

  const results = state.kind === 'done' ? state.results : [];
  const runs = results.filter(ran);
  const native = runs.find((r) => r.technique === 'native');
  const counters = COUNTERS.filter((c) => runs.some((r) => (r.counters[c.key] as number) > 0));

  return (
    <Dialog title="Compare techniques" onClose={onClose} wide className="compare-dialog">
      <p className="dialog-lead">
        {describe}: run under every technique, each to its end (at most {fmt(COMPARE_MAX_STEPS)} instructions), in a worker of its own.
      </p>
      {state.kind === 'running' && (
        <p role="status" className="compare-running">
          Running under six techniques…{' '}
          <button type="button" className="action" onClick={() => cancelRef.current?.()}>
            Cancel
          </button>
        </p>
      )}
      {state.kind === 'cancelled' && <p role="status">Cancelled.</p>}
      {state.kind === 'failed' && (
        <div role="alert" className="banner">
          The scenario cannot be compared: {state.errors.slice(0, 5).join('; ')}
        </div>
      )}
      {state.kind === 'done' && (
        <>
          <p role="status" className="sr-only">
            Compared in {fmt(Math.round(state.ms))} ms.
          </p>
          <div className="compare-chart-box">
            <Chart results={results} title={setup.scenario.title || 'Cycles by technique'} svgRef={svg} />
          </div>
          <div className="compare-tables">
            <table className="compare-table">
              <caption>Counters and fidelity, technique by technique</caption>
              <thead>
                <tr>
                  <th scope="col">counter</th>
                  {runs.map((r) => (
                    <th key={r.technique} scope="col">
                      {r.technique}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">Cycles</th>
                  {runs.map((r) => (
                    <td key={r.technique}>{fmt(r.cycles.total)}</td>
                  ))}
                </tr>
                {counters.map(({ key, label }) => (
                  <tr key={key} className={key === 'fidelityViolations' ? 'alarm' : undefined}>
                    <th scope="row">{label}</th>
                    {runs.map((r) => (
                      <td key={r.technique}>{fmt(r.counters[key] as number)}</td>
                    ))}
                  </tr>
                ))}
                <tr>
                  <th scope="row">Stopped</th>
                  {runs.map((r) => (
                    <td key={r.technique}>{r.stop.reason === 'all-stopped' ? r.vms.map((v) => v.state).join(', ') : r.stop.reason}</td>
                  ))}
                </tr>
              </tbody>
            </table>
            <ul className="compare-fidelity" aria-label="Fidelity per technique">
              {results.map((r) => (
                <li key={r.technique}>
                  <b>{r.technique}</b>:{' '}
                  {ran(r) ? <Fidelity r={r} native={native} /> : <span className="skipped">skipped: {r.skipped}</span>}
                </li>
              ))}
            </ul>
          </div>
        </>
      )}
      <div className="compare-export">
        <button
          type="button"
          className="action"
          disabled={state.kind !== 'done'}
          onClick={() => {
            const text = chartSvg();
            if (text) download('virtlab-compare.svg', text, 'image/svg+xml');
          }}
        >
          Chart as SVG
        </button>
        <button
          type="button"
          className="action"
          disabled={state.kind !== 'done'}
          onClick={async () => {
            const text = chartSvg();
            const el = svg.current;
            if (text && el) download('virtlab-compare.png', await svgToPng(text, el.viewBox.baseVal.width, el.viewBox.baseVal.height));
          }}
        >
          Chart as PNG
        </button>
        <button type="button" className="action" onClick={() => exportTrace('json')}>
          Events as JSON
        </button>
        <button type="button" className="action" onClick={() => exportTrace('csv')}>
          Events as CSV
        </button>
        {exporting && (
          <span role="status" className="subtitle">
            {exporting}
          </span>
        )}
      </div>
    </Dialog>
  );
}
