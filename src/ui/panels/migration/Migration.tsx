// The Migration panel (issue 15): host A and host B (the same CPU, each its own hypervisor and frames) and
// the VM moving from one to the other; a 16-page grid per round (sent, dirtied, clean), a chart of pages
// dirtied per round, downtime against total time; the scenario's `migration` settings; and the three methods
// compared on the same guest, exportable as CSV and JSON. What it draws comes from the worker's snapshot; it
// renders again only when the migration moved on (a round, the switch), not every frame.
import { useState } from 'react';
import type { MigrationMethodResult, MigrationMode, MigrationView } from '../../../protocol/messages';
import { MIGRATION_MODES, type Scenario, scenarioToJson } from '../../../scenario/scenario';
import { download } from '../../saved-work/download';
import { fmt } from '../../shared/format';
import { useApp, useAppStore } from '../../state/context';
import { scenarioOf } from '../../state/store';
import {
  compareCsv,
  compareJson,
  compareRows,
  dirtyChart,
  PAGE_STATE_LABEL,
  PAGE_STATE_LETTER,
  type PageState,
  type RoundGrid,
  roundGrids,
  timesOf,
  whereIs,
} from './migration-view';
import './migration.css';

/** Xen's and QEMU's defaults (hypervisor/migration/live.ts DEFAULT_MIGRATION), as the settings show them. */
const DEFAULTS = { bandwidth: 1, latency: 200, maxDowntime: 0, stopPages: 2, at: 0 };

const PAGE_IDS = Array.from({ length: 16 }, (_, i) => i);

const keyOf = (v: MigrationView | null | undefined) =>
  v ? `${v.rounds.length}:${v.done}:${v.report.resumedAt}:${v.report.pagesSent}:${v.report.networkFaults}` : String(v);

function Hosts({ view }: { view: MigrationView | null | undefined }) {
  const w = whereIs(view);
  const vmX = w.host === 'host A' ? (w.moving ? 150 : 95) : w.moving ? 250 : 305;
  return (
    <svg viewBox="0 0 410 120" className="mig-hosts" role="img" aria-label={`The VM is ${w.text}`}>
      {(['host A', 'host B'] as const).map((h, i) => (
        <g key={h}>
          <rect x={10 + i * 220} y={10} width={170} height={100} rx={6} className={`mig-host${w.host === h ? ' here' : ''}`} />
          <text x={95 + i * 220} y={32} textAnchor="middle" className="mig-label">
            {h}
          </text>
          <text x={95 + i * 220} y={84} textAnchor="middle" className="mig-small">
            same CPU
          </text>
          <text x={95 + i * 220} y={100} textAnchor="middle" className="mig-small">
            own hypervisor, frames
          </text>
        </g>
      ))}
      <line x1={180} y1={53} x2={230} y2={53} className="mig-link" />
      <text x={205} y={45} textAnchor="middle" className="mig-small">
        link
      </text>
      <rect x={vmX - 30} y={40} width={60} height={26} rx={4} className={`mig-vm${w.moving ? ' moving' : ''}`} />
      <text x={vmX} y={58} textAnchor="middle" className="mig-label">
        VM
      </text>
    </svg>
  );
}

