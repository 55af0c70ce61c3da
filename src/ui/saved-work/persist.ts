// Never losing work: the scenario in the editor (every VM's program), the open tabs and the settings
// are kept in localStorage as a versioned record, with a migration from each old version to the next.
// Storage is untrusted too (another version of the page, a hand edit, a half-written record): anything
// that does not read back as a valid record is ignored, never thrown. The scenario inside goes through
// the same validation as a link or a file.
import { DEFAULT_EVENT_FILTER, EVENT_KINDS, type EventFilter, type Speed } from '../../protocol/messages';
import { type Scenario, validateScenario } from '../../scenario/scenario';

/** Where the work is kept; the record inside carries its own version. */
export const WORK_KEY = 'virtlab:work';
/** The work the last link, library scenario or "Restore original" replaced: one step of undo. */
export const PREVIOUS_KEY = 'virtlab:previous';
export const WORK_VERSION = 2;

/** The page's own state beside the scenario: tabs, speed, filters, the library checklist. */
export interface UiState {
  readonly activeVm: number;
  readonly speed: Speed;
  readonly eventFilter: EventFilter;
  readonly libraryId: string | null;
  readonly lookForDone: readonly number[];
}

export const DEFAULT_UI: UiState = { activeVm: 0, speed: 'full', eventFilter: DEFAULT_EVENT_FILTER, libraryId: null, lookForDone: [] };

export interface Work {
  readonly scenario: Scenario;
  /** The fragment the page last wrote into the address bar for this work (to recognise a reload). */
  readonly fragment: string | null;
  readonly savedAt: number;
  readonly ui: UiState;
}

/**
 * Migrations of the stored record, from each old version to the next. Version 1 (the first builds of the
 * page's autosave) kept the store's own fields: `vms`, `technique`, `isa`, `settings` and `activeVm`.
 * Version 2 keeps a whole scenario (title, notes, costs… survive a reload) and the page's state apart.
 */
export const WORK_MIGRATIONS: Readonly<Record<number, (old: Record<string, unknown>) => Record<string, unknown>>> = {
  1: (v1) => {
    const settings = isObject(v1.settings) ? v1.settings : {};
    return {
      version: 2,
      savedAt: v1.savedAt,
      fragment: null,
      scenario: {
        vms: v1.vms,
        technique: v1.technique,
        isa: v1.isa,
        preset: settings.preset,
        hypervisor: { paging: settings.paging, type: settings.hypervisorType, exits: settings.exits },
      },
      ui: { activeVm: v1.activeVm },
    };
  },
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readUi(raw: unknown, vms: number): UiState {
  const o = isObject(raw) ? raw : {};
  const activeVm = Number.isInteger(o.activeVm) && (o.activeVm as number) >= 0 && (o.activeVm as number) < vms ? (o.activeVm as number) : 0;
  const speed: Speed = o.speed === 'full' || (typeof o.speed === 'number' && o.speed > 0 && Number.isFinite(o.speed)) ? o.speed : 'full';
  const f = o.eventFilter;
  const eventFilter: EventFilter =
    f === 'all' || f === 'all-but-vmx' || f === 'hypervisor' || (typeof f === 'string' && (EVENT_KINDS as readonly string[]).includes(f))
      ? (f as EventFilter)
      : DEFAULT_EVENT_FILTER;
  const libraryId = typeof o.libraryId === 'string' && o.libraryId.length < 100 ? o.libraryId : null;
  const lookForDone = Array.isArray(o.lookForDone)
    ? o.lookForDone.filter((i): i is number => Number.isInteger(i) && i >= 0 && i < 100)
    : [];
  return { activeVm, speed, eventFilter, libraryId, lookForDone };
}

/** Reads a stored record (the text of WORK_KEY); null when there is none or it cannot be used. */
export function parseWork(text: string | null): Work | null {
  if (!text) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data) || !Number.isInteger(data.version)) return null;
  let version = data.version as number;
  if (version < 1 || version > WORK_VERSION) return null;
  while (version < WORK_VERSION) {
    const migrate = WORK_MIGRATIONS[version];
    if (!migrate) return null;
    try {
      data = migrate(data as Record<string, unknown>);
    } catch {
      return null;
    }
    version++;
  }
  const record = data as Record<string, unknown>;
  const parsed = validateScenario(record.scenario);
  if (!parsed.ok) return null;
  return {
    scenario: parsed.scenario,
    fragment: typeof record.fragment === 'string' ? record.fragment : null,
    savedAt: typeof record.savedAt === 'number' ? record.savedAt : 0,
    ui: readUi(record.ui, parsed.scenario.vms.length),
  };
}

