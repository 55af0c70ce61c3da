// Which events the page lists, steps through and marks on the timeline: shared by the worker (which
// counts and filters its event log) and the page (which shows the filters and the timeline's legend), so
// that both sides group the events alike.
import type { EventKind } from './events';

/**
 * Which events a list shows: all of them, all but the hypervisor's own VMX/SVM instructions (`vmx`
 * events: a dozen per exit, so the Events panel's default hides them), the hypervisor's work only (see
 * HYPERVISOR_EVENT_KINDS), or one kind.
 */
export type EventFilter = 'all' | 'all-but-vmx' | 'hypervisor' | EventKind;

/** The Events panel's filter on a new page. */
export const DEFAULT_EVENT_FILTER: EventFilter = 'all-but-vmx';

/** Events of one timeline category, counted per bucket of `TimelineView.bucketWidth` steps. */
export type TimelineCategory = 'trap' | 'exit' | 'hypercall' | 'switch' | 'translate' | 'interrupt' | 'fidelity' | 'state';

/**
 * The hypervisor's work: what "Step to event" stops at and "step back by event" goes back to. Console
 * output, port I/O, TLB flushes and translation-cache hits are too frequent to step through one by one;
 * a CPU-delivered interrupt is included because it moves the guest between its kernel and user code.
 */
export const HYPERVISOR_EVENT_KINDS: ReadonlySet<EventKind> = new Set<EventKind>([
  'trap',
  'emulate',
  'reflect',
  'inject',
  'vm-exit',
  'vm-entry',
  'hypercall',
  'translate',
  'tc-invalidate',
  'world-switch',
  'shadow-update',
  'hidden-fault',
  'ept-update',
  'fidelity-violation',
  'vm-state',
  'interrupt',
  'checkpoint',
  'restore',
  'migrate-round',
  'clone',
  'dirty-log',
  'stop-and-copy',
  'migrate-resume',
  'network-fault',
]);

/** Every kind of event, in the order lists and filters show them. */
export const EVENT_KINDS: readonly EventKind[] = [
  'trap',
  'emulate',
  'reflect',
  'inject',
  'interrupt',
  'vm-exit',
  'vm-entry',
  'vmx',
  'hypercall',
  'translate',
  'tc-hit',
  'tc-invalidate',
  'world-switch',
  'shadow-update',
  'hidden-fault',
  'ept-update',
  'tlb-flush',
  'io',
  'console',
  'fidelity-violation',
  'vm-state',
  'checkpoint',
  'restore',
  'migrate-round',
  'clone',
  'dirty-log',
  'stop-and-copy',
  'migrate-resume',
  'network-fault',
  'instruction',
];

/** The timeline category of an event kind (null: not marked on the timeline). */
export function timelineCategory(kind: EventKind): TimelineCategory | null {
  switch (kind) {
    case 'trap':
    case 'emulate':
    case 'reflect':
    case 'inject':
    case 'hidden-fault':
    case 'shadow-update':
      return 'trap';
    case 'ept-update':
      return 'exit';
    case 'vm-exit':
    case 'vm-entry':
      return 'exit';
    case 'hypercall':
      return 'hypercall';
    case 'world-switch':
    case 'checkpoint':
    case 'restore':
    case 'migrate-round':
    case 'clone':
    case 'stop-and-copy':
    case 'migrate-resume':
      return 'switch';
    case 'dirty-log':
    case 'network-fault':
      return 'trap';
    case 'translate':
    case 'tc-invalidate':
      return 'translate';
    case 'interrupt':
      return 'interrupt';
    case 'fidelity-violation':
      return 'fidelity';
    case 'vm-state':
      return 'state';
    case 'instruction':
    case 'vmx':
    case 'tc-hit':
    case 'tlb-flush':
    case 'io':
    case 'console':
      return null;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export const TIMELINE_CATEGORIES: readonly TimelineCategory[] = [
  'trap',
  'exit',
  'hypercall',
  'switch',
  'translate',
  'interrupt',
  'fidelity',
  'state',
];

/** Whether `filter` selects events of `kind`. */
export function filterSelects(filter: EventFilter, kind: EventKind): boolean {
  if (filter === 'all') return true;
  if (filter === 'all-but-vmx') return kind !== 'vmx';
  return filter === 'hypervisor' ? HYPERVISOR_EVENT_KINDS.has(kind) : filter === kind;
}
