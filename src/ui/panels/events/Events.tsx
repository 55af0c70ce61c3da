// The Events panel: the run's events as a virtualized list (only the rows in view exist; their data is
// fetched from the worker's log a block at a time, so a million events scroll as smoothly as ten),
// filtered by kind, each with a plain-language explanation. Clicking an event (or Enter on it) moves the
// run to that moment. Fidelity violations stand out.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { EVENT_KINDS, type EventFilter, type TechniqueId, type TraceEvent } from '../../../protocol/messages';
import { explain } from '../../shared/explain';
import { fmt } from '../../shared/format';
import { kindColor } from '../../shared/palette';
import { useApp, useAppStore } from '../../state/context';
import type { EventRow } from './event-rows';

/** Browsers cap an element's height (Chromium near 33 million pixels): beyond this the scroll is scaled. */
const MAX_SCROLL_PX = 8_000_000;
const OVERSCAN = 4;

const FILTER_TEXT: Partial<Record<EventFilter, string>> = {
  all: 'all events',
  'all-but-vmx': 'all but vmx',
  hypervisor: 'hypervisor events',
};

/** What a filter leaves out, in words for the empty list ("the filter … hides …"). */
const HIDDEN_TEXT: Partial<Record<EventFilter, string>> = {
  'all-but-vmx': "the hypervisor's own VMX/SVM instructions (vmx events: VMREAD, VMWRITE, VMRESUME, VMRUN…)",
  hypervisor: 'console output, port I/O, TLB flushes, translation-cache hits and vmx events',
};

/** The first row in view and its offset, in both regimes: exact (row × height) and scaled (huge lists). */
export function windowOf(
  total: number,
  rowH: number,
  scrollTop: number,
  viewH: number,
): { first: number; offset: number; contentH: number } {
  const exactH = total * rowH;
  const contentH = Math.min(exactH, MAX_SCROLL_PX);
  let firstExact: number;
  if (exactH <= MAX_SCROLL_PX) firstExact = scrollTop / rowH;
  else {
    const maxScroll = Math.max(1, contentH - viewH);
    firstExact = (Math.min(scrollTop, maxScroll) / maxScroll) * Math.max(0, total - viewH / rowH);
  }
  const first = Math.max(0, Math.floor(firstExact));
  return { first, offset: (firstExact - first) * rowH, contentH };
}

/** The scrollTop that puts row `position` at the top of the view. */
function scrollFor(position: number, total: number, rowH: number, viewH: number): number {
  const exactH = total * rowH;
  if (exactH <= MAX_SCROLL_PX) return position * rowH;
  const contentH = MAX_SCROLL_PX;
  return (position / Math.max(1, total - viewH / rowH)) * Math.max(1, contentH - viewH);
}

function EventLine({ row, technique, vmNames }: { row: EventRow; technique: TechniqueId; vmNames: readonly string[] | null }) {
  const e = row.event;
  const x = explain(e, technique);
  return (
    <>
      <span className="ev-index">{fmt(row.index + 1)}</span>
      <span className="ev-step" title="instructions retired when it happened">
        {fmt(e.step ?? 0)}
      </span>
      {vmNames && <span className="ev-vm">{vmNames[e.vm] ?? e.vm}</span>}
      <span className="ev-kind" style={{ color: kindColor(e.kind) }}>
        {e.kind === 'fidelity-violation' ? '⚠ ' : ''}
        {e.kind}
      </span>
      <span className="ev-summary">{x.summary}</span>
    </>
  );
}

function Detail({ event, technique }: { event: TraceEvent | undefined; technique: TechniqueId }) {
  const vendor = useApp((s) => s.settings.vendor);
  if (!event) return <div className="event-detail empty">Select an event to see why it happened and what the hypervisor did.</div>;
  const x = explain(event, technique, vendor);
  return (
    // Focusable, so that a keyboard can scroll a long explanation (axe: scrollable-region-focusable).
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className={`event-detail${event.kind === 'fidelity-violation' ? ' fidelity' : ''}`} aria-label="Event detail" tabIndex={0}>
      <p>
        <b style={{ color: kindColor(event.kind) }}>{event.kind}</b> at PC 0x{event.pc.toString(16).toUpperCase()}, instruction{' '}
        {fmt(event.step ?? 0)}, cycle {fmt(event.time)}
      </p>
      <p>
        <span className="detail-label">Why</span> {x.why}
      </p>
      <p>
        <span className="detail-label">Then</span> {x.did}
      </p>
    </section>
  );
}