export function serializeWork(work: Work, scenarioJson: Record<string, unknown>): string {
  return JSON.stringify({ version: WORK_VERSION, savedAt: work.savedAt, fragment: work.fragment, scenario: scenarioJson, ui: work.ui });
}

/** The browser's storage, or null where there is none (a sandboxed frame, storage switched off). */
export function localStore(): Storage | null {
  try {
    const s = window.localStorage;
    return s ?? null;
  } catch {
    return null;
  }
}

export function readItem(storage: Storage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Writes one record; says why not when it cannot (storage full, switched off). Never throws. */
export function writeItem(storage: Storage | null, key: string, text: string): { ok: true } | { ok: false; reason: string } {
  if (!storage) return { ok: false, reason: 'this browser keeps no local storage for the page' };
  try {
    storage.setItem(key, text);
    return { ok: true };
  } catch (e) {
    const name = (e as { name?: string })?.name ?? '';
    const full = name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || (e as { code?: number })?.code === 22;
    return {
      ok: false,
      reason: full ? 'the browser’s storage for this page is full' : `the browser refused to store it (${name || 'error'})`,
    };
  }
}

export function removeItem(storage: Storage | null, key: string): void {
  try {
    storage?.removeItem(key);
  } catch {
    // Nothing to do: a storage that cannot remove cannot hold it either.
  }
}

// ---- several tabs, several previous works, records set aside ----

/** This tab's own record: `virtlab:tab:<id>`, the id kept in sessionStorage (it survives a reload of the tab). */
export const TAB_KEY_PREFIX = 'virtlab:tab:';
export const TAB_ID_KEY = 'virtlab:tab-id';
/** A record that could not be read (damaged, or written by a newer VirtLab) is moved here, never overwritten. */
export const ASIDE_KEY_PREFIX = 'virtlab:aside:';
/** Set once the first-visit offer has been seen through (a lesson opened, or dismissed). */
export const WELCOMED_KEY = 'virtlab:welcomed';
/** How many pieces of replaced work are kept (newest first). */
export const PREVIOUS_SLOTS = 5;
/** The tabs' own records kept at most (the oldest go first). */
export const TAB_RECORDS_KEPT = 8;

/** The stored list of previous works: each item the text of a work record. Reads the old single record too. */
export function parsePreviousList(text: string | null): string[] {
  if (!text) return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  if (isObject(data) && data.format === 'virtlab-previous' && Array.isArray(data.items)) {
    return data.items.filter((t): t is string => typeof t === 'string').slice(0, PREVIOUS_SLOTS);
  }
  // Before several slots, the key held one work record.
  return parseWork(text) ? [text] : [];
}

export function serializePreviousList(items: readonly string[]): string {
  return JSON.stringify({ format: 'virtlab-previous', version: 1, items: items.slice(0, PREVIOUS_SLOTS) });
}

/** Whether a stored text is a record this page cannot use and must not overwrite. */
export function unreadable(text: string | null): boolean {
  return text !== null && text !== '' && parseWork(text) === null;
}

/** Why a record cannot be used, in words: newer, or damaged. */
export function whyUnreadable(text: string): string {
  try {
    const data = JSON.parse(text);
    if (isObject(data) && typeof data.version === 'number' && data.version > WORK_VERSION) {
      return 'it was saved by a newer VirtLab';
    }
  } catch {
    // damaged
  }
  return 'it could not be read';
}

/** A new id for this tab (not secret: it only tells the tabs' records apart). */
export function newTabId(now: number): string {
  return `${now.toString(36)}-${Math.floor(Math.random() * 36 ** 6).toString(36)}`;
}
