// Where the page's work comes from and where it goes. On load: a link in the address (`#s=…`), else the
// work saved in this browser, else the default scenario. While working: every change is kept (debounced)
// in localStorage and in the address bar's fragment, so a reload, a crash, a closed tab or a bookmark
// loses nothing. Opening a link or a library scenario over other work keeps that work one step back,
// and a notice offers it again.

import { libraryScenario } from '../scenario/library';
import { decodeLink, encodeFragment, MAX_LINK_CHARS } from '../scenario/link';
import { type Scenario, scenarioToJson } from '../scenario/scenario';
import {
  DEFAULT_UI,
  localStore,
  PREVIOUS_KEY,
  parseWork,
  readItem,
  removeItem,
  serializeWork,
  type UiState,
  WORK_KEY,
  type Work,
  writeItem,
} from './persist';
import { defaultScenario, libraryEntryOf, sameScenario } from './scenario-state';
import type { AppState, AppStore } from './store';
import { scenarioOf } from './store';

/** How long the work must stand still before it is written (a burst of typing is one write). */
export const KEEP_DELAY_MS = 400;

export type StartChoice =
  | { readonly kind: 'link'; readonly scenario: Scenario; readonly at?: number }
  | { readonly kind: 'saved'; readonly scenario: Scenario; readonly ui: UiState }
  | { readonly kind: 'default'; readonly scenario: Scenario; readonly refused?: string };

function fragmentOf(hash: string): string {
  return hash.startsWith('#') ? hash.slice(1) : hash;
}

/** Whether an address's fragment is meant as a share link (anything with `s=`, valid or not). */
export function isLinkFragment(hash: string): boolean {
  return /(^|&)s=/.test(fragmentOf(hash));
}

/**
 * The order of interfaces.md and the issue: link, then saved work, then defaults. The page's own
 * fragment (the address bar follows the work) is a reload, not a link: the saved work is at least as new.
 * A refused link opens the default scenario and says why.
 */
export function chooseStart(hash: string, saved: Work | null, navigation = 'navigate'): StartChoice {
  const fragment = fragmentOf(hash);
  // A reload (or a tab brought back) is the same work going on: the saved work is newer than the address,
  // whose fragment may be from before the last edits (the page writes both as it goes away).
  if (saved && (navigation === 'reload' || navigation === 'back_forward')) return { kind: 'saved', scenario: saved.scenario, ui: saved.ui };
  if (isLinkFragment(fragment)) {
    if (saved && saved.fragment === fragment) return { kind: 'saved', scenario: saved.scenario, ui: saved.ui };
    const d = decodeLink(fragment);
    if (d.ok) return { kind: 'link', scenario: d.scenario, ...(d.at !== undefined ? { at: d.at } : {}) };
    return { kind: 'default', scenario: defaultScenario(), refused: d.error };
  }
  if (saved) return { kind: 'saved', scenario: saved.scenario, ui: saved.ui };
  return { kind: 'default', scenario: defaultScenario() };
}

export interface WorkEnv {
  readonly storage: Storage | null;
  /** The address: read for the fragment, written with replaceState. */
  readonly location: { readonly hash: string; readonly origin: string; readonly pathname: string; readonly search: string };
  readonly history: { replaceState(data: unknown, unused: string, url?: string | URL | null): void };
  readonly window: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  readonly document: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'>;
  readonly now: () => number;
  /** How the page was reached: 'navigate', 'reload', 'back_forward' (the Navigation Timing type). */
  readonly navigation: () => string;
}

export function browserEnv(): WorkEnv {
  return {
    storage: localStore(),
    location: window.location,
    history: window.history,
    window,
    document,
    now: () => Date.now(),
    navigation: () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.type ?? 'navigate',
  };
}

export interface WorkKeeper {
  /** Opens a scenario over the current work, which is kept one step back. */
  open(scenario: Scenario, libraryId?: string | null): void;
  /** Brings back the work the last open replaced (and keeps the current one in its place). */
  restorePrevious(): void;
  dismissPrevious(): void;
  /** Writes now what is waiting for the debounce. */
  flush(): void;
  dispose(): void;
}

function uiOf(s: AppState): UiState {
  return { activeVm: s.activeVm, speed: s.speed, eventFilter: s.eventFilter, libraryId: s.libraryId, lookForDone: s.lookForDone };
}

/** A short name for a piece of work, for the notice that offers it back. */
function describe(sc: Scenario): string {
  return sc.title ? `“${sc.title}”` : 'your program';
}

