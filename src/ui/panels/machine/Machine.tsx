// The Machine panel: the layers of the system (each VM's guest user and guest kernel, the hypervisor,
// the host OS of a type 2 hypervisor, the hardware), the layer running lit, virtual and real rings side
// by side, and each hypervisor event drawn as a transition between layers (machine-animation.ts).
import { useEffect, useRef } from 'react';
import type { TechniqueId, VmInspection } from '../../../protocol/messages';
import { useApp, useAppStore } from '../../state/context';
import { TransitionPlayer } from './machine-animation';
import { followRun, IDLE_CAPTION } from './machine-follow';

/** The real ring guest-kernel code runs at, by technique (null: it never runs on the CPU). */
const KERNEL_REAL_RING: Readonly<Record<TechniqueId, number | null>> = {
  native: 0,
  interpret: null,
  'trap-and-emulate': 3,
  'binary-translation': 1,
  'hardware-assisted': 0,
  paravirtualization: 1,
};

const TECHNIQUE_NOTE: Readonly<Record<TechniqueId, string>> = {
  native: 'bare metal: no hypervisor',
  interpret: 'every guest instruction runs in software',
  'trap-and-emulate': 'privileged instructions trap and are emulated',
  'binary-translation': 'kernel code runs translated',
  'hardware-assisted': 'VMX: guests run in non-root mode',
  paravirtualization: 'the guest kernel calls the hypervisor',
};

/** AMD's words for the same thing (AMD64 APM vol. 2, §15: VMRUN enters "guest mode"). */
const AMD_NOTE = 'SVM: guests run in guest mode';

function ringText(virtualRing: number, real: number | null, technique: TechniqueId, amd: boolean): string {
  if (technique === 'native') return `ring ${virtualRing}`;
  const mode = technique === 'hardware-assisted' ? (amd ? ' guest mode' : ' non-root') : '';
  const realText = real === null ? 'not on the CPU' : `real ring ${real}${mode}`;
  return `virtual ring ${virtualRing} · ${realText}`;
}

/** A VM's name in the diagram: with several VMs, a button that shows that VM in Registers and Console. */
function VmNameButton({ index, name }: { index: number; name: string }) {
  const store = useAppStore();
  const several = useApp((s) => (s.snapshot?.vms.length ?? 0) > 1);
  const picked = useApp((s) => s.viewVm === index);
  if (!several) return <>{name}</>;
  return (
    <button
      type="button"
      className="vm-pick"
      aria-pressed={picked}
      title={`Show ${name}'s registers and console`}
      onClick={() => store.setState({ viewVm: picked ? null : index })}
    >
      {name}
    </button>
  );
}

function VmColumn({
  vm,
  index,
  technique,
  state,
  exitCode,
  running,
  twoHosts,
}: {
  vm: VmInspection;
  index: number;
  technique: TechniqueId;
  state: string;
  exitCode: number | null;
  running: boolean;
  /** The scenario migrates: each VM names the host it is on, host A before and host B after. */
  twoHosts: boolean;
}) {
  const kernelReal = running && vm.layer === 'guest-kernel' ? vm.real.cpl : KERNEL_REAL_RING[technique];
  const userReal = technique === 'interpret' ? null : 3;
  const lit = (layer: VmInspection['layer']) => (running && vm.layer === layer ? ' lit' : '');
  const guest = technique === 'native' ? '' : 'Guest ';
  const amd = useApp((s) => s.settings.vendor === 'amd');
  return (
    <div className={`vm-column vm-${state}`}>
      <div className="vm-name">
        {technique === 'native' ? 'the machine' : <VmNameButton index={index} name={vm.name} />}
        {(vm.host === 'host B' || twoHosts) && <span className="vm-host"> on {vm.host}</span>}
        {state !== 'running' && (
          <span className={`vm-state state-${state}`}>
            {state}
            {exitCode !== null ? `, exit code ${exitCode}` : ''}
          </span>
        )}
      </div>
      <div className={`layer guest-user${lit('guest-user')}`} data-layer={`vm${index}-user`}>
        <span className="layer-name">{guest}user</span>
        <span className="ring">{ringText(3, userReal, technique, amd)}</span>
      </div>
      <div className={`layer guest-kernel${lit('guest-kernel')}`} data-layer={`vm${index}-kernel`}>
        <span className="layer-name">{guest}kernel</span>
        <span className="ring">{ringText(0, kernelReal, technique, amd)}</span>
      </div>
    </div>
  );
}