function Grid({ g }: { g: RoundGrid }) {
  const counts = `${g.sent} sent, ${g.dirtied} dirtied${g.faulted ? `, ${g.faulted} faulted` : ''}`;
  return (
    <figure className="mig-grid">
      <figcaption>
        {g.title}: {counts}
      </figcaption>
      <svg viewBox="0 0 100 100" role="img" aria-label={`${g.title}: ${counts}`}>
        {g.pages.map((p, i) => (
          // The 16 pages are fixed: page i is always cell i.
          <g key={`page-${PAGE_IDS[i]}`}>
            <rect x={(i % 4) * 25 + 1} y={Math.floor(i / 4) * 25 + 1} width={23} height={23} className={`cell cell-${p}`}>
              <title>{`page ${i}: ${PAGE_STATE_LABEL[p]}`}</title>
            </rect>
            <text x={(i % 4) * 25 + 12.5} y={Math.floor(i / 4) * 25 + 17} textAnchor="middle" className="cell-letter">
              {PAGE_STATE_LETTER[p]}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

function Chart({ view, stopPages }: { view: MigrationView; stopPages: number }) {
  const c = dirtyChart(view, stopPages);
  const W = 420;
  const H = 190;
  const left = 34;
  const bottom = 30;
  const plotH = H - bottom - 16;
  const n = Math.max(1, c.bars.length);
  const bw = Math.min(36, (W - left - 8) / n);
  const y = (v: number) => H - bottom - (v / c.max) * plotH;
  return (
    <figure className="mig-chart">
      <figcaption>Pages dirtied per round: {c.verdict}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Pages dirtied per round: ${c.bars.map((b) => `round ${b.round} ${b.dirtied}`).join(', ') || 'no rounds yet'}. ${c.verdict}`}
      >
        <line x1={left} y1={y(0)} x2={W - 4} y2={y(0)} className="axis" />
        {[0, 8, 16].map((v) => (
          <text key={v} x={left - 6} y={y(v) + 4} textAnchor="end" className="mig-small">
            {v}
          </text>
        ))}
        {c.stopPages !== null && (
          <>
            <line x1={left} y1={y(c.stopPages)} x2={W - 4} y2={y(c.stopPages)} className="stop-line" />
            <text x={W - 6} y={y(c.stopPages) - 4} textAnchor="end" className="mig-small">
              stop: ≤ {c.stopPages} dirty
            </text>
          </>
        )}
        {c.bars.map((b, i) => {
          const x = left + 4 + i * bw;
          return (
            <g key={b.round}>
              <rect x={x} y={y(b.dirtied)} width={Math.max(2, bw - 4)} height={y(0) - y(b.dirtied)} className="bar-dirtied" />
              <text x={x + (bw - 4) / 2} y={y(b.dirtied) - 3} textAnchor="middle" className="mig-small">
                {b.dirtied}
              </text>
              {(n <= 16 || i % Math.ceil(n / 16) === 0) && (
                <text x={x + (bw - 4) / 2} y={H - bottom + 14} textAnchor="middle" className="mig-small">
                  {b.round}
                </text>
              )}
            </g>
          );
        })}
        <text x={(W + left) / 2} y={H - 4} textAnchor="middle" className="mig-small">
          round
        </text>
      </svg>
    </figure>
  );
}

function Times({ view }: { view: MigrationView }) {
  const t = timesOf(view);
  return (
    <figure className="mig-times">
      <figcaption>Downtime and total time</figcaption>
      <svg viewBox="0 0 420 56" role="img" aria-label={t.text}>
        <rect x={4} y={6} width={412} height={18} className="bar-total" />
        <rect x={4} y={6} width={Math.max(2, 412 * t.share)} height={18} className="bar-down" />
        <text x={4} y={44} className="mig-small">
          {t.text}
        </text>
      </svg>
    </figure>
  );
}

function SettingsForm({ migration }: { migration: Scenario['migration'] }) {
  const { commands } = useAppStore();
  const [mode, setMode] = useState<MigrationMode>(migration?.mode ?? 'pre-copy');
  const [at, setAt] = useState(String(migration?.at ?? DEFAULTS.at));
  const [bandwidth, setBandwidth] = useState(String(migration?.bandwidth ?? DEFAULTS.bandwidth));
  const [latency, setLatency] = useState(String(migration?.latency ?? DEFAULTS.latency));
  const [maxDowntime, setMaxDowntime] = useState(String(migration?.maxDowntime ?? DEFAULTS.maxDowntime));
  const [autoConverge, setAutoConverge] = useState(migration?.autoConverge ?? false);
  const num = (s: string, lo: number) => {
    const n = Number(s);
    return Number.isFinite(n) && n >= lo ? n : null;
  };
  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    const next = {
      ...migration,
      mode,
      at: Math.floor(num(at, 0) ?? 0),
      bandwidth: num(bandwidth, 0.001) ?? DEFAULTS.bandwidth,
      latency: Math.floor(num(latency, 0) ?? DEFAULTS.latency),
      maxDowntime: Math.floor(num(maxDowntime, 0) ?? 0),
      autoConverge,
    };
    commands.setMigration(next);
  };
  return (
    <form className="mig-settings" onSubmit={apply} aria-label="Migration settings">
      <label>
        Method
        <select value={mode} onChange={(e) => setMode(e.target.value as MigrationMode)}>
          {MIGRATION_MODES.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <label>
        Start at step
        <input type="number" min={0} step={1} value={at} onChange={(e) => setAt(e.target.value)} />
      </label>
      <label>
        Bandwidth (pages per 1,000 cycles)
        <input type="number" min={0.001} step="any" value={bandwidth} onChange={(e) => setBandwidth(e.target.value)} />
      </label>
      <label>
        Latency (cycles)
        <input type="number" min={0} step={1} value={latency} onChange={(e) => setLatency(e.target.value)} />
      </label>
      <label>
        Maximum downtime (cycles, 0: no limit)
        <input type="number" min={0} step={1} value={maxDowntime} onChange={(e) => setMaxDowntime(e.target.value)} />
      </label>
      <label className="check">
        <input type="checkbox" checked={autoConverge} onChange={(e) => setAutoConverge(e.target.checked)} />
        Auto-converge
      </label>
      <div className="mig-buttons">
        <button type="submit" className="action">
          {migration ? 'Apply migration settings' : 'Add a migration'}
        </button>
        {migration && (
          <button type="button" className="action" onClick={() => commands.setMigration(null)}>
            Remove the migration
          </button>
        )}
      </div>
    </form>
  );
}

function Comparison() {
  const store = useAppStore();
  const [state, setState] = useState<
    { kind: 'none' } | { kind: 'running' } | { kind: 'done'; results: readonly MigrationMethodResult[] } | { kind: 'failed'; why: string }
  >({ kind: 'none' });
  const run = async () => {
    setState({ kind: 'running' });
    const s = store.getState();
    const a = await store.ask({
      kind: 'migration-compare',
      scenario: scenarioToJson(scenarioOf(s)),
      options: {
        technique: s.technique,
        isa: s.isa,
        preset: s.settings.preset,
        paging: s.settings.paging,
        hypervisorType: s.settings.hypervisorType,
        exits: s.settings.exits,
        maxSteps: Math.min(s.meta.maxSteps, 10_000_000),
      },
    }).answer;
    if (a?.kind === 'migration-compare-results') setState({ kind: 'done', results: a.results });
    else setState({ kind: 'failed', why: a?.kind === 'compare-failed' ? a.errors.slice(0, 3).join('; ') : 'cancelled' });
  };
  const rows = state.kind === 'done' ? compareRows(state.results) : [];
  return (
    <section className="mig-compare" aria-label="Methods compared">
      <h3>The three methods on this guest</h3>
      <button type="button" className="action" onClick={run} disabled={state.kind === 'running'}>
        Compare methods
      </button>
      {state.kind === 'running' && <p aria-live="polite">Running pre-copy, post-copy and stop-and-copy…</p>}
      {state.kind === 'failed' && <p role="alert">The methods could not be compared: {state.why}</p>}
      {state.kind === 'done' && (
        <>
          <table className="mig-table">
            <thead>
              <tr>
                <th scope="col">method</th>
                <th scope="col">pages sent</th>
                <th scope="col">total time</th>
                <th scope="col">downtime</th>
                <th scope="col">network faults</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.mode}>
                  <th scope="row">{r.mode}</th>
                  {r.refused ? (
                    <td colSpan={4}>refused: {r.refused}</td>
                  ) : (
                    <>
                      <td>{fmt(r.pagesSent ?? 0)}</td>
                      <td>{fmt(r.totalCycles ?? 0)} cycles</td>
                      <td>{fmt(r.downtimeCycles ?? 0)} cycles</td>
                      <td>{fmt(r.networkFaults ?? 0)}</td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="mig-buttons">
            <button type="button" className="action" onClick={() => download('virtlab-migration.csv', compareCsv(rows), 'text/csv')}>
              Export methods as CSV
            </button>
            <button
              type="button"
              className="action"
              onClick={() => state.kind === 'done' && download('virtlab-migration.json', compareJson(state.results), 'application/json')}
            >
              Export methods as JSON
            </button>
          </div>
        </>
      )}
    </section>
  );
}

export function MigrationPanel() {
  const store = useAppStore();
  useApp((s) => keyOf(s.snapshot?.migration));
  const migration = useApp((s) => s.meta.migration);
  const technique = useApp((s) => s.technique);
  const view = store.getState().snapshot?.migration;
  const grids = view ? roundGrids(view) : [];
  return (
    <section className="panel migration" aria-label="Migration">
      <h2>Live migration</h2>
      {technique === 'native' && <p>Bare metal has no hypervisor to move the machine: choose a virtualization technique.</p>}
      <Hosts view={view} />
      {!migration && <p>This scenario has no migration: add one below, or open a migration scenario from the Library.</p>}
      {migration && !view && (
        <p>
          {migration.mode} of VM {migration.vm ?? 0} from host A to host B, at step {fmt(migration.at ?? 0)}: run to see its rounds.
        </p>
      )}
      {view && (
        <>
          <p className="mig-summary">
            {view.report.mode}: {fmt(view.report.pagesSent)} pages sent
            {view.report.networkFaults ? `, ${fmt(view.report.networkFaults)} network faults` : ''}; dirty logging:{' '}
            {view.report.dirtyLogging}
            {view.report.throttle ? `; auto-converge throttle ${view.report.throttle}%` : ''}
          </p>
          <Chart view={view} stopPages={migration?.stopPages ?? DEFAULTS.stopPages} />
          <Times view={view} />
          <ul className="mig-legend" aria-label="Page states">
            {(['sent', 'dirtied', 'sent-dirtied', 'faulted', 'clean'] as PageState[]).map((p) => (
              <li key={p}>
                <span className={`swatch cell-${p}`}>{PAGE_STATE_LETTER[p]}</span> {PAGE_STATE_LABEL[p]}
              </li>
            ))}
          </ul>
          <div className="mig-grids">
            {grids.map((g) => (
              <Grid key={g.title} g={g} />
            ))}
          </div>
        </>
      )}
      <SettingsForm key={JSON.stringify(migration ?? null)} migration={migration} />
      <Comparison />
    </section>
  );
}
