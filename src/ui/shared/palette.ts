// One colour and one name per kind of hypervisor work, shared by the timeline, the Machine panel and the
// Events panel, so that a trap looks the same everywhere. Chosen to stay apart on a washed-out projector
// and for the common colour-vision deficiencies (each also has a text label: colour never carries
// meaning alone). Each holds WCAG AA contrast (4.5:1) as text on the Events panel's row backgrounds,
// the selected row's included.
import type { EventKind, TimelineCategory } from '../../protocol/messages';
import { timelineCategory } from '../../protocol/messages';

export const CATEGORY_COLOR: Readonly<Record<TimelineCategory, string>> = {
  trap: '#9a3412',
  exit: '#6d28d9',
  hypercall: '#155e75',
  switch: '#9d174d',
  translate: '#1e40af',
  interrupt: '#166534',
  fidelity: '#b91c1c',
  state: '#334155',
};

export const CATEGORY_LABEL: Readonly<Record<TimelineCategory, string>> = {
  trap: 'trap / emulate / reflect',
  exit: 'VM exit / entry',
  hypercall: 'hypercall',
  switch: 'world switch',
  translate: 'translation',
  interrupt: 'interrupt',
  fidelity: 'fidelity violation',
  state: 'VM state',
};

/** The colour of an event kind (grey for the frequent, unmarked ones). */
export function kindColor(kind: EventKind): string {
  const c = timelineCategory(kind);
  return c ? CATEGORY_COLOR[c] : '#4a5160';
}