export function EventsPanel() {
  const store = useAppStore();
  const filter = useApp((s) => s.eventFilter);
  const total = useApp((s) => s.snapshot?.eventCounts?.[s.eventFilter] ?? 0);
  const all = useApp((s) => s.snapshot?.eventCount ?? 0);
  const firstKept = useApp((s) => Math.min(s.snapshot?.eventsFirstKept ?? 0, s.snapshot?.eventCount ?? 0));
  const violations = useApp((s) => s.snapshot?.eventCounts?.['fidelity-violation'] ?? 0);
  const vmx = useApp((s) => s.snapshot?.eventCounts?.vmx ?? 0);
  const kinds = useApp(useShallow((s) => EVENT_KINDS.filter((k) => (s.snapshot?.eventCounts?.[k] ?? 0) > 0)));
  const technique = useApp((s) => s.snapshot?.technique ?? 'native');
  const vmNames = useApp(useShallow((s) => ((s.snapshot?.vms.length ?? 0) > 1 ? (s.snapshot?.vms.map((v) => v.name) ?? []) : null)));
  useSyncExternalStore(
    useCallback((l: () => void) => store.rows.subscribe(l), [store]),
    () => store.rows.version,
  );

  const list = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ scrollTop: 0, height: 240, rowH: 28 });
  const [follow, setFollow] = useState(true);
  const [active, setActive] = useState<number | null>(null);
  /** The scrollTop the list set itself (following): its scroll event is not the reader scrolling away. */
  const programmatic = useRef(-1);

  // Row height follows the font size (a projector's larger type); the view's height follows the panel.
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const measure = () => {
      const font = Number.parseFloat(getComputedStyle(el).fontSize) || 16;
      setView((v) => ({ ...v, height: el.clientHeight, rowH: Math.round(font * 1.75) }));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Following: the list shows the latest events as they come (and after a seek, the run's present). The
  // scroll position is worked out, not read back: the rows drawn are those at the end in this very
  // render, and the list is scrolled there once (no second render, no layout read per frame).
  const followTop = Math.max(0, Math.min(total * view.rowH, MAX_SCROLL_PX) - view.height);
  const scrollTop = follow ? followTop : view.scrollTop;
  useLayoutEffect(() => {
    const el = list.current;
    if (!el || !follow) return;
    programmatic.current = followTop;
    el.scrollTop = followTop;
  }, [follow, followTop]);

  useEffect(() => {
    if (active !== null && active >= total) setActive(null);
  }, [active, total]);

  const { first, offset, contentH } = windowOf(total, view.rowH, scrollTop, view.height);
  const visible = Math.ceil(view.height / view.rowH) + 1;
  const from = Math.max(0, first - OVERSCAN);
  const to = Math.min(total, first + visible + OVERSCAN);
  const rows: { position: number; row: EventRow | undefined }[] = [];
  for (let p = from; p < to; p++) rows.push({ position: p, row: store.rows.get(filter, p, total) });
  // The event the run was stepped to (Step to event, Back to event) is the one shown, where the filter lists it.
  const stepped = useApp((s) => {
    const at = s.status.event;
    if (!at?.chosen) return null;
    if (s.eventFilter === 'all') return at.index - (s.snapshot?.eventsFirstKept ?? 0);
    if (s.eventFilter === 'all-but-vmx') return at.event.kind === 'vmx' ? null : (at.listed ?? null);
    return s.eventFilter === 'hypervisor' ? (at.position ?? null) : null;
  });
  const shown = active ?? (stepped !== null && stepped < total ? stepped : total > 0 ? total - 1 : null);
  const shownRow = shown === null ? undefined : store.rows.get(filter, shown, total);

  const reveal = (position: number) => {
    const el = list.current;
    if (!el) return;
    const top = (position - first) * view.rowH - offset;
    if (top < 0 || top + view.rowH > view.height) {
      el.scrollTop = scrollFor(Math.max(0, position - Math.floor(visible / 2)), total, view.rowH, view.height);
    }
  };
  const choose = (position: number) => {
    const p = Math.max(0, Math.min(total - 1, position));
    setActive(p);
    const keep = p === total - 1 && follow;
    // Leaving the end: the list scrolls from where following had put it.
    if (follow && !keep) setView((v) => ({ ...v, scrollTop: followTop }));
    setFollow(keep);
    reveal(p);
  };
  const seekTo = (position: number) => {
    const row = store.rows.get(filter, position, total);
    if (!row) return;
    // Several VMs: the Registers and Console panels follow the event's VM ("vm2 crashed" shows vm2).
    if ((vmNames?.length ?? 0) > 1) store.setState({ viewVm: row.event.vm });
    store.commands.seekEvent(row.index);
  };

  const onKey = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (!total) return;
    const at = shown ?? total - 1;
    const page = Math.max(1, visible - 2);
    let handled = true;
    if (e.key === 'ArrowDown') choose(at + 1);
    else if (e.key === 'ArrowUp') choose(at - 1);
    else if (e.key === 'PageDown') choose(at + page);
    else if (e.key === 'PageUp') choose(at - page);
    else if (e.key === 'Home') choose(0);
    else if (e.key === 'End') {
      setActive(null);
      setFollow(true);
    } else if (e.key === 'Enter' || e.key === ' ') seekTo(at);
    else handled = false;
    if (handled) e.preventDefault();
  };

  return (
    <section className="panel events" aria-label="Events">
      <h2>
        Events{' '}
        <span className="subtitle">
          {fmt(all)} so far{filter === 'all' ? '' : ` · ${fmt(total)} shown`}
          {firstKept > 0 ? ` · the oldest ${fmt(firstKept)} no longer kept` : ''}
        </span>
        {violations > 0 && (
          <button type="button" className="violations" onClick={() => store.commands.setEventFilter('fidelity-violation')}>
            ⚠ {fmt(violations)} fidelity violation{violations === 1 ? '' : 's'}
          </button>
        )}
        <label className="events-tools">
          <span>Show</span>
          <select value={filter} onChange={(e) => store.commands.setEventFilter(e.target.value as EventFilter)}>
            {[...new Set<EventFilter>(['all', 'all-but-vmx', 'hypervisor', ...kinds, filter])].map((f) => (
              <option key={f} value={f}>
                {FILTER_TEXT[f] ?? f}
              </option>
            ))}
          </select>
        </label>
        {vmx > 0 && (filter === 'all' || filter === 'all-but-vmx') && (
          <label
            className="events-tools vmx-toggle"
            title={`Show the hypervisor's own VMX/SVM instructions (${fmt(vmx)} vmx events: VMREAD, VMWRITE, VMRESUME, VMRUN…)`}
          >
            <input
              type="checkbox"
              aria-label="Show vmx events"
              checked={filter === 'all'}
              onChange={(e) => store.commands.setEventFilter(e.target.checked ? 'all' : 'all-but-vmx')}
            />
            <span aria-hidden="true">vmx</span>
          </label>
        )}
      </h2>
      <div
        ref={list}
        className="event-list"
        role="listbox"
        aria-label="Event list"
        title="Click an event, or Enter on it, to move the run to that moment"
        tabIndex={0}
        aria-activedescendant={shown !== null && shown >= from && shown < to ? `event-row-${shown}` : undefined}
        onKeyDown={onKey}
        onScroll={(e) => {
          const el = e.currentTarget;
          // The list's own scroll (following) has already been drawn.
          if (Math.abs(el.scrollTop - programmatic.current) < 1) return;
          const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
          if (follow && atBottom) return;
          setFollow(atBottom && active === null);
          setView((v) => ({ ...v, scrollTop: el.scrollTop }));
        }}
      >
        {/* Never shown: it draws a row's faces (the kind in bold) while the list is empty, so that the
            system's font lookup for them is done before a run's first frame, not during it. */}
        <span className="ev-kind event-face-sample" aria-hidden="true">
          trap
        </span>
        <div className="event-spacer" style={{ height: contentH }}>
          {rows.map(({ position, row }) => {
            const e = row?.event;
            const top = scrollTop - offset + (position - first) * view.rowH;
            return (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox owns the keys (aria-activedescendant): arrows, Enter
              // biome-ignore lint/a11y/useFocusableInteractive: options of an aria-activedescendant listbox are not focused themselves
              <div
                // Keyed by slot, not by position: as the list follows a run, the same few elements show
                // the newest rows (their text changes) instead of being made and thrown away every frame.
                key={position % (visible + 2 * OVERSCAN)}
                id={`event-row-${position}`}
                role="option"
                aria-selected={position === shown}
                className={`event-row${e?.kind === 'fidelity-violation' ? ' fidelity' : ''}${position === shown ? ' active' : ''}`}
                style={{ top: Math.max(0, Math.min(contentH - view.rowH, top)), height: view.rowH }}
                onClick={() => {
                  setActive(position);
                  seekTo(position);
                }}
              >
                {row ? <EventLine row={row} technique={technique} vmNames={vmNames} /> : <span className="ev-loading">…</span>}
              </div>
            );
          })}
        </div>
        {total === 0 && (
          // A listbox owns options: while there are no events, the note is its one (disabled) option.
          // biome-ignore lint/a11y/useFocusableInteractive: options of an aria-activedescendant listbox are not focused themselves
          <div className="note empty-list" role="option" aria-selected={false} aria-disabled="true">
            {all === 0 || filter === 'all'
              ? `No events yet: run or step the program.${HIDDEN_TEXT[filter] && (filter !== 'all-but-vmx' || technique === 'hardware-assisted') ? ` The filter “${FILTER_TEXT[filter]}” hides ${HIDDEN_TEXT[filter]}.` : ''}`
              : `None of the ${fmt(all)} events so far is shown: the filter “${FILTER_TEXT[filter] ?? filter}” hides them all${HIDDEN_TEXT[filter] ? `, ${HIDDEN_TEXT[filter]}` : ''}.`}
          </div>
        )}
      </div>
      {total === 0 && all > 0 && filter !== 'all' && (
        <p className="filter-note">
          <button type="button" className="link" onClick={() => store.commands.setEventFilter('all')}>
            Show all events
          </button>
        </p>
      )}
      <Detail event={shownRow?.event} technique={technique} />
    </section>
  );
}
