// The Registers panel: the guest's virtual CPU beside the real CPU (virtual against real CPL, vIF against
// real IF, the guest's CR3 against what the real CR3 points at, the guest's IDTR against the real one,
// VMX mode), then the general and system registers as the guest sees them; on bare metal, the machine's
// own CPU in one column (nothing is virtual). Each change since the last update of the same run is highlighted.
import { useRef } from 'react';
import { FLAG_BITS } from '../../../isa/table';
import type { CpuView, RealCpu, TechniqueId } from '../../../protocol/messages';
import { useShownVm, VmPicker } from '../../shared/VmPicker';
import { useApp } from '../../state/context';

type Reg = keyof CpuView;
const GENERAL: readonly Reg[] = ['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7'];
const SYSTEM: readonly Reg[] = ['PC', 'FLAGS', 'CR0', 'CR2', 'KSP'];

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

/** Decimal beside the hex while it stays short (counters, characters, small offsets); the title has it always. */
function shortDecimal(v: number): string {
  const d = String(v | 0);
  return d.length <= 7 ? d : '';
}

function flagNames(flags: number): string {
  return (Object.keys(FLAG_BITS) as (keyof typeof FLAG_BITS)[]).filter((f) => flags & FLAG_BITS[f]).join(' ') || 'none';
}

/** One row of "virtual against real": what the guest believes, what the CPU has. */
interface Pair {
  readonly name: string;
  readonly title: string;
  readonly virtual: string;
  readonly real: string;
}

function pairsOf(cpu: CpuView, real: RealCpu | undefined, technique: TechniqueId): Pair[] {
  const vif = cpu.FLAGS & FLAG_BITS.IF ? '1' : '0';
  if (technique === 'native') {
    // Bare metal: no hypervisor, so no virtual CPU: the registers are the machine's own (one column).
    return [
      { name: 'CPL', title: 'Privilege level: the ring the CPU runs the program at', virtual: String(cpu.CPL), real: '' },
      { name: 'IF', title: 'Interrupt flag of the CPU', virtual: vif, real: '' },
      { name: 'CR3', title: 'Page-table base', virtual: hex(cpu.CR3), real: '' },
      { name: 'IDTR', title: 'Interrupt table', virtual: hex(cpu.IDTR), real: '' },
    ];
  }
  const notOnCpu = technique === 'interpret' ? 'not on the CPU' : '—';
  return [
    {
      name: 'CPL',
      title: 'Privilege level: the ring the guest believes it runs in, and the ring the CPU really runs it at',
      virtual: String(cpu.CPL),
      real: real && technique !== 'interpret' ? String(real.cpl) : notOnCpu,
    },
    {
      name: 'IF',
      title: 'Interrupt flag: the guest’s virtual IF (vIF) and the real IF while the guest runs',
      virtual: vif,
      real: real?.interruptsEnabled === null || !real ? notOnCpu : real.interruptsEnabled ? '1' : '0',
    },
    {
      name: 'CR3',
      title: 'Page-table base: the guest’s own, and what the real CR3 points at',
      virtual: hex(cpu.CR3),
      real: real?.cr3 ?? '—',
    },
    {
      name: 'IDTR',
      title: 'Interrupt table: the guest’s, and the one the CPU uses',
      virtual: hex(cpu.IDTR),
      real: real ? hex(real.idtr) : '—',
    },
    {
      name: 'Mode',
      title: 'VMX mode of the CPU (hardware assistance)',
      virtual: 'guest',
      real: real?.mode ? `VMX ${real.mode}` : '—',
    },
  ];
}

/** Remembers the previous values; what differs after the run moved (forwards or back) is marked. */
function useChanges<K extends string>(values: Readonly<Record<K, string>> | undefined, steps: number): ReadonlySet<K> {
  const previous = useRef<{ key: string; values: Readonly<Record<K, string>> | undefined; steps: number; changed: ReadonlySet<K> }>({
    key: '',
    values: undefined,
    steps: -1,
    changed: new Set(),
  });
  const key = `${JSON.stringify(values)}@${steps}`;
  const p = previous.current;
  if (p.key !== key) {
    const changed = new Set<K>();
    if (p.values && values && steps !== p.steps) {
      for (const k of Object.keys(values) as K[]) if (p.values[k] !== values[k]) changed.add(k);
    }
    previous.current = { key, values, steps, changed };
  }
  return previous.current.changed;
}

