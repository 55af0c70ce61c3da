// The real products of `virtlab systems` in the settings bar: choosing one sets technique, instruction
// set, hypervisor type and cost preset as that product had them (one load); Wine is listed as not a VM,
// and choosing it changes nothing but says why. The chosen product shows while the settings are its own.
import { useState } from 'react';
import { isMachineOf, machineOf, SYSTEMS } from '../shared/real-systems';
import { SystemCard } from '../shared/SystemCard';
import { useApp, useAppStore } from '../state/context';

export function ProductPicker() {
  const { commands } = useAppStore();
  const technique = useApp((s) => s.technique);
  const isa = useApp((s) => s.isa);
  const settings = useApp((s) => s.settings);
  const [chosen, setChosen] = useState('');
  const system = SYSTEMS.find((s) => s.id === chosen);
  // A setting changed by hand since: the settings are no longer that product's.
  const current = system && (system.technique === null || isMachineOf(system, { technique, isa, settings })) ? system : undefined;
  return (
    <>
      <label className="setting product" title="A real hypervisor or emulator: sets technique, type and preset as it had them">
        <span>Real product</span>
        <select
          value={current?.id ?? ''}
          onChange={(e) => {
            const s = SYSTEMS.find((x) => x.id === e.target.value);
            setChosen(s?.id ?? '');
            const m = s && machineOf(s);
            if (m) commands.setMachine(m);
          }}
        >
          <option value="">(none chosen)</option>
          {SYSTEMS.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} ({s.year}){s.technique === null ? ': not a VM' : ''}
            </option>
          ))}
        </select>
      </label>
      {current && (
        <details className="product-note" open={current.technique === null}>
          <summary>
            {current.technique === null
              ? `${current.name} is not a virtual machine: why`
              : `${current.name}: what it did and what VirtLab simplifies`}
          </summary>
          <SystemCard system={current} />
        </details>
      )}
    </>
  );
}