/** Starts the page's work (link, saved, default) and keeps it from then on. */
export function keepWork(store: AppStore, env: WorkEnv = browserEnv(), schedule = setTimeout, cancel = clearTimeout): WorkKeeper {
  const saved = parseWork(readItem(env.storage, WORK_KEY));
  const choice = chooseStart(env.location.hash, saved, env.navigation());
  /** What the address bar holds (the page rewrites it only when it differs). */
  let written: string | null = fragmentOf(env.location.hash) || null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const keepPrevious = (replaced: Scenario, ui: UiState, by: Scenario) => {
    // Nothing is lost when the work replaced is the default or a library scenario as shipped.
    if (sameScenario(replaced, by) || sameScenario(replaced, defaultScenario())) return;
    const shipped = libraryEntryOf(replaced);
    if (shipped && sameScenario(replaced, libraryScenario(shipped.id) ?? by)) return;
    const text = serializeWork({ scenario: replaced, fragment: null, savedAt: env.now(), ui }, scenarioToJson(replaced));
    if (writeItem(env.storage, PREVIOUS_KEY, text).ok) store.setState({ previousKept: describe(replaced) });
  };

  // What the address bar and storage hold; written when the work has stood still for KEEP_DELAY_MS.
  const write = () => {
    if (timer !== null) cancel(timer);
    timer = null;
    const s = store.getState();
    const scenario = scenarioOf(s);
    const fragment = encodeFragment(scenario);
    const base = `${env.location.origin}${env.location.pathname}${env.location.search}`;
    // A link too long to open again is no bookmark: the address then carries none (Share says why).
    const fits = base.length + 1 + fragment.length <= MAX_LINK_CHARS;
    if (fragment !== written) {
      try {
        env.history.replaceState(null, '', fits ? `#${fragment}` : base);
      } catch {
        // A browser refusing replaceState (too many calls) is no reason to lose the work itself.
      }
      written = fits ? fragment : null;
    }
    const text = serializeWork({ scenario, fragment: written, savedAt: env.now(), ui: uiOf(s) }, scenarioToJson(scenario));
    let result = writeItem(env.storage, WORK_KEY, text);
    if (!result.ok) {
      // Make room: the previous work is worth less than the current one.
      removeItem(env.storage, PREVIOUS_KEY);
      result = writeItem(env.storage, WORK_KEY, text);
    }
    const problem = result.ok ? null : `Your work could not be saved in this browser: ${result.reason}. Use Share to keep it as a link.`;
    if (store.getState().storageProblem !== problem) store.setState({ storageProblem: problem });
  };
  const soon = () => {
    if (timer !== null) cancel(timer);
    timer = schedule(write, KEEP_DELAY_MS);
  };

  const open = (scenario: Scenario, libraryId?: string | null) => {
    const s = store.getState();
    keepPrevious(scenarioOf(s), uiOf(s), scenario);
    store.commands.openScenario(scenario, libraryId);
    write();
  };

  // ---- the start ----
  if (choice.kind !== 'saved' && saved) keepPrevious(saved.scenario, saved.ui, choice.scenario);
  store.commands.openScenario(choice.scenario, choice.kind === 'saved' ? choice.ui.libraryId : undefined);
  const ui = choice.kind === 'saved' ? choice.ui : DEFAULT_UI;
  if (choice.kind === 'saved') {
    store.setState({ activeVm: ui.activeVm, eventFilter: ui.eventFilter, lookForDone: ui.lookForDone });
    if (ui.speed !== store.getState().speed) store.commands.setSpeed(ui.speed);
  }
  if (choice.kind === 'default' && choice.refused) store.commands.setLinkProblem(choice.refused);
  if (choice.kind === 'link' && choice.at !== undefined && choice.at > 0) seekOnceLoaded(store, choice.at);
  // A refused link stays in the address bar until the work changes: reloading shows the reason again.
  if (!(choice.kind === 'default' && choice.refused)) write();

  // ---- from then on ----
  let last = store.getState();
  const unsubscribe = store.subscribe((s) => {
    const changed =
      s.vms !== last.vms ||
      s.breakpoints !== last.breakpoints ||
      s.technique !== last.technique ||
      s.isa !== last.isa ||
      s.settings !== last.settings ||
      s.meta !== last.meta ||
      s.activeVm !== last.activeVm ||
      s.speed !== last.speed ||
      s.eventFilter !== last.eventFilter ||
      s.libraryId !== last.libraryId ||
      s.lookForDone !== last.lookForDone;
    last = s;
    if (changed) soon();
  });
  const flushNow = () => {
    if (timer !== null) write();
  };
  const onVisibility = () => {
    if (env.document.visibilityState === 'hidden') flushNow();
  };
  // Someone pasted another link into this tab's address bar.
  const onHashChange = () => {
    const fragment = fragmentOf(env.location.hash);
    if (!isLinkFragment(fragment) || fragment === written) return;
    const d = decodeLink(fragment);
    if (!d.ok) {
      store.commands.setLinkProblem(d.error);
      return;
    }
    store.commands.setLinkProblem(null);
    open(d.scenario);
    if (d.at) seekOnceLoaded(store, d.at);
  };
  env.window.addEventListener('pagehide', flushNow);
  env.window.addEventListener('hashchange', onHashChange);
  env.document.addEventListener('visibilitychange', onVisibility);

  return {
    open,
    restorePrevious: () => {
      const previous = parseWork(readItem(env.storage, PREVIOUS_KEY));
      if (!previous) {
        store.setState({ previousKept: null });
        return;
      }
      open(previous.scenario, previous.ui.libraryId);
      store.setState({ activeVm: Math.min(previous.ui.activeVm, previous.scenario.vms.length - 1), lookForDone: previous.ui.lookForDone });
    },
    dismissPrevious: () => store.setState({ previousKept: null }),
    flush: flushNow,
    dispose: () => {
      unsubscribe();
      if (timer !== null) cancel(timer);
      env.window.removeEventListener('pagehide', flushNow);
      env.window.removeEventListener('hashchange', onHashChange);
      env.document.removeEventListener('visibilitychange', onVisibility);
    },
  };
}

/** A link's `at=`: once the run is loaded (paused at its first instruction), go to that moment. */
function seekOnceLoaded(store: AppStore, at: number): void {
  store.commands.seekWhenLoaded(at);
}