export function MachinePanel() {
  const store = useAppStore();
  const snap = useApp((s) => s.snapshot);
  const inspection = snap?.inspection;
  const technique = snap?.technique ?? 'native';
  const amd = useApp((s) => s.settings.vendor === 'amd');
  const diagram = useRef<HTMLDivElement>(null);
  const token = useRef<HTMLDivElement>(null);
  const caption = useRef<HTMLParagraphElement>(null);
  const callout = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!diagram.current || !token.current || !caption.current) return;
    const reduce = window.matchMedia?.('(prefers-reduced-motion: reduce)');
    const player = new TransitionPlayer(
      diagram.current,
      token.current,
      caption.current,
      () => reduce?.matches ?? false,
      callout.current ?? undefined,
    );
    const unsubscribe = followRun(store, player);
    return () => {
      unsubscribe();
      player.dispose();
    };
  }, [store]);

  const running = snap?.vms.some((v) => v.state === 'running') ?? false;
  const current = inspection?.current ?? 0;
  const realNow = inspection?.vms[current]?.real;
  const type2 = inspection?.hypervisorType === 2;
  const hasHypervisor = technique !== 'native';
  return (
    <section className="panel machine" aria-label="Machine">
      <h2>
        Machine <span className="subtitle">{technique === 'hardware-assisted' && amd ? AMD_NOTE : TECHNIQUE_NOTE[technique]}</span>
      </h2>
      <div className="diagram" ref={diagram}>
        <div className="vms">
          {(inspection?.vms ?? []).map((vm, i) => (
            <VmColumn
              // biome-ignore lint/suspicious/noArrayIndexKey: a VM's index is its identity in the scenario
              key={i}
              vm={vm}
              index={i}
              technique={technique}
              state={snap?.vms[i]?.state ?? 'running'}
              exitCode={snap?.vms[i]?.exitCode ?? null}
              running={i === current && (snap?.vms[i]?.state ?? '') === 'running'}
              twoHosts={snap?.migration !== undefined}
            />
          ))}
          {!inspection && <p className="note">Nothing loaded.</p>}
        </div>
        {hasHypervisor && (
          <div className={`layer hypervisor${technique === 'interpret' && running ? ' lit' : ''}`} data-layer="hypervisor">
            <span className="layer-name">Hypervisor</span>
            <span className="ring">
              {technique === 'hardware-assisted' ? (amd ? 'ring 0 · host mode (SVM)' : 'ring 0 · VMX root mode') : 'ring 0'}
            </span>
          </div>
        )}
        {type2 && hasHypervisor && (
          <div className="layer host-os" data-layer="host">
            <span className="layer-name">Host OS</span>
            <span className="ring">ring 0 · drives devices and timers (type 2)</span>
          </div>
        )}
        <div className="layer hardware" data-layer="hardware">
          <span className="layer-name">Hardware</span>
          <span className="ring">
            {realNow
              ? `CPU: ${technique === 'interpret' ? 'the interpreter' : `ring ${realNow.cpl}`}${realNow.mode ? (amd ? ` · ${realNow.mode === 'root' ? 'host' : 'guest'} mode` : ` · VMX ${realNow.mode}`) : ''}${
                  realNow.interruptsEnabled === null ? '' : ` · IF ${realNow.interruptsEnabled ? 1 : 0}`
                } · CR3 → ${realNow.cr3}`
              : '—'}
          </span>
        </div>
        <div className="token" ref={token} aria-hidden="true" />
      </div>
      {/* Written by the player, never by React: the latest transition, in a sentence. */}
      <p className="caption" ref={caption}>
        {IDLE_CAPTION}
      </p>
      {/* Written by the player: the chain of the event stepped to (trap → emulate, exit → handler → entry…). */}
      <div className="callout" role="note" aria-label="Event callout" aria-live="polite" ref={callout} hidden />
    </section>
  );
}
