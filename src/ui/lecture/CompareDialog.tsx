// Compare: the current scenario under every technique at once, in a worker of its own (the run on the
// page keeps going meanwhile): cycles by category as stacked bars (an SVG that exports as SVG and PNG),
// the counters side by side, and fidelity per technique; techniques that cannot run it, with the reason.
// What may be ranked is decided by the verdicts of `virtlab compare` (compare-view.ts): a run that crashed,
// hit the step limit or ended unlike bare metal is drawn apart, hatched, never the cheapest. Below, A/B.
// The run's event trace exports from here too (JSON, CSV), from the main worker's event log.
import { useEffect, useRef, useState } from 'react';
import { COMPARE_MAX_STEPS, type CompareEntry, type RunResult, type TraceFormat } from '../../protocol/messages';
import { scenarioToJson } from '../../scenario/scenario';
import { CATEGORIES, COUNTERS } from '../panels/costs/Costs';
import { download, svgText, svgToPng } from '../saved-work/download';
import { Dialog } from '../shared/Dialog';
import { fmt } from '../shared/format';
import { useAppStore } from '../state/context';
import { scenarioOf } from '../state/store';
import { AbCompare } from './AbCompare';
import { type CompareGroup, type CompareRow, type CompareView, compareView } from './compare-view';

const W = 1000;
const LABEL_W = 210;
const VALUE_W = 190;
const ROW_H = 58;
const GAP_H = 30;
const TOP = 56;

const GROUP_TITLE: Record<CompareGroup, string> = {
  comparable: '',
  'not-comparable': 'Not comparable: these runs did not finish like the reference (hatched, not ranked)',
  skipped: 'Cannot run this scenario',
};

/**
 * The stacked bars: comparable runs first, scaled to the dearest of them; runs that did not finish like
 * the reference apart below, hatched, with the verdict's reason; the legend last.
 */
