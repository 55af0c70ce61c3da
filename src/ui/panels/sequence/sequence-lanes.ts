// The sequence view's lanes and arrows: each event an arrow from one lane to another, derived from the
// event's own fields only. Where an event does not record which guest ring it came from (a VM exit, a
// hidden fault, a world switch away from a VM), the arrow starts at "the guest" (drawn between the user
// and kernel lanes) rather than at a guessed ring.
import type { EventKind, TechniqueId, TraceEvent } from '../../../protocol/messages';

export type Lane = 'user' | 'kernel' | 'hypervisor' | 'host' | 'hardware' | 'host-b';
/** Where an arrow ends: a lane, or the guest when the event does not say which of its rings. */
export type End = Lane | 'guest';

export interface Arrow {
  readonly from: End;
  readonly to: End;
  /** The event kind in the spec's words. */
  readonly label: string;
}

/** The kinds of a live migration: their run has a host B lane. */
export const MIGRATION_KINDS: ReadonlySet<EventKind> = new Set<EventKind>([
  'migrate-round',
  'stop-and-copy',
  'migrate-resume',
  'network-fault',
  'dirty-log',
]);

/** The lanes of a run, left to right: the host OS only for a type 2 hypervisor, host B only with a migration. */
export function lanesOf(technique: TechniqueId, hypervisorType: 1 | 2, migration: boolean): Lane[] {
  const lanes: Lane[] = ['user', 'kernel'];
  if (technique !== 'native') lanes.push('hypervisor');
  if (technique !== 'native' && hypervisorType === 2) lanes.push('host');
  lanes.push('hardware');
  if (migration) lanes.push('host-b');
  return lanes;
}

export function laneName(lane: End, technique: TechniqueId): string {
  const guest = technique === 'native' ? '' : 'Guest ';
  switch (lane) {
    case 'user':
      return `${guest}user`;
    case 'kernel':
      return `${guest}kernel`;
    case 'guest':
      return technique === 'native' ? 'the machine' : 'the guest';
    case 'hypervisor':
      return 'Hypervisor';
    case 'host':
      return 'Host OS';
    case 'hardware':
      return 'Hardware';
    case 'host-b':
      return 'Host B';
  }
}

/** A world switch's side by the name the event gives it: the hypervisor, the host OS, host B, or a VM. */
function sideOf(name: string): End {
  if (name === 'hypervisor') return 'hypervisor';
  if (name.startsWith('host OS')) return 'host';
  if (name === 'host B') return 'host-b';
  return 'guest';
}

/** The arrow of one event. `technique` decides where "the hypervisor" is (native has none: the kernel). */
export function arrowOf(e: TraceEvent, technique: TechniqueId): Arrow {
  const hv: End = technique === 'native' ? 'kernel' : 'hypervisor';
  const self = (at: End, label: string = e.kind): Arrow => ({ from: at, to: at, label });
  switch (e.kind) {
    case 'trap':
      // The ring the guest believed it was in: virtual CPL 3 is its user code.
      return { from: e.virtualCpl === 3 ? 'user' : 'kernel', to: hv, label: 'trap' };
    case 'emulate':
      return self(hv);
    case 'reflect':
    case 'inject':
      return { from: hv, to: 'kernel', label: e.kind };
    case 'interrupt':
      // Delivered by the CPU: a timer from the hardware; INT and exceptions from code whose ring the event does not record.
      return { from: e.cause === 'timer' ? 'hardware' : 'guest', to: 'kernel', label: e.cause === 'software' ? 'system call' : e.kind };
    case 'vm-exit':
      return { from: 'guest', to: hv, label: 'VM exit' };
    case 'vm-entry':
      return { from: hv, to: 'guest', label: 'VM entry' };
    case 'hypercall':
      // A hypercall from user mode is refused as a #GP before it is one: every hypercall event is the kernel's.
      return { from: 'kernel', to: hv, label: 'hypercall' };
    case 'world-switch':
      return { from: sideOf(e.from), to: sideOf(e.to), label: 'world switch' };
    case 'hidden-fault':
    case 'shadow-update':
      return { from: 'guest', to: hv, label: e.kind };
    case 'ept-update':
    case 'translate':
    case 'tc-invalidate':
    case 'tc-hit':
    case 'vmx':
    case 'clone':
      return self(hv);
    case 'checkpoint':
    case 'restore':
      return self(e.host === 'host B' ? 'host-b' : hv);
    case 'fidelity-violation':
    case 'vm-state':
    case 'instruction':
    case 'console':
      return self('guest');
    case 'io':
      return { from: 'guest', to: 'hardware', label: 'io' };
    case 'tlb-flush':
      return self('hardware');
    case 'dirty-log':
      // Intel PML logs in the CPU with no exit; the other ways fault into the hypervisor (migration/live.ts).
      return { from: 'guest', to: e.how.startsWith('Intel PML') ? 'hardware' : hv, label: 'dirty log' };
    case 'migrate-round':
    case 'stop-and-copy':
      return { from: hv, to: 'host-b', label: e.kind };
    case 'migrate-resume':
      return self('host-b', e.kind);
    case 'network-fault':
      // Post-copy: the VM on host B fetches a page still on host A.
      return { from: 'host-b', to: hv, label: 'network fault' };
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** The x of an end, as a fraction of the diagram's width (the guest between its user and kernel lanes). */
export function xOf(end: End, lanes: readonly Lane[]): number {
  const slot = (l: Lane) => (lanes.indexOf(l) + 0.5) / lanes.length;
  if (end === 'guest') return (slot('user') + slot('kernel')) / 2;
  if (!lanes.includes(end)) return slot(end === 'host' ? 'hypervisor' : 'hardware');
  return slot(end);
}
