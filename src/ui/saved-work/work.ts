// Where the page's work comes from and where it goes. On load: a link in the address (`#s=…`), else the
// work saved in this browser, else the default scenario. While working: every change is kept (debounced)
// in localStorage and in the address bar's fragment, so a reload, a crash, a closed tab or a bookmark
// loses nothing. Opening a link or a library scenario over other work keeps that work one step back,
// and a notice offers it again.

import { libraryScenario } from '../../scenario/library';
import { decodeLink, encodeFragment, isLibFragment, MAX_LINK_CHARS } from '../../scenario/link';
import { type Scenario, scenarioToJson, validateScenario } from '../../scenario/scenario';
import { assemblyTimedOut } from '../editor/assemble-off-thread';
import { defaultScenario, libraryEntryOf, sameScenario } from '../state/scenario-state';
import type { AppState, AppStore } from '../state/store';
import { editorIsLoaded, hasErrors, scenarioOf } from '../state/store';
import { plainLinkError, splitBadAt } from './link-words';
import {
  ASIDE_KEY_PREFIX,
  DEFAULT_UI,
  localStore,
  newTabId,
  PREVIOUS_KEY,
  PREVIOUS_SLOTS,
  parsePreviousList,
  parseWork,
  readItem,
  removeItem,
  serializePreviousList,
  serializeWork,
  TAB_ID_KEY,
  TAB_KEY_PREFIX,
  TAB_RECORDS_KEPT,
  type UiState,
  unreadable,
  WELCOMED_KEY,
  WORK_KEY,
  type Work,
  whyUnreadable,
  writeItem,
} from './persist';
import { decodeShortLink, shortFragmentFor } from './short-link';

/** How long the work must stand still before it is written (a burst of typing is one write). */
export const KEEP_DELAY_MS = 400;

export type StartChoice =
  | {
      readonly kind: 'link';
      readonly scenario: Scenario;
      readonly at?: number;
      /** A short `#lib=` link: the library entry it opens. */
      readonly libraryId?: string;
      /** What the link carried that was ignored (a bad `at=`, a bad setting), for a notice. */
      readonly ignored?: readonly string[];
    }
  | { readonly kind: 'saved'; readonly scenario: Scenario; readonly ui: UiState }
  | { readonly kind: 'default'; readonly scenario: Scenario; readonly refused?: string };

function fragmentOf(hash: string): string {
  return hash.startsWith('#') ? hash.slice(1) : hash;
}

/** Whether an address's fragment is meant as a share link (anything with `s=`, valid or not). */
export function isLinkFragment(hash: string): boolean {
  return /(^|&)s=/.test(fragmentOf(hash)) || isLibFragment(fragmentOf(hash));
}

type Decoded = { ok: true; scenario: Scenario; at?: number; libraryId?: string; ignored: readonly string[] } | { ok: false; error: string };

/** A full or a short link, with a bad `at=` ignored (and said) rather than the whole link refused. */
export function decodeAnyLink(fragment: string): Decoded {
  if (isLibFragment(fragment)) {
    const d = decodeShortLink(fragment);
    if (!d.ok) return { ok: false, error: d.error };
    return { ok: true, scenario: d.scenario, libraryId: d.id, ignored: d.ignored, ...(d.at !== undefined ? { at: d.at } : {}) };
  }
  const { fragment: clean, badAt } = splitBadAt(fragment);
  const d = decodeLink(clean);
  if (!d.ok) return { ok: false, error: plainLinkError(d.error) };
  return {
    ok: true,
    scenario: d.scenario,
    ignored: badAt !== null ? [`at=${badAt.slice(0, 20)} (not a step number: the run opens at its start)`] : [],
    ...(d.at !== undefined ? { at: d.at } : {}),
  };
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
    const d = decodeAnyLink(fragment);
    if (d.ok)
      return {
        kind: 'link',
        scenario: d.scenario,
        ignored: d.ignored,
        ...(d.at !== undefined ? { at: d.at } : {}),
        ...(d.libraryId ? { libraryId: d.libraryId } : {}),
      };
    return { kind: 'default', scenario: defaultScenario(), refused: d.error };
  }
  if (saved) return { kind: 'saved', scenario: saved.scenario, ui: saved.ui };
  return { kind: 'default', scenario: defaultScenario() };
}

