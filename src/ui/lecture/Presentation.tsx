// Presentation mode (key P, the Presentation button): for the back of a lecture hall at 1280×720. Large
// type, high contrast, only what matters: the program around the current instruction (or the machine's
// layers), the current event called out with its plain-language explanation (the Events panel's), and a
// summary of the registers, virtual against real. Keys: Space steps, → runs to the next event, ← goes
// back to the previous one, M switches program and machine, Escape leaves.
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { FLAG_BITS } from '../../isa/table';
import { HYPERVISOR_EVENT_KINDS, type TechniqueId, type TraceEvent } from '../../protocol/messages';
import { knownAssembly } from '../editor/assemble-off-thread';
import { explain, KERNEL_RING } from '../shared/explain';
import { fmt } from '../shared/format';
import { kindColor } from '../shared/palette';
import { statusText } from '../shell/Status';
import { useApp, useAppStore } from '../state/context';
import { editorIsLoaded } from '../state/store';

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase()}`;

/** The event to call out: the latest hypervisor event up to this moment, else the latest event at all. */
export function currentEvent(events: readonly TraceEvent[]): TraceEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (HYPERVISOR_EVENT_KINDS.has(events[i].kind)) return events[i];
  return events.at(-1);
}

function ProgramView() {
  const vm = useApp((s) => s.snapshot?.inspection?.current ?? s.activeVm);
  const source = useApp((s) => s.vms[vm]?.source ?? s.vms[0]?.source ?? '');
  const name = useApp((s) => (s.vms.length > 1 ? s.vms[vm]?.name : undefined));
  const pc = useApp((s) => (editorIsLoaded(s) && s.status.state !== 'running' ? (s.snapshot?.vms[vm]?.cpu.PC ?? null) : null));
  // The editor has assembled this source already (off the main thread); presentation mode never assembles.
  const map = useMemo(() => knownAssembly(source)?.sourceMap ?? [], [source]);
  const pcLine = pc === null ? null : (map.find((e) => e.address === pc)?.line ?? null);
  const lines = source.replace(/\n$/, '').split('\n');
  const box = useRef<HTMLElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the PC's line moving is the trigger, read through the DOM
  useLayoutEffect(() => {
    const el = box.current?.querySelector<HTMLElement>('.pc');
    const list = box.current;
    if (!el || !list) return;
    list.scrollTop = Math.max(0, el.offsetTop - list.clientHeight / 3);
  }, [pcLine]);
  return (
    <section className="p-program" aria-label="Program">
      <h2>Program{name ? ` · ${name}` : ''}</h2>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolled region must be reachable by keyboard to scroll */}
      <section ref={box} className="p-lines" tabIndex={0} aria-label="Source lines">
        <ol>
          {lines.map((text, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a line is its number
            <li key={i} className={i + 1 === pcLine ? 'pc' : undefined} aria-current={i + 1 === pcLine ? 'step' : undefined}>
              <span className="p-ln" aria-hidden="true">
                {i + 1 === pcLine ? '▶' : ''}
                {i + 1}
              </span>
              <code>{text || ' '}</code>
            </li>
          ))}
        </ol>
      </section>
    </section>
  );
}

function MachineView() {
  const snap = useApp((s) => s.snapshot);
  const technique: TechniqueId = snap?.technique ?? 'native';
  const current = snap?.inspection?.current ?? 0;
  const vm = snap?.inspection?.vms[current];
  const type2 = useApp((s) => s.settings.hypervisorType === 2);
  const inspected = snap?.inspection?.vms ?? [];
  const several = inspected.length > 1;
  // Every VM, side by side: the one the CPU runs lit in the layer it runs in.
  const guestLayers = (i: number) => {
    const layer = inspected[i]?.layer ?? 'guest-kernel';
    const on = i === current && (snap?.vms[i]?.state ?? 'running') === 'running';
    return [
      { id: 'user', name: technique === 'native' ? 'User code' : 'Guest user', note: 'ring 3', lit: on && layer === 'guest-user' },
      {
        id: 'kernel',
        name: technique === 'native' ? 'Kernel' : 'Guest kernel',
        note: technique === 'native' ? 'ring 0' : `runs at ${KERNEL_RING[technique]}`,
        lit: on && layer === 'guest-kernel',
      },
    ];
  };
  const below: { id: string; name: string; note: string; lit: boolean }[] = [];
  if (technique !== 'native') below.push({ id: 'hv', name: 'Hypervisor', note: type2 ? 'type 2, on a host OS' : 'type 1', lit: false });
  if (technique !== 'native' && type2) below.push({ id: 'host', name: 'Host OS', note: 'drives devices and timers', lit: false });
  below.push({ id: 'hw', name: 'Hardware', note: vm?.real.mode ? `CPU in VMX ${vm.real.mode} mode` : 'the real CPU', lit: false });
  const item = (l: { id: string; name: string; note: string; lit: boolean }) => (
    <li key={l.id} className={l.lit ? 'lit' : undefined} aria-current={l.lit ? 'true' : undefined}>
      <b>{l.name}</b> <span>{l.note}</span>
      {l.lit && <span className="p-running"> ◀ running</span>}
    </li>
  );
  return (
    <section className="p-machine" aria-label="Machine">
      <h2>
        Machine · {technique}
        {several ? ` · ${inspected.length} VMs` : ''}
      </h2>
      <div className={several ? 'p-vms several' : 'p-vms'}>
        {(inspected.length ? inspected : [undefined]).map((_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a VM's index is its identity in the scenario
          <div key={i} className="p-vm">
            {several && (
              <h3>
                {snap?.vms[i]?.name}
                {snap?.vms[i] && snap.vms[i].state !== 'running' ? ` · ${snap.vms[i].state}` : ''}
              </h3>
            )}
            <ol className="p-layers">{guestLayers(i).map(item)}</ol>
          </div>
        ))}
      </div>
      <ol className="p-layers">{below.map(item)}</ol>
    </section>
  );
}

function EventCallout() {
  const event = useApp((s) => s.status.event?.event ?? currentEvent(s.events));
  const technique = useApp((s) => s.snapshot?.technique ?? s.technique);
  const vendor = useApp((s) => s.settings.vendor);
  const steps = useApp((s) => s.status.steps);
  if (!event) {
    return (
      <section className="p-event empty" aria-label="Current event">
        <h2>Current event</h2>
        <p>None yet. Space steps one instruction; → runs to the next hypervisor event.</p>
      </section>
    );
  }
  const x = explain(event, technique, vendor);
  return (
    // A long explanation scrolls: the region takes the focus so that the keyboard can scroll it too.
    <section
      className={`p-event${event.kind === 'fidelity-violation' ? ' fidelity' : ''}`}
      aria-label="Current event"
      aria-live="polite"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1)
      tabIndex={0}
    >
      <h2>
        Current event <span className="p-at">at instruction {fmt(event.step ?? steps)}</span>
      </h2>
      <p className="p-kind">
        <span className="p-kind-name" style={{ borderColor: kindColor(event.kind) }}>
          {event.kind === 'fidelity-violation' ? '⚠ ' : ''}
          {event.kind}
        </span>{' '}
        {x.summary}
      </p>
      <p>
        <b>Why:</b> {x.why}
      </p>
      <p>
        <b>Then:</b> {x.did}
      </p>
    </section>
  );
}

function RegisterSummary() {
  const { cpu, real, technique } = useApp(
    useShallow((s) => {
      const current = s.snapshot?.inspection?.current ?? 0;
      return {
        cpu: s.snapshot?.vms[current]?.cpu,
        real: s.snapshot?.inspection?.vms[current]?.real,
        technique: s.snapshot?.technique ?? s.technique,
      };
    }),
  );
  if (!cpu) return null;
  const onCpu = technique !== 'interpret' && technique !== 'native';
  const rows: [string, string, string][] = [
    ['CPL', String(cpu.CPL), onCpu && real ? String(real.cpl) : technique === 'native' ? String(cpu.CPL) : '—'],
    ['IF', cpu.FLAGS & FLAG_BITS.IF ? '1' : '0', onCpu && real?.interruptsEnabled != null ? (real.interruptsEnabled ? '1' : '0') : '—'],
    ['PC', hex(cpu.PC), ''],
  ];
  return (
    <section className="p-registers" aria-label="Registers">
      <h2>Registers</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">
              <span className="sr-only">register</span>
            </th>
            <th scope="col">virtual</th>
            <th scope="col">real</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, v, r]) => (
            <tr key={name} className={r && r !== '—' && r !== v ? 'differs' : undefined}>
              <th scope="row">{name}</th>
              <td>{v}</td>
              <td>{r}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * A presentation button. A mouse click leaves the keyboard focus where it was, so that Space and the
 * arrows keep stepping instead of pressing the button clicked last.
 */
function Key({
  label,
  face,
  keys,
  disabled,
  onPress,
}: {
  label: string;
  face?: string;
  keys: string;
  disabled?: boolean;
  onPress: () => void;
}) {
  return (
    <button
      type="button"
      aria-label={face && face !== label ? label : undefined}
      aria-keyshortcuts={keys}
      disabled={disabled}
      onMouseDown={(e) => e.preventDefault()}
      onClick={onPress}
    >
      {face ?? label}
    </button>
  );
}

/** The keys of presentation mode (the function keys of the toolbar work as everywhere). */
export function usePresentationKeys(onToggleView: () => void): void {
  const store = useAppStore();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      const t = e.target;
      // A focused button takes Space and Enter itself (keyboard users reach the buttons with Tab).
      if (t instanceof HTMLButtonElement && (e.key === ' ' || e.key === 'Enter')) return;
      const { commands } = store;
      const running = store.getState().status.state === 'running';
      if (e.key === ' ') {
        if (!running) commands.step(1);
      } else if (e.key === 'ArrowRight') {
        if (!running) commands.stepToEvent();
      } else if (e.key === 'ArrowLeft') {
        if (!running) commands.stepBack('event');
      } else if (e.key === 'Escape' || e.key === 'p' || e.key === 'P') commands.setPresentation(false);
      else if (e.key === 'm' || e.key === 'M') onToggleView();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, onToggleView]);
}

export function Presentation({ showMachine, onToggleView }: { showMachine: boolean; onToggleView: () => void }) {
  const store = useAppStore();
  const { commands } = store;
  const title = useApp((s) => s.meta.title);
  const status = useApp((s) => s.status);
  const technique = useApp((s) => s.technique);
  const isa = useApp((s) => s.isa);
  const running = status.state === 'running';
  const root = useRef<HTMLDivElement>(null);
  usePresentationKeys(onToggleView);
  useEffect(() => {
    root.current?.focus();
  }, []);
  return (
    <div className="presentation" ref={root} tabIndex={-1}>
      <header className="p-header">
        <h1>{title || 'VirtLab'}</h1>
        <p className="p-status" role="status">
          {technique} · {isa} · {statusText(status, technique)} · instruction {fmt(status.steps)}
        </p>
        <div className="p-controls" role="toolbar" aria-label="Presentation controls">
          <Key
            label="Step back to event"
            face="◀ Back to event"
            keys="ArrowLeft"
            disabled={running}
            onPress={() => commands.stepBack('event')}
          />
          <Key label="Step" face="Step" keys="Space" disabled={running} onPress={() => commands.step(1)} />
          <Key label="Step to event" face="Step to event ▶" keys="ArrowRight" disabled={running} onPress={() => commands.stepToEvent()} />
          <Key
            label={running ? 'Pause' : 'Run'}
            keys={running ? 'F6' : 'F5'}
            onPress={() => (running ? commands.pause() : commands.run())}
          />
          <Key label={showMachine ? 'Show program' : 'Show machine'} keys="M" onPress={onToggleView} />
          <Key label="Leave presentation" face="Leave" keys="Escape" onPress={() => commands.setPresentation(false)} />
        </div>
      </header>
      <main className="p-main">
        {showMachine ? <MachineView /> : <ProgramView />}
        <div className="p-side">
          <EventCallout />
          <RegisterSummary />
        </div>
      </main>
      <p className="p-keys" aria-hidden="true">
        Space step · → next event · ← previous event · M program / machine · Esc leave
      </p>
    </div>
  );
}