export function RegistersPanel() {
  const current = useShownVm();
  const cpu = useApp((s) => s.snapshot?.vms[current]?.cpu);
  const real = useApp((s) => s.snapshot?.inspection?.vms[current]?.real);
  const vmName = useApp((s) => ((s.snapshot?.vms.length ?? 0) > 1 ? s.snapshot?.vms[current]?.name : undefined));
  const technique = useApp((s) => s.snapshot?.technique ?? 'native');
  const steps = useApp((s) => s.snapshot?.steps ?? 0);
  const running = useApp((s) => s.status.state === 'running');

  const pairs = cpu ? pairsOf(cpu, real, technique) : [];
  const pairValues = cpu ? Object.fromEntries(pairs.map((p) => [p.name, `${p.virtual}|${p.real}`])) : undefined;
  const regValues = cpu ? (Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, String(v)])) as Record<Reg, string>) : undefined;
  // While running everything changes: nothing is marked. Stepping (or stepping back) marks each change.
  const changedPairs = useChanges(pairValues, steps);
  const changedRegs = useChanges(regValues, steps);
  const pairChanged = running ? new Set<string>() : changedPairs;
  const regChanged = running ? new Set<Reg>() : changedRegs;
  const bare = technique === 'native';
  const differs = (p: Pair) => p.name !== 'Mode' && p.real !== '—' && p.real !== p.virtual && !/^not/.test(p.real);

  return (
    <section className="panel registers" aria-label="Registers">
      <h2>
        Registers{vmName ? ` · ${vmName}` : ''}{' '}
        {bare ? (
          <span className="subtitle" title="bare metal: no hypervisor, so nothing is virtual">
            the machine's CPU
          </span>
        ) : (
          <span className="subtitle" title="virtual: what the guest sees; real: what the CPU has">
            virtual vs real
          </span>
        )}
        <VmPicker label="VM shown in Registers" />
      </h2>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the registers scroll on a small screen; keyboard users must reach them */}
      <section className="register-columns" tabIndex={0} aria-label="Register values">
        <table className="virtual-real">
          <caption className="sr-only">
            {bare ? 'The CPU (bare metal: nothing virtual)' : 'The guest’s virtual CPU against the real CPU'}
          </caption>
          <thead>
            <tr>
              <th scope="col">
                <span className="sr-only">register</span>
              </th>
              {bare ? (
                <th scope="col" title="the machine's own CPU: no hypervisor">
                  CPU
                </th>
              ) : (
                <>
                  <th scope="col" title="what the guest sees">
                    virtual
                  </th>
                  <th scope="col" title="what the CPU has">
                    real
                  </th>
                </>
              )}
            </tr>
          </thead>
          <tbody>
            {pairs.map((p) => (
              <tr key={p.name} className={pairChanged.has(p.name) ? 'changed' : undefined}>
                <th scope="row" title={p.title}>
                  {p.name === 'IF' ? 'IF' : p.name}
                </th>
                <td className="value">{p.name === 'IF' ? `${bare ? 'IF' : 'vIF'} ${p.virtual}` : p.virtual}</td>
                {!bare && (
                  <td className={`value real${differs(p) ? ' differs' : ''}`} title={p.real}>
                    {p.real}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        <table className="general">
          <caption className="sr-only">General registers (R7 is SP)</caption>
          <tbody>
            {GENERAL.map((name) => (
              <RegRow key={name} name={name} cpu={cpu} changed={regChanged.has(name)} />
            ))}
          </tbody>
        </table>
        <table className="system">
          <caption className="sr-only">System registers</caption>
          <tbody>
            {SYSTEM.map((name) => (
              <RegRow key={name} name={name} cpu={cpu} changed={regChanged.has(name)} />
            ))}
          </tbody>
        </table>
      </section>
      {cpu && (
        <p className="decoded">
          flags <b>{flagNames(cpu.FLAGS)}</b> · paging <b>{cpu.CR0 & 0x80000000 ? 'on' : 'off'}</b>
        </p>
      )}
    </section>
  );
}

function RegRow({ name, cpu, changed }: { name: Reg; cpu: CpuView | undefined; changed: boolean }) {
  const v = cpu?.[name];
  return (
    <tr className={changed ? 'changed' : undefined}>
      <th scope="row" title={name === 'R7' ? 'R7 is the stack pointer, SP' : undefined}>
        {name}
      </th>
      <td className="value" title={v === undefined ? undefined : `${name} = ${shortDecimal(v) || String(v | 0)} in decimal`}>
        {v === undefined ? '—' : hex(v)}
      </td>
    </tr>
  );
}