function Chart({ view, title, svgRef }: { view: CompareView; title: string; svgRef: React.Ref<SVGSVGElement> }) {
  const { rows, scaleMax } = view;
  const used = CATEGORIES.filter((c) => rows.some((r) => r.group === 'comparable' && (r.run?.cycles.byCategory[c.id] ?? 0) > 0));
  const barW = W - LABEL_W - VALUE_W;
  let y = TOP;
  const placed = rows.map((r, i) => {
    const gap = i > 0 && rows[i - 1].group !== r.group;
    if (gap) y += GAP_H;
    const at = { r, y, gapY: gap ? y - GAP_H + 20 : null };
    y += ROW_H;
    return at;
  });
  const legendTop = y + 16;
  const perRow = 4;
  const height = legendTop + Math.ceil(used.length / perRow) * 30 + 12;
  return (
    <svg
      ref={svgRef}
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${W} ${height}`}
      width={W}
      height={height}
      role="img"
      aria-label={`Cycles by category under each technique: ${rows.map((r) => `${r.technique} ${r.label}`).join('; ')}`}
      fontFamily="system-ui, 'DejaVu Sans', Arial, sans-serif"
      className="compare-chart"
    >
      <defs>
        <pattern id="not-comparable" patternUnits="userSpaceOnUse" width={10} height={10} patternTransform="rotate(45)">
          <rect width={10} height={10} fill="#f3f4f6" />
          <rect width={4} height={10} fill="#9ca3af" />
        </pattern>
      </defs>
      <rect width={W} height={height} fill="#ffffff" />
      <text x={16} y={30} fontSize={20} fontWeight={700} fill="#14161a">
        {title}
      </text>
      <text x={W - 16} y={30} fontSize={15} fill="#4a5160" textAnchor="end">
        host cycles, by category
      </text>
      {placed.map(({ r, y, gapY }) => {
        let x = LABEL_W;
        const total = r.run?.cycles.total ?? 0;
        return (
          <g key={r.technique}>
            {gapY !== null && (
              <>
                <line x1={16} x2={W - 16} y1={gapY - 16} y2={gapY - 16} stroke="#9ca3af" strokeDasharray="6 4" />
                <text x={16} y={gapY} fontSize={14} fontWeight={700} fill="#4a5160">
                  {GROUP_TITLE[r.group]}
                </text>
              </>
            )}
            <text x={LABEL_W - 12} y={y + 25} fontSize={17} fill="#14161a" textAnchor="end" fontWeight={600}>
              {r.technique}
            </text>
            {r.group === 'comparable' && r.run && (
              <>
                {used.map((c) => {
                  const v = r.run?.cycles.byCategory[c.id] ?? 0;
                  const w = (v / scaleMax) * barW;
                  const rect = (
                    <rect key={c.id} x={x} y={y + 6} width={Math.max(0, w)} height={26} fill={c.color}>
                      <title>{`${c.label}: ${fmt(v)} cycles`}</title>
                    </rect>
                  );
                  x += w;
                  return rect;
                })}
                <text x={x + 8} y={y + 25} fontSize={15} fill="#14161a">
                  {r.figures}
                </text>
                {r.note && (
                  <text x={LABEL_W} y={y + 50} fontSize={14} fill="#4a5160">
                    {r.note}
                  </text>
                )}
              </>
            )}
            {r.group === 'not-comparable' && r.run && (
              <>
                <rect
                  x={LABEL_W}
                  y={y + 6}
                  width={Math.max(3, Math.min(1, total / scaleMax) * barW)}
                  height={26}
                  fill="url(#not-comparable)"
                  stroke="#6b7280"
                >
                  <title>{`${fmt(total)} cycles until it stopped: not comparable`}</title>
                </rect>
                <text x={LABEL_W + Math.max(3, Math.min(1, total / scaleMax) * barW) + 8} y={y + 25} fontSize={15} fill="#4a5160">
                  {r.figures}
                  {total > scaleMax ? ' (off the scale)' : ''}
                </text>
                <text x={LABEL_W} y={y + 50} fontSize={14} fill="#8a1c1c" fontWeight={600}>
                  {r.note}
                </text>
              </>
            )}
            {r.group === 'skipped' && (
              <text x={LABEL_W} y={y + 25} fontSize={15} fill="#6b3a00">
                {r.label}
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
    return { scenario: scenarioOf(s), technique: s.technique, isa: s.isa, settings: s.settings };
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
  const view = compareView(results);
  const runs = view.rows.filter((r): r is CompareRow & { run: RunResult } => r.run !== null);
  const counters = COUNTERS.filter((c) => runs.some((r) => (r.run.counters[c.key] as number) > 0));
  const cheaper = view.rows.filter((r) => r.verdict.cheaperThanBareMetal);
  const bare = runs.find((r) => r.technique === 'native');

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
          <p className="compare-reference">
            {view.bareMetal !== null && view.reference === 'bare-metal' ? (
              <>
                <b>Bare metal</b> (the reference): {view.bareMetal}. A run is compared only if it ended the same way.
              </>
            ) : view.bareMetal !== null ? (
              <>
                <b>Bare metal</b> did not finish ({view.bareMetal}): no run is ranked.
              </>
            ) : view.reference === 'agreement' ? (
              <>Bare metal cannot run several VMs: the reference is the outcome most techniques agree on.</>
            ) : (
              <>No reference: bare metal did not run it and no two techniques ended alike, so no run is ranked.</>
            )}
          </p>
          <div className="compare-chart-box">
            <Chart view={view} title={setup.scenario.title || 'Cycles by technique'} svgRef={svg} />
          </div>
          <div className="compare-tables">
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the table scrolls sideways on a phone; keyboard users must reach it */}
            <section className="compare-table-box" tabIndex={0} aria-label="Counters by technique">
              <table className="compare-table">
                <caption>Counters and fidelity, technique by technique</caption>
                <thead>
                  <tr>
                    <th scope="col">counter</th>
                    {runs.map((r) => (
                      <th key={r.technique} scope="col" className={r.group === 'comparable' ? undefined : 'not-comparable'}>
                        {r.technique}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <th scope="row">Cycles</th>
                    {runs.map((r) => (
                      <td key={r.technique} className={r.group === 'comparable' ? undefined : 'not-comparable'}>
                        {fmt(r.run.cycles.total)}
                      </td>
                    ))}
                  </tr>
                  {counters.map(({ key, label }) => (
                    <tr key={key} className={key === 'fidelityViolations' ? 'alarm' : undefined}>
                      <th scope="row">{label}</th>
                      {runs.map((r) => (
                        <td key={r.technique}>{fmt(r.run.counters[key] as number)}</td>
                      ))}
                    </tr>
                  ))}
                  <tr>
                    <th scope="row">Stopped</th>
                    {runs.map((r) => (
                      <td key={r.technique} className={r.group === 'comparable' ? undefined : 'differs'}>
                        {r.run.stop.reason === 'all-stopped' ? r.run.vms.map((v) => v.state).join(', ') : r.run.stop.reason}
                      </td>
                    ))}
                  </tr>
                  <tr>
                    <th scope="row">Console</th>
                    {runs.map((r) => {
                      const text = r.run.vms.map((v) => v.console).join(' | ');
                      const same = !bare || bare.run.vms.every((v, i) => v.console === r.run.vms[i]?.console);
                      return (
                        <td key={r.technique} title={text} className={same ? 'console-cell' : 'console-cell differs'}>
                          {same ? (r.technique === 'native' ? 'the reference' : 'as bare metal') : 'differs from bare metal'}
                        </td>
                      );
                    })}
                  </tr>
                </tbody>
              </table>
            </section>
            <ul className="compare-fidelity" aria-label="Fidelity per technique">
              {view.rows.map((r) => (
                <li key={r.technique} className={r.group === 'comparable' ? undefined : 'not-comparable'}>
                  <b>{r.technique}</b>:{' '}
                  <span className={r.group === 'skipped' ? 'skipped' : r.fidelity.ok ? 'fidelity-ok' : 'fidelity-bad'}>
                    {r.fidelity.text}
                  </span>
                </li>
              ))}
            </ul>
          </div>
          {cheaper.length > 0 && (
            <section className="compare-cheaper" aria-label="Cheaper than bare metal">
              {cheaper.map((r) => (
                <p key={r.technique}>
                  <b>{r.technique} is cheaper than bare metal here.</b> {r.verdict.cheaperThanBareMetal?.reason}{' '}
                  <cite>({r.verdict.cheaperThanBareMetal?.source})</cite>
                </p>
              ))}
            </section>
          )}
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
        <button
          type="button"
          className="action"
          disabled={state.kind !== 'done'}
          onClick={() => {
            // Each technique's result (without its event list) with the verdict the page drew.
            const out = {
              title: setup.scenario.title,
              isa: setup.isa,
              preset: setup.settings.preset,
              paging: setup.settings.paging,
              reference: view.reference,
              results: results.map((r) => ('skipped' in r ? r : { ...r, events: undefined })),
              verdicts: results.map((r) => ({ technique: r.technique, ...view.rows.find((x) => x.technique === r.technique)?.verdict })),
            };
            download('virtlab-compare.json', JSON.stringify(out, null, 2), 'application/json');
          }}
        >
          Results as JSON
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
      <AbCompare scenario={setup.scenario} here={setup} />
    </Dialog>
  );
}
