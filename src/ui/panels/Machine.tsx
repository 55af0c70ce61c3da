import { useApp } from '../context';

const fmt = (n: number) => n.toLocaleString('en-US');

export function MachinePanel() {
  const snap = useApp((s) => s.snapshot);
  const vm = snap?.vms[0];
  const rows: [string, string][] =
    snap && vm
      ? [
          ['VM state', vm.crashReason ? `${vm.state} (${vm.crashReason})` : vm.state],
          ['Exit code', vm.exitCode === null ? '—' : String(vm.exitCode)],
          ['Instructions', fmt(snap.counters.instructions)],
          ['Cycles', fmt(snap.cycles.total)],
          ['Traps', fmt(snap.counters.traps)],
          ['VM exits', fmt(snap.counters.vmExits)],
          ['Hypercalls', fmt(snap.counters.hypercalls)],
          ['Port I/O', fmt(snap.counters.io)],
          ['Interrupts', fmt(snap.counters.interrupts)],
          ['Paging', snap.paging],
        ]
      : [];
  return (
    <section className="panel machine" aria-label="Machine">
      <h2>Machine{vm ? ` · ${vm.name}` : ''}</h2>
      {rows.length ? (
        <dl>
          {rows.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="note">Nothing loaded.</p>
      )}
    </section>
  );
}
