// The toolbar's actions in one registry that the buttons and the keyboard share (tldraw's habit), with the
// accessible names and keys of interfaces.md ("The page").
import type { AppState, Commands } from './store';
import { hasErrors } from './store';

export type ActionId = 'run' | 'pause' | 'step' | 'reset';

export interface Action {
  readonly id: ActionId;
  /** The accessible name: a contract (interfaces.md). */
  readonly label: string;
  /** The key as `aria-keyshortcuts` spells it. */
  readonly keys: string;
  /** The key as people read it. */
  readonly keyHint: string;
  readonly description: string;
  matches(e: KeyboardEvent): boolean;
  enabled(s: AppState): boolean;
  perform(c: Commands): void;
}

const plain = (e: KeyboardEvent) => !e.ctrlKey && !e.shiftKey && !e.altKey && !e.metaKey;

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
