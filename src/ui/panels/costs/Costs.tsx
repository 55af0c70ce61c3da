// The Costs panel: the run's counters and a live stacked bar of host cycles by category (costs.md):
// where the time goes under each technique.
import { useLayoutEffect, useRef, useState } from 'react';
import type { Counters } from '../../../protocol/messages';
import { fmt } from '../../shared/format';
import { useApp } from '../../state/context';
import { CalibrationTable } from './Calibration';

/** The calibration table never changes: one element, so React skips it when the counters re-render the panel. */
const CALIBRATION_TABLE = <CalibrationTable />;

/** Cost categories in the order they stack, with a colour and a plain name each. */
export const CATEGORIES: readonly { id: string; label: string; color: string }[] = [
  { id: 'guest', label: 'guest code', color: '#15803d' },
  { id: 'memory', label: 'memory (page walks)', color: '#64748b' },
  { id: 'interpretation', label: 'interpretation', color: '#a16207' },
  { id: 'trap', label: 'traps', color: '#c2410c' },
  { id: 'vm-exit', label: 'VM exits', color: '#7c3aed' },
  { id: 'hypercall', label: 'hypercalls', color: '#0e7490' },
  { id: 'translation', label: 'translation', color: '#1d4ed8' },
  { id: 'hypervisor', label: 'hypervisor work', color: '#9f1239' },
  { id: 'world-switch', label: 'world switches', color: '#be185d' },
];

export const COUNTERS: readonly { key: keyof Counters; label: string }[] = [
  { key: 'instructions', label: 'Instructions' },
  { key: 'traps', label: 'Traps' },
  { key: 'emulated', label: 'Emulated' },
  { key: 'reflected', label: 'Reflected' },
  { key: 'injected', label: 'Injected' },
  { key: 'vmExits', label: 'VM exits' },
  { key: 'hypercalls', label: 'Hypercalls' },
  { key: 'translatedBlocks', label: 'Translated blocks' },
  { key: 'tcHits', label: 'TC hits' },
  { key: 'worldSwitches', label: 'World switches' },
  { key: 'hiddenFaults', label: 'Hidden faults' },
  { key: 'shadowUpdates', label: 'Shadow updates' },
  { key: 'tlbMisses', label: 'TLB misses' },
  { key: 'interrupts', label: 'Interrupts' },
  { key: 'io', label: 'Port I/O' },
  { key: 'fidelityViolations', label: 'Fidelity violations' },
];

export function CostsPanel() {
  const counters = useApp((s) => s.snapshot?.counters);
  const cycles = useApp((s) => s.snapshot?.cycles);
  const total = cycles?.total ?? 0;
  // On bare metal the program's code is not a guest's: the same category, the machine's words.
  const bare = useApp((s) => s.snapshot?.technique === 'native');
  const parts = CATEGORIES.map((c) => ({
    ...c,
    label: bare && c.id === 'guest' ? 'program code' : c.label,
    value: cycles?.byCategory[c.id] ?? 0,
  })).filter((c) => c.value > 0);
  const perInstruction = counters?.instructions ? total / counters.instructions : 0;
  // Focusable only while the counters scroll (a short panel): keyboard users reach them, and there is no
  // extra tab stop otherwise.
  const counterList = useRef<HTMLDListElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useLayoutEffect(() => {
    const el = counterList.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const check = () => setScrolls(el.scrollHeight > el.clientHeight + 1);
    check();
    const ro = new ResizeObserver(check);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return (
    <section className="panel costs" aria-label="Costs">
      <h2>
        Costs{' '}
        <span className="subtitle">
          {fmt(total)} cycles{perInstruction ? ` · ${perInstruction.toFixed(1)} per instruction` : ''}
        </span>
      </h2>
      <div
        className="cost-bar"
        role="img"
        aria-label={`Cycles by category: ${parts.map((p) => `${p.label} ${Math.round((100 * p.value) / (total || 1))}%`).join(', ') || 'none yet'}`}
      >
        {parts.map((p) => (
          <span key={p.id} style={{ flexGrow: p.value, background: p.color }} title={`${p.label}: ${fmt(p.value)} cycles`} />
        ))}
      </div>
      <ul className="cost-legend">
        {parts.map((p) => (
          <li key={p.id}>
            <span className="swatch" style={{ background: p.color }} />
            {p.label} <b>{((100 * p.value) / (total || 1)).toFixed(p.value / (total || 1) < 0.1 ? 1 : 0)}%</b>
          </li>
        ))}
      </ul>
      {/* The counters scroll in a short panel: focusable, so that keyboard users reach them (WCAG 2.1.1). */}
      <dl className="counters" ref={counterList} tabIndex={scrolls ? 0 : undefined} aria-label="Counters">
        {COUNTERS.map(({ key, label }) => {
          const v = counters?.[key];
          const n = typeof v === 'number' ? v : 0;
          return (
            <div key={key} className={n === 0 ? 'zero' : key === 'fidelityViolations' ? 'alarm' : undefined}>
              <dt>{label}</dt>
              <dd>{fmt(n)}</dd>
            </div>
          );
        })}
      </dl>
      {counters && Object.keys(counters.vmExitsByReason).length > 0 && (
        <p className="by-reason">
          VM exits by reason:{' '}
          {Object.entries(counters.vmExitsByReason)
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(' · ')}
        </p>
      )}
      {CALIBRATION_TABLE}
    </section>
  );
}
