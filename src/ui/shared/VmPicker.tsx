// Several VMs: which one the Registers and Console panels show. By default they follow the VM the CPU
// runs; a student picks one to read it at leisure (a crashed VM's final state, say), and clicking an event
// or a VM in the Machine panel picks that VM.
import { useShallow } from 'zustand/react/shallow';
import { useApp, useAppStore } from '../state/context';

/** The VM shown: the one picked, else the one the CPU runs (always a valid index, 0 with nothing loaded). */
export function useShownVm(): number {
  return useApp((s) => {
    const n = s.snapshot?.vms.length ?? 0;
    const v = s.viewVm ?? s.snapshot?.inspection?.current ?? 0;
    return v >= 0 && v < n ? v : 0;
  });
}

/** The picker, drawn only where there are several VMs. */
export function VmPicker({ label }: { label: string }) {
  const store = useAppStore();
  const viewVm = useApp((s) => s.viewVm);
  const vms = useApp(useShallow((s) => (s.snapshot?.vms ?? []).map((v) => `${v.name}${v.state === 'running' ? '' : ` (${v.state})`}`)));
  if (vms.length < 2) return null;
  return (
    <label className="vm-picker">
      <span className="sr-only">{label}</span>
      <select
        aria-label={label}
        value={viewVm === null ? 'follow' : String(viewVm)}
        onChange={(e) => store.setState({ viewVm: e.target.value === 'follow' ? null : Number(e.target.value) })}
      >
        <option value="follow">the running VM</option>
        {vms.map((name, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a VM's index is its identity in the scenario
          <option key={i} value={i}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