export interface WorkEnv {
  readonly storage: Storage | null;
  /** Per tab (sessionStorage): this tab's id, so that a reload finds this tab's own record. */
  readonly session?: Storage | null;
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
    session: sessionStore(),
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
  /** The first-visit offer is done with (dismissed, or a lesson opened). */
  dismissWelcome(): void;
  /** Opens here the work another tab saved last (the notice about it offers this). */
  openOtherTab(): void;
  dismissOtherTab(): void;
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
  const notices: string[] = [];
  // ---- this tab's own record, beside the shared "latest work" that a new tab opens ----
  let tabId = readItem(env.session ?? null, TAB_ID_KEY);
  if (!tabId || !/^[a-z0-9-]{1,40}$/.test(tabId)) {
    tabId = newTabId(env.now());
    writeItem(env.session ?? null, TAB_ID_KEY, tabId);
  }
  const tabKey = `${TAB_KEY_PREFIX}${tabId}`;
  /** Keys whose record could not be read nor moved aside: never written, so nothing is overwritten. */
  const blocked = new Set<string>();
  /** What this tab last wrote at each key (a storage event of its own text is no news). */
  const mine = new Map<string, string>();

  /** A record that cannot be read (damaged, newer) is moved aside, never overwritten. */
  const setAside = (key: string) => {
    const text = readItem(env.storage, key);
    if (text === null || !unreadable(text)) return;
    const aside = `${ASIDE_KEY_PREFIX}${key}:${env.now()}`;
    if (writeItem(env.storage, aside, text).ok) {
      removeItem(env.storage, key);
      notices.push(`A saved record (${key}) was set aside because ${whyUnreadable(text)}; it is kept in this browser as ${aside}.`);
    } else {
      blocked.add(key);
      notices.push(
        `A saved record (${key}) cannot be read because ${whyUnreadable(text)}; it is left as it is, and this tab's work is not saved over it.`,
      );
    }
  };
  setAside(tabKey);
  setAside(WORK_KEY);
  setAside(PREVIOUS_KEY);

  const own = parseWork(readItem(env.storage, tabKey));
  const shared = parseWork(readItem(env.storage, WORK_KEY));
  // A reload finds this tab's own work; a new tab the work saved last by any tab.
  const saved = own ?? shared;
  const choice = chooseStart(env.location.hash, saved, env.navigation());
  /** What the address bar holds (the page rewrites it only when it differs). */
  let written: string | null = fragmentOf(env.location.hash) || null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** The work as a link or the library opened it: while unedited, replacing it loses nothing (the link has it). */
  let pristine: Scenario | null = null;
  /** Until a link's program has loaded, nothing is written: a link that freezes the page is never saved. */
  let settled = choice.kind !== 'link';
  let pending = false;
  let otherTab: Work | null = null;
  /** The load whose answer settles a link (the engine's count of loads sent, once the link is opened). */
  let settleAt = 0;
  /** While the keeper itself opens a scenario (its changes are no edit of the student's). */
  let opening = false;

  const welcomed = () => {
    writeItem(env.storage, WELCOMED_KEY, '1');
    if (store.getState().firstVisit) store.setState({ firstVisit: false });
  };

  const previousList = () => parsePreviousList(readItem(env.storage, PREVIOUS_KEY));

  const keepPrevious = (replaced: Scenario, ui: UiState, by: Scenario) => {
    // Nothing is lost when the work replaced is the default, a library scenario as shipped, or a link unedited.
    if (sameScenario(replaced, by) || sameScenario(replaced, defaultScenario())) return;
    if (pristine && sameScenario(replaced, pristine)) return;
    const shipped = libraryEntryOf(replaced);
    if (shipped && sameScenario(replaced, libraryScenario(shipped.id) ?? by)) return;
    if (blocked.has(PREVIOUS_KEY)) return;
    const text = serializeWork({ scenario: replaced, fragment: null, savedAt: env.now(), ui }, scenarioToJson(replaced));
    const list = previousList().filter((t) => {
      const w = parseWork(t);
      return w !== null && !sameScenario(w.scenario, replaced);
    });
    const next = [text, ...list].slice(0, PREVIOUS_SLOTS);
    let result = writeItem(env.storage, PREVIOUS_KEY, serializePreviousList(next));
    // Short of room, the oldest go first; the newest is kept if anything is.
    for (let n = next.length - 1; !result.ok && n >= 1; n--)
      result = writeItem(env.storage, PREVIOUS_KEY, serializePreviousList(next.slice(0, n)));
    if (result.ok) store.setState({ previousKept: describe(replaced) });
  };

