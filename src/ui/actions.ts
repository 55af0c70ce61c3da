// The toolbar's actions in one registry that the buttons and the keyboard share (tldraw's habit), with the
// accessible names and keys of interfaces.md ("The page").
import type { AppState, Commands } from './store';
import { editorIsLoaded, hasErrors } from './store';

export type ActionId = 'run' | 'pause' | 'step' | 'step-to-event' | 'step-back' | 'step-back-event' | 'reset';

export interface Action {
  readonly id: ActionId;
  /** The accessible name: a contract (interfaces.md). */
  readonly label: string;
  /** The key as `aria-keyshortcuts` spells it. */
  readonly keys: string;
  /** The key as people read it. */
  readonly keyHint: string;
  readonly description: string;
  /** A short label for the button face when the accessible name is long (the name stays the label). */
  readonly face?: string;
  matches(e: KeyboardEvent): boolean;
  enabled(s: AppState): boolean;
  perform(c: Commands): void;
}

const plain = (e: KeyboardEvent) => !e.ctrlKey && !e.shiftKey && !e.altKey && !e.metaKey;
const shifted = (e: KeyboardEvent) => !e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey;

/** Whether the run can go back: it has moved, and the worker runs what the editor shows. */
function canGoBack(s: AppState): boolean {
  return s.status.state !== 'running' && s.status.state !== 'idle' && s.status.steps > 0 && editorIsLoaded(s);
}

/** Whether the editor's program can be run at all: no assembly errors, and a technique that accepts it. */
export function runnable(s: AppState): boolean {
  return !hasErrors(s.diagnostics) && s.problem?.kind !== 'refused';
}

export const ACTIONS: readonly Action[] = [
  {
    id: 'run',
    label: 'Run',
    keys: 'F5',
    keyHint: 'F5',
    description: 'Run or continue until the guest stops or you pause',
    matches: (e) => e.key === 'F5' && plain(e),
    enabled: (s) => s.status.state !== 'running' && runnable(s),
    perform: (c) => c.run(),
  },
  {
    id: 'pause',
    label: 'Pause',
    keys: 'F6',
    keyHint: 'F6',
    description: 'Pause the run',
    matches: (e) => e.key === 'F6' && plain(e),
    enabled: (s) => s.status.state === 'running',
    perform: (c) => c.pause(),
  },
  {
    id: 'step',
    label: 'Step',
    keys: 'F10',
    keyHint: 'F10',
    description: 'Run one instruction',
    matches: (e) => e.key === 'F10' && plain(e),
    enabled: (s) => s.status.state !== 'running' && runnable(s),
    perform: (c) => c.step(1),
  },
  {
    id: 'step-to-event',
    label: 'Step to event',
    keys: 'F11',
    keyHint: 'F11',
    description: 'Run to the next hypervisor event (trap, VM exit, hypercall, world switch…)',
    matches: (e) => e.key === 'F11' && plain(e),
    enabled: (s) => s.status.state !== 'running' && runnable(s),
    perform: (c) => c.stepToEvent(),
  },
  {
    id: 'step-back',
    label: 'Step back',
    keys: 'Shift+F10',
    keyHint: '⇧F10',
    description: 'Go back one instruction',
    matches: (e) => e.key === 'F10' && shifted(e),
    enabled: canGoBack,
    perform: (c) => c.stepBack('instruction'),
  },
  {
    id: 'step-back-event',
    label: 'Step back to event',
    face: 'Back to event',
    keys: 'Shift+F11',
    keyHint: '⇧F11',
    description: 'Go back to the previous hypervisor event',
    matches: (e) => e.key === 'F11' && shifted(e),
    enabled: canGoBack,
    perform: (c) => c.stepBack('event'),
  },
  {
    id: 'reset',
    label: 'Reset',
    keys: 'Control+Shift+F5',
    keyHint: 'Ctrl+Shift+F5',
    description: 'Start over from the first instruction',
    matches: (e) => e.key === 'F5' && e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey,
    enabled: () => true,
    perform: (c) => c.reset(),
  },
];
