import { useRef } from 'react';
import { FLAG_BITS } from '../../isa/table';
import type { CpuView } from '../../protocol/messages';
import { useApp } from '../context';

type Reg = keyof CpuView;
const GENERAL: readonly Reg[] = ['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7'];
const SYSTEM: readonly Reg[] = ['PC', 'FLAGS', 'CPL', 'CR0', 'CR2', 'CR3', 'IDTR', 'KSP'];
const ALL = [...GENERAL, ...SYSTEM];

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

/** Decimal beside the hex while it stays short (counters, characters, small offsets); the title has it always. */
function shortDecimal(v: number): string {
  const d = String(v | 0);
  return d.length <= 7 ? d : '';
}

function flagNames(flags: number): string {
  return (Object.keys(FLAG_BITS) as (keyof typeof FLAG_BITS)[]).filter((f) => flags & FLAG_BITS[f]).join(' ') || 'none';
}

function Rows({
  names,
  cpu,
  changed,
  decimal,
}: {
  names: readonly Reg[];
  cpu: CpuView | undefined;
  changed: ReadonlySet<Reg>;
  decimal: boolean;
}) {
  return (
    <table>
      <tbody>
        {names.map((name) => {
          const v = cpu?.[name];
          return (
            <tr key={name} className={changed.has(name) ? 'changed' : undefined}>
              <th scope="row" title={name === 'R7' ? 'R7 is the stack pointer, SP' : undefined}>
                {name}
              </th>
              <td className="value" title={v === undefined ? undefined : String(v | 0)}>
                {v === undefined ? '—' : name === 'CPL' ? String(v) : hex(v)}
              </td>
              {decimal && <td className="decimal">{v === undefined ? '' : shortDecimal(v)}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function RegistersPanel() {
  const cpu = useApp((s) => s.snapshot?.vms[0]?.cpu);
  const steps = useApp((s) => s.snapshot?.steps ?? 0);
  const running = useApp((s) => s.status.state === 'running');
  // Registers that changed since the previous update of the same run are marked, except while running
  // (they all would); a fresh run (fewer steps than before) marks nothing.
  const previous = useRef<{ cpu: CpuView | undefined; steps: number; changed: Set<Reg> }>({ cpu: undefined, steps: 0, changed: new Set() });
  if (previous.current.cpu !== cpu) {
    const before = previous.current;
    const changed = new Set<Reg>();
    if (before.cpu && cpu && steps > before.steps) for (const k of ALL) if (before.cpu[k] !== cpu[k]) changed.add(k);
    previous.current = { cpu, steps, changed };
  }
  const changed = running ? new Set<Reg>() : previous.current.changed;
  return (
    <section className="panel registers" aria-label="Registers">
      <h2>Registers</h2>
      <div className="register-columns">
        <Rows names={GENERAL} cpu={cpu} changed={changed} decimal />
        <Rows names={SYSTEM} cpu={cpu} changed={changed} decimal={false} />
      </div>
      {cpu && (
        <p className="decoded">
          flags <b>{flagNames(cpu.FLAGS)}</b> · ring <b>{cpu.CPL}</b> · paging <b>{cpu.CR0 & 0x80000000 ? 'on' : 'off'}</b>
        </p>
      )}
    </section>
  );
}
