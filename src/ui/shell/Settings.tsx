// The machine settings: technique, instruction set, cost preset, paging, hypervisor type, the hardware's
// vendor and the exit controls (hardware-assisted, in the Exit controls menu). Every change loads the run again (a different machine is a different run).

import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import {
  type ExitControls,
  effectiveExitControls,
  forcedExitControls,
  isPagingMode,
  PAGING_SETTINGS,
  type PagingMode,
  PRESET_IDS,
  type PresetId,
  TECHNIQUE_IDS,
  type Vendor,
} from '../../config';
import { useApp, useAppStore } from '../state/context';
import { isTechniqueId, type MachineSettings } from '../state/store';
import { ProductPicker } from './ProductPicker';

const EXCEPTIONS: readonly { vector: number; name: string }[] = [
  { vector: 0, name: '#DE' },
  { vector: 6, name: '#UD' },
  { vector: 13, name: '#GP' },
  { vector: 14, name: '#PF' },
];

function Select<T extends string>({
  label,
  value,
  options,
  onChange,
  hint,
}: {
  label: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (v: T) => void;
  hint?: string;
}) {
  return (
    <label className="setting" title={hint}>
      <span>{label}</span>
      <select
        value={value}
        onChange={(e) => {
          const v = options.find(([id]) => id === e.target.value);
          if (v) onChange(v[0]);
        }}
      >
        {options.map(([id, text]) => (
          <option key={id} value={id}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Settings() {
  const { commands } = useAppStore();
  const technique = useApp((s) => s.technique);
  const isa = useApp((s) => s.isa);
  const settings = useApp((s) => s.settings);
  const paging = useApp((s) => s.snapshot?.paging ?? '');
  const set = (patch: Partial<MachineSettings>) => commands.setSettings(patch);
  return (
    <fieldset className="settings">
      <legend className="sr-only">Machine settings</legend>
      <label className="setting technique">
        <span>Technique</span>
        <select
          value={technique}
          aria-keyshortcuts="1 2 3 4 5 6"
          title="The virtualization technique (keys 1–6)"
          onChange={(e) => {
            if (isTechniqueId(e.target.value)) commands.setTechnique(e.target.value);
          }}
        >
          {TECHNIQUE_IDS.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <ProductPicker />
      <Select
        label="Instruction set"
        value={isa}
        options={[
          ['classic', 'classic'],
          ['strict', 'strict'],
        ]}
        hint="classic: PUSHF, POPF, SMSW, SIDT run at CPL > 0 (the 386's flaw); strict: they are privileged"
        onChange={(v) => commands.setIsa(v)}
      />
      <Select<PresetId>
        label="Cost preset"
        value={settings.preset}
        options={PRESET_IDS.map((id) => [id, id] as const)}
        hint="2006: Pentium 4 with first-generation VT-x (no EPT, no tagged TLB); modern: EPT and VPID"
        onChange={(preset) => set({ preset })}
      />
      <Select
        label="Paging"
        value={settings.paging}
        options={PAGING_SETTINGS.map((id) => [id, id] as const)}
        hint="How guest memory is virtualized: shadow page tables or nested paging (EPT); auto picks nested where offered"
        onChange={(p) => set({ paging: p })}
      />
      <Select<'1' | '2'>
        label="Hypervisor type"
        value={String(settings.hypervisorType) as '1' | '2'}
        options={[
          ['1', 'type 1'],
          ['2', 'type 2'],
        ]}
        hint="Type 1 owns the machine; type 2 runs on a host OS, which handles I/O and timer interrupts"
        onChange={(v) => set({ hypervisorType: v === '2' ? 2 : 1 })}
      />
      <ExitControlsMenu asked={settings.exits} paging={paging} enabled={technique === 'hardware-assisted'} />
    </fieldset>
  );
}

/**
 * Whose hardware assistance, for the hardware-assisted technique (first in the Exit controls menu: the
 * settings row has no room left for it at 1280 px): Intel VT-x (a VMCS, VM exits with Intel's
 * reason numbers) or AMD-V (VMRUN on a VMCB, #VMEXIT codes of Linux's svm.h). The scenario's
 * `hypervisor.vendor`, so share links carry it.
 */
function VendorSetting() {
  const { commands } = useAppStore();
  const shown = useApp((s) => s.technique === 'hardware-assisted');
  const vendor = useApp((s) => s.settings.vendor);
  if (!shown) return null;
  return (
    <Select<Vendor>
      label="Vendor"
      value={vendor}
      options={[
        ['intel', 'Intel VT-x'],
        ['amd', 'AMD-V'],
      ]}
      hint="Intel VT-x: VMLAUNCH/VMRESUME on a VMCS, VM exits by Intel's reason numbers; AMD-V: VMRUN on a VMCB, #VMEXIT codes and names of Linux's svm.h"
      onChange={(v) => commands.setSettings({ vendor: v })}
    />
  );
}

function ExitControlsMenu({ asked, paging, enabled }: { asked: Partial<ExitControls>; paging: string; enabled: boolean }) {
  const { commands } = useAppStore();
  // Before the first snapshot, and for techniques without hardware paging, the rule of nested paging (nothing forced).
  const mode: PagingMode = isPagingMode(paging) ? paging : 'nested';
  const exits = effectiveExitControls(mode, asked);
  const locked = forcedExitControls(mode);
  const forced = 'forced on: the hypervisor needs it to keep its shadow page tables';
  const set = (patch: Partial<ExitControls>) => commands.setSettings({ exits: { ...asked, ...patch } });
  const toggleException = (vector: number, on: boolean) => {
    const list = new Set(asked.exceptions ?? []);
    if (on) list.add(vector);
    else list.delete(vector);
    set({ exceptions: [...list].sort((a, b) => a - b) });
  };
  const box = (label: string, checked: boolean, onChange: (v: boolean) => void, lockedOn = false) => (
    <label className="check" title={lockedOn ? forced : undefined}>
      <input type="checkbox" checked={checked} disabled={!enabled || lockedOn} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
  const details = useRef<HTMLDetailsElement>(null);
  const panel = useRef<HTMLFieldSetElement>(null);
  const [open, setOpen] = useState(false);
  // Open: kept inside the viewport (shifted left where the summary sits near the right edge, scrolled
  // within when the screen is short), closed by Escape or a click elsewhere (then that click does its work).
  useLayoutEffect(() => {
    const el = panel.current;
    if (!open || !el) return;
    el.style.left = '0px';
    el.style.maxHeight = '';
    const r = el.getBoundingClientRect();
    const margin = 8;
    const overflow = r.right - (document.documentElement.clientWidth - margin);
    if (overflow > 0) el.style.left = `${-Math.min(overflow, r.left - margin)}px`;
    el.style.maxHeight = `${Math.max(160, window.innerHeight - r.top - margin)}px`;
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (details.current && e.target instanceof Node && !details.current.contains(e.target)) details.current.open = false;
    };
    document.addEventListener('pointerdown', onDown, true);
    return () => document.removeEventListener('pointerdown', onDown, true);
  }, [open]);
  return (
    <details
      ref={details}
      className="exit-controls"
      onToggle={(e) => setOpen(e.currentTarget.open)}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !details.current?.open) return;
        e.preventDefault();
        e.stopPropagation();
        details.current.open = false;
        details.current.querySelector('summary')?.focus();
      }}
    >
      <summary>Exit controls</summary>
      <fieldset disabled={!enabled} ref={panel}>
        <legend>VM-exit controls {enabled ? `(${paging || 'hardware-assisted'} paging)` : '(hardware-assisted only)'}</legend>
        <VendorSetting />
        {box('HLT exiting', exits.hlt, (hlt) => set({ hlt }))}
        {box('I/O exiting', exits.io, (io) => set({ io }))}
        {box('CR3-load exiting', exits.cr3, (cr3) => set({ cr3 }), locked.cr3)}
        {box('INVLPG exiting', exits.invlpg, (invlpg) => set({ invlpg }), locked.invlpg)}
        <fieldset className="bitmap">
          <legend>Exception bitmap</legend>
          {EXCEPTIONS.map(({ vector, name }) => (
            <span key={vector}>
              {box(
                `${name} exiting`,
                exits.exceptions.includes(vector),
                (on) => toggleException(vector, on),
                locked.exceptions.includes(vector),
              )}
            </span>
          ))}
        </fieldset>
      </fieldset>
    </details>
  );
}