  /** Writes a record unless the key is blocked; makes room by dropping the oldest previous work. */
  const put = (key: string, text: string) => {
    if (blocked.has(key)) return { ok: false as const, reason: 'a record there cannot be read and is not overwritten' };
    setAside(key);
    let result = writeItem(env.storage, key, text);
    if (!result.ok) {
      const list = previousList();
      while (!result.ok && list.length > 0) {
        list.pop();
        if (list.length) writeItem(env.storage, PREVIOUS_KEY, serializePreviousList(list));
        else removeItem(env.storage, PREVIOUS_KEY);
        result = writeItem(env.storage, key, text);
      }
    }
    if (result.ok) mine.set(key, text);
    return result;
  };

  /** Other tabs' records beyond the newest few are dropped (their work is in the shared record or older). */
  const pruneTabs = () => {
    const s = env.storage;
    if (!s) return;
    try {
      const tabs: { key: string; at: number }[] = [];
      for (let i = 0; i < s.length; i++) {
        const key = s.key(i);
        if (key?.startsWith(TAB_KEY_PREFIX) && key !== tabKey) tabs.push({ key, at: parseWork(s.getItem(key))?.savedAt ?? 0 });
      }
      tabs.sort((x, y) => y.at - x.at);
      for (const t of tabs.slice(TAB_RECORDS_KEPT - 1)) s.removeItem(t.key);
    } catch {
      // a storage that cannot be listed is left alone
    }
  };

  // What the address bar and storage hold; written when the work has stood still for KEEP_DELAY_MS.
  const write = () => {
    if (timer !== null) cancel(timer);
    timer = null;
    if (!settled) {
      pending = true;
      return;
    }
    const s = store.getState();
    const scenario = scenarioOf(s);
    const json = scenarioToJson(scenario);
    // The limits a reload applies, applied now: a record that would be refused is never written over a good one.
    const check = validateScenario(json);
    if (!check.ok) {
      const problem = `Your latest changes are not saved: ${check.errors.join('; ')}. The last version that fits stays saved.`;
      if (s.storageProblem !== problem) store.setState({ storageProblem: problem });
      return;
    }
    const fragment = shortFragmentFor(scenario, s.libraryId) ?? encodeFragment(scenario);
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
    const text = serializeWork({ scenario, fragment: written, savedAt: env.now(), ui: uiOf(s) }, json);
    const result = put(tabKey, text);
    if (result.ok) put(WORK_KEY, text);
    const problem = result.ok ? null : `Your work could not be saved in this browser: ${result.reason}. Use Share to keep it as a link.`;
    if (store.getState().storageProblem !== problem) store.setState({ storageProblem: problem });
  };
  const soon = () => {
    if (timer !== null) cancel(timer);
    timer = schedule(write, KEEP_DELAY_MS);
  };

  const open = (scenario: Scenario, libraryId?: string | null, fromLink = false) => {
    // A link pasted into the address waits for its program to load, as at the start.
    settled = !fromLink;
    const s = store.getState();
    keepPrevious(scenarioOf(s), uiOf(s), scenario);
    opening = true;
    try {
      store.commands.openScenario(scenario, libraryId);
    } finally {
      opening = false;
    }
    settleAt = store.getState().loadsSent;
    pristine = fromLink || libraryId ? scenario : null;
    write();
  };

  // ---- the start ----
  if (choice.kind !== 'saved' && saved) keepPrevious(saved.scenario, saved.ui, choice.scenario);
  const startLibrary = choice.kind === 'saved' ? choice.ui.libraryId : choice.kind === 'link' ? (choice.libraryId ?? undefined) : undefined;
  store.commands.openScenario(choice.scenario, startLibrary);
  if (choice.kind === 'link') pristine = choice.scenario;
  settleAt = store.getState().loadsSent;
  const ui = choice.kind === 'saved' ? choice.ui : DEFAULT_UI;
  if (choice.kind === 'saved') {
    store.setState({ activeVm: ui.activeVm, eventFilter: ui.eventFilter, lookForDone: ui.lookForDone });
    if (ui.speed !== store.getState().speed) store.commands.setSpeed(ui.speed);
  }
  if (choice.kind === 'default' && choice.refused) store.commands.setLinkProblem(choice.refused);
  if (choice.kind === 'link' && choice.ignored?.length)
    notices.push(`The link opened, but this was ignored: ${choice.ignored.join('; ')}.`);
  if (choice.kind === 'link' && choice.at !== undefined && choice.at > 0) seekOnceLoaded(store, choice.at);
  if (notices.length) store.setState({ workNotices: [...notices] });
  // A first visit (nothing saved, no link, never welcomed): the page offers a lesson, until the work changes.
  const firstVisit = choice.kind === 'default' && !choice.refused && !saved && readItem(env.storage, WELCOMED_KEY) === null;
  if (firstVisit) store.setState({ firstVisit: true });
  // A refused link stays in the address bar until the work changes: reloading shows the reason again.
  if (!(choice.kind === 'default' && choice.refused)) write();
  pruneTabs();

