// The toolbar's actions in one registry that the buttons and the keyboard share (tldraw's habit), with the
// accessible names and keys of interfaces.md ("The page").
import type { AppState, Commands } from './store';
import { editorIsLoaded, hasErrors } from './store';

export type ActionId = 'run' | 'pause' | 'step' | 'step-to-event' | 'step-back' | 'step-back-event' | 'reset' | 'checkpoint';

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
  /** Not a button of the toolbar (a panel of its own has it; the key works page-wide). */
  readonly panelOnly?: boolean;
  /**
   * The same action without a function key (Mac keyboards need Fn for them, F11 is the browser's full
   * screen on Linux and Windows): Ctrl (⌘ on a Mac) with the keys Chrome's debugger uses, by position.
   */
  readonly alt: { readonly code: 'Backslash' | 'Quote' | 'Semicolon' | 'Period'; readonly shift: boolean };
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

const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const ALT_CHAR = { Backslash: '\\', Quote: "'", Semicolon: ';', Period: '.' } as const;

/** Whether a key press is an action's Ctrl/⌘ alternative. */
export function matchesAlt(a: Action, e: KeyboardEvent): boolean {
  return e.code === a.alt.code && (e.ctrlKey || e.metaKey) && !e.altKey && e.shiftKey === a.alt.shift;
}

/** The alternative as people read it: `Ctrl+\`, `⌘⇧;`. */
export function altHint(a: Action, mac = MAC): string {
  const key = ALT_CHAR[a.alt.code];
  return mac ? `⌘${a.alt.shift ? '⇧' : ''}${key}` : `Ctrl+${a.alt.shift ? 'Shift+' : ''}${key}`;
}

/** The alternative as `aria-keyshortcuts` spells it (both Control and Meta). */
export function altShortcuts(a: Action): string {
  const key = a.alt.code === 'Backslash' ? '\\' : ALT_CHAR[a.alt.code];
  const shift = a.alt.shift ? 'Shift+' : '';
  return `Control+${shift}${key} Meta+${shift}${key}`;
}

export const ACTIONS: readonly Action[] = [
  {
    id: 'run',
    alt: { code: 'Backslash', shift: false },
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
    alt: { code: 'Backslash', shift: false },
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
    alt: { code: 'Quote', shift: false },
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
    alt: { code: 'Semicolon', shift: false },
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
    alt: { code: 'Quote', shift: true },
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
    alt: { code: 'Semicolon', shift: true },
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
    alt: { code: 'Backslash', shift: true },
    label: 'Reset',
    keys: 'Control+Shift+F5',
    keyHint: 'Ctrl+Shift+F5',
    description: 'Start over from the first instruction',
    matches: (e) => e.key === 'F5' && e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey,
    enabled: () => true,
    perform: (c) => c.reset(),
  },
  {
    id: 'checkpoint',
    panelOnly: true,
    alt: { code: 'Period', shift: false },
    label: 'Checkpoint',
    keys: 'F8',
    keyHint: 'F8',
    description: 'Take a checkpoint of the VM shown, at this moment (the Checkpoints tab lists it)',
    matches: (e) => e.key === 'F8' && plain(e),
    // A hypervisor saves a VM; bare metal has none (the engine refuses it with the reason).
    enabled: (s) => s.status.state !== 'idle' && s.technique !== 'native' && editorIsLoaded(s),
    perform: (c) => c.takeCheckpoint(),
  },
];
