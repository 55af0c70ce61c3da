// The Sequence panel: the run's hypervisor events as a sequence diagram, time flowing down, one lane per
// layer (guest user, guest kernel, hypervisor, host OS of a type 2 hypervisor, hardware, host B of a
// migration) and each event an arrow between two lanes (sequence-lanes.ts). Windowed as the Events panel
// is: only the rows in view exist, fetched from the worker's log a block at a time, so a million events
// scroll like ten. It follows the run: the event the run is at is highlighted and scrolled into view,
// after a step, a run or a seek. "Export SVG" saves the rows in view as a standalone SVG for a slide.
import { useCallback, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { TechniqueId } from '../../../protocol/messages';
import { download } from '../../saved-work/download';
import { fmt } from '../../shared/format';
import { kindColor } from '../../shared/palette';
import { useApp, useAppStore } from '../../state/context';
import { windowOf } from '../events/Events';
import type { EventRow } from '../events/event-rows';
import { type Arrow, arrowOf, type Lane, laneName, lanesOf, MIGRATION_KINDS, xOf } from './sequence-lanes';
import { sequenceSvg } from './sequence-svg';
import './sequence.css';

const OVERSCAN = 4;

function RowArrow({ arrow, lanes, color, height }: { arrow: Arrow; lanes: readonly Lane[]; color: string; height: number }) {
  const x1 = xOf(arrow.from, lanes) * 100;
  const x2 = xOf(arrow.to, lanes) * 100;
  const y = height * 0.66;
  const self = arrow.from === arrow.to;
  return (
    <svg className="seq-row-svg" width="100%" height={height} aria-hidden="true">
      {lanes.map((l) => (
        <line key={l} className="seq-lane-line" x1={`${xOf(l, lanes) * 100}%`} x2={`${xOf(l, lanes) * 100}%`} y1={0} y2={height} />
      ))}
      {self ? (
        <circle cx={`${x1}%`} cy={y} r={5} fill={color} />
      ) : (
        <line x1={`${x1}%`} x2={`${x2}%`} y1={y} y2={y} stroke={color} strokeWidth={2} markerEnd="url(#seq-head)" />
      )}
      <text
        className="seq-label"
        x={`${self ? x1 : (x1 + x2) / 2}%`}
        dx={self ? 9 : 0}
        y={y - 5}
        textAnchor={self ? 'start' : 'middle'}
        fill="currentColor"
      >
        {arrow.label}
      </text>
    </svg>
  );
}

function rowName(row: EventRow, arrow: Arrow, technique: TechniqueId, vmNames: readonly string[] | null): string {
  const vm = vmNames ? `${vmNames[row.event.vm] ?? row.event.vm}: ` : '';
  const where =
    arrow.from === arrow.to
      ? `at ${laneName(arrow.from, technique)}`
      : `${laneName(arrow.from, technique)} → ${laneName(arrow.to, technique)}`;
  return `${fmt(row.index + 1)}. ${vm}${arrow.label}, ${where}`;
}

export function SequencePanel() {
  const store = useAppStore();
  const total = useApp((s) => s.snapshot?.eventCounts?.hypervisor ?? 0);
  const technique = useApp((s) => s.snapshot?.technique ?? 'native');
  const type2 = useApp((s) => s.snapshot?.inspection?.hypervisorType === 2);
  const migration = useApp((s) => [...MIGRATION_KINDS].some((k) => (s.snapshot?.eventCounts?.[k] ?? 0) > 0));
  const several = useApp((s) => (s.snapshot?.vms.length ?? 0) > 1);
  const vmNamesKey = useApp((s) => JSON.stringify(s.snapshot?.vms.map((v) => v.name) ?? []));
  const atIndex = useApp((s) => s.status.event?.index ?? null);
  const atPosition = useApp((s) => s.status.event?.position ?? null);
  useSyncExternalStore(
    useCallback((l: () => void) => store.rows.subscribe(l), [store]),
    () => store.rows.version,
  );
  const vmNames: readonly string[] | null = several ? (JSON.parse(vmNamesKey) as string[]) : null;
  const lanes = lanesOf(technique, type2 ? 2 : 1, migration);

  const list = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ scrollTop: 0, height: 240, rowH: 30 });

  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const measure = () => {
      const font = Number.parseFloat(getComputedStyle(el).fontSize) || 16;
      setView((v) => ({ ...v, height: el.clientHeight, rowH: Math.round(font * 1.9) }));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const { first, offset, contentH } = windowOf(total, view.rowH, view.scrollTop, view.height);
  const visible = Math.ceil(view.height / view.rowH) + 1;

  // Following the run: the event the run is at comes into view (centred when it was out of view).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the event and the geometry are the triggers; the scroll is read from the DOM
  useLayoutEffect(() => {
    const el = list.current;
    if (!el || atPosition === null || total === 0) return;
    const { first: top, offset: off } = windowOf(total, view.rowH, el.scrollTop, view.height);
    const y = (atPosition - top) * view.rowH - off;
    if (y >= 0 && y + view.rowH <= view.height) return;
    const target = Math.max(0, Math.min(total - 1, atPosition - Math.floor(visible / 2)));
    const exact = total * view.rowH <= 8_000_000;
    el.scrollTop = exact
      ? target * view.rowH
      : (target / Math.max(1, total - view.height / view.rowH)) * Math.max(1, contentH - view.height);
    setView((v) => ({ ...v, scrollTop: el.scrollTop }));
  }, [atIndex, atPosition, total, view.height, view.rowH]);

  const from = Math.max(0, first - OVERSCAN);
  const to = Math.min(total, first + visible + OVERSCAN);
  const rows: { position: number; row: EventRow | undefined }[] = [];
  for (let p = from; p < to; p++) rows.push({ position: p, row: store.rows.get('hypervisor', p, total) });

  const exportSvg = () => {
    // The rows in view (those whose data is here), as a standalone document.
    const shown = rows.filter((r) => r.position >= first && r.position < first + visible && r.row).map((r) => r.row as EventRow);
    const svg = sequenceSvg(
      shown.map((row) => ({ row, arrow: arrowOf(row.event, technique), current: row.index === atIndex })),
      lanes,
      technique,
      vmNames,
    );
    download(`virtlab-sequence-${shown[0] ? shown[0].index + 1 : 0}.svg`, svg, 'image/svg+xml');
  };

  return (
    <section className="panel sequence" aria-label="Sequence">
      <h2>
        Sequence <span className="subtitle">{fmt(total)} events, time ↓</span>
        <button type="button" className="seq-export" onClick={exportSvg} disabled={total === 0}>
          Export SVG
        </button>
      </h2>
      <div className="seq-lanes" aria-hidden="true" style={{ gridTemplateColumns: `repeat(${lanes.length}, 1fr)` }}>
        {lanes.map((l) => (
          <span key={l}>{laneName(l, technique)}</span>
        ))}
      </div>
      {/* One arrowhead for every row's arrow (markers resolve across the document's SVGs). */}
      <svg className="seq-defs" width="0" height="0" aria-hidden="true">
        <defs>
          <marker id="seq-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#475569" />
          </marker>
        </defs>
      </svg>
      <div
        ref={list}
        className="seq-list"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it
        tabIndex={0}
        onScroll={(e) => {
          const top = e.currentTarget.scrollTop;
          setView((v) => (v.scrollTop === top ? v : { ...v, scrollTop: top }));
        }}
      >
        <ul className="seq-spacer" aria-label="Sequence diagram" style={{ height: contentH }}>
          {rows.map(({ position, row }) => {
            const top = view.scrollTop - offset + (position - first) * view.rowH;
            const style = { top: Math.max(0, Math.min(contentH - view.rowH, top)), height: view.rowH };
            if (!row) {
              return (
                <li key={position} className="seq-row" style={style}>
                  <span className="ev-loading">…</span>
                </li>
              );
            }
            const arrow = arrowOf(row.event, technique);
            const current = row.index === atIndex;
            return (
              <li
                key={position}
                aria-label={rowName(row, arrow, technique, vmNames)}
                aria-current={current ? 'true' : undefined}
                className={`seq-row${current ? ' current' : ''}`}
                style={style}
              >
                <span className="seq-index">{fmt(row.index + 1)}</span>
                <RowArrow arrow={arrow} lanes={lanes} color={kindColor(row.event.kind)} height={view.rowH} />
              </li>
            );
          })}
        </ul>
        {total === 0 && <p className="note">No hypervisor events yet: run or step the program.</p>}
      </div>
    </section>
  );
}