  // ---- from then on ----
  let last = store.getState();
  const unsubscribe = store.subscribe((s) => {
    if (
      !settled &&
      !opening &&
      ((editorIsLoaded(s) && s.loadsAnswered >= settleAt) ||
        (hasErrors(s.diagnostics) && !assemblyTimedOut(s.diagnostics)) ||
        (s.vms !== last.vms && editedFrom(pristine, s.vms)))
    ) {
      // The engine loaded the link's program (and answered), or the page's assembler said why not in good
      // time, or the student is editing it: now it may be kept. A link the assembler had to be stopped on
      // (or the engine never answers) is never saved as it came.
      settled = true;
      if (pending) write();
    }
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
    if (changed && s.firstVisit && (s.vms !== last.vms || s.libraryId !== null)) welcomed();
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
    const d = decodeAnyLink(fragment);
    if (!d.ok) {
      store.commands.setLinkProblem(d.error);
      return;
    }
    store.commands.setLinkProblem(null);
    written = fragment;
    open(d.scenario, d.libraryId ?? null, true);
    if (d.ignored.length) store.setState({ workNotices: [`The link opened, but this was ignored: ${d.ignored.join('; ')}.`] });
    if (d.at) seekOnceLoaded(store, d.at);
  };
  // Another tab saved its work: this tab keeps its own, and says so (with the other's offered).
  const onStorage = (e: StorageEvent) => {
    if (e.key !== WORK_KEY || e.newValue === null || e.newValue === mine.get(WORK_KEY)) return;
    const w = parseWork(e.newValue);
    if (!w || sameScenario(w.scenario, scenarioOf(store.getState()))) return;
    otherTab = w;
    store.setState({ otherTabWork: describe(w.scenario) });
  };
  env.window.addEventListener('pagehide', flushNow);
  env.window.addEventListener('hashchange', onHashChange);
  env.window.addEventListener('storage', onStorage as EventListener);
  env.document.addEventListener('visibilitychange', onVisibility);

  return {
    open: (scenario, libraryId) => open(scenario, libraryId),
    restorePrevious: () => {
      const list = previousList();
      const previous = parseWork(list[0] ?? null);
      if (!previous) {
        store.setState({ previousKept: null });
        return;
      }
      // Taken out of the list before opening: opening puts the current work at its head.
      const rest = list.slice(1);
      if (rest.length) writeItem(env.storage, PREVIOUS_KEY, serializePreviousList(rest));
      else removeItem(env.storage, PREVIOUS_KEY);
      store.setState({ previousKept: null });
      open(previous.scenario, previous.ui.libraryId);
      store.setState({ activeVm: Math.min(previous.ui.activeVm, previous.scenario.vms.length - 1), lookForDone: previous.ui.lookForDone });
    },
    dismissPrevious: () => store.setState({ previousKept: null }),
    dismissWelcome: welcomed,
    openOtherTab: () => {
      if (otherTab) open(otherTab.scenario, otherTab.ui.libraryId);
      otherTab = null;
      store.setState({ otherTabWork: null });
    },
    dismissOtherTab: () => {
      otherTab = null;
      store.setState({ otherTabWork: null });
    },
    flush: flushNow,
    dispose: () => {
      unsubscribe();
      if (timer !== null) cancel(timer);
      env.window.removeEventListener('pagehide', flushNow);
      env.window.removeEventListener('hashchange', onHashChange);
      env.window.removeEventListener('storage', onStorage as EventListener);
      env.document.removeEventListener('visibilitychange', onVisibility);
    },
  };
}

/** Whether the programs differ from those a link opened (an editor echoing the same text is no edit). */
function editedFrom(opened: Scenario | null, vms: readonly { readonly source: string }[]): boolean {
  if (!opened) return true;
  return vms.length !== opened.vms.length || vms.some((v, i) => v.source !== opened.vms[i]?.source);
}

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** A link's `at=`: once the run is loaded (paused at its first instruction), go to that moment. */
function seekOnceLoaded(store: AppStore, at: number): void {
  store.commands.seekWhenLoaded(at);
}
