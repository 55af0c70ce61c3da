// Predict the next event: the choices the page offers before Step to event. A few plausible kinds (those
// the technique produces, and those the run has shown so far) with the true one among them, picked
// deterministically from the event's index, so the same moment always asks the same question, and listed
// in EVENT_KINDS order, so the place of a choice gives nothing away.
import { EVENT_KINDS, type EventKind, HYPERVISOR_EVENT_KINDS, type TechniqueId } from '../../protocol/messages';

/** The hypervisor events each technique produces (README's table of techniques). */
export const TECHNIQUE_KINDS: Readonly<Record<TechniqueId, readonly EventKind[]>> = {
  native: ['interrupt', 'vm-state'],
  interpret: ['interrupt', 'vm-state'],
  'trap-and-emulate': ['trap', 'emulate', 'reflect', 'inject', 'hidden-fault', 'shadow-update', 'fidelity-violation', 'vm-state'],
  'binary-translation': ['translate', 'emulate', 'tc-invalidate', 'trap', 'reflect', 'inject', 'hidden-fault', 'shadow-update', 'vm-state'],
  'hardware-assisted': ['vm-exit', 'vm-entry', 'interrupt', 'inject', 'ept-update', 'hidden-fault', 'shadow-update', 'vm-state'],
  paravirtualization: ['hypercall', 'trap', 'reflect', 'inject', 'emulate', 'interrupt', 'vm-state'],
};

/** A small integer hash (FNV-1a over the index's bytes): the same seed always picks the same choices. */
function mix(seed: number, i: number): number {
  let h = 0x811c9dc5;
  for (const v of [seed & 0xff, (seed >>> 8) & 0xff, (seed >>> 16) & 0xff, (seed >>> 24) & 0xff, i & 0xff]) {
    h ^= v;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The choices for "what happens next?": `actual` and up to `count - 1` others among `candidates` (only
 * hypervisor event kinds count), chosen by `seed`, in EVENT_KINDS order.
 */
export function predictChoices(actual: EventKind, candidates: Iterable<EventKind>, seed: number, count = 4): EventKind[] {
  const others = [...new Set(candidates)].filter((k) => k !== actual && HYPERVISOR_EVENT_KINDS.has(k));
  others.sort(
    (a, b) => mix(seed, EVENT_KINDS.indexOf(a)) - mix(seed, EVENT_KINDS.indexOf(b)) || EVENT_KINDS.indexOf(a) - EVENT_KINDS.indexOf(b),
  );
  const picked = new Set<EventKind>([actual, ...others.slice(0, Math.max(0, count - 1))]);
  return EVENT_KINDS.filter((k) => picked.has(k));
}
