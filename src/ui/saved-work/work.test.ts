// Never losing work (issue 14): two tabs, a newer or damaged record, an oversize program, two links in a
// row, a link that has not loaded yet, short library links and a bad `at=`.
import { describe, expect, it } from 'vitest';
import type { EngineBus } from '../../protocol/messages';
import { libraryScenario } from '../../scenario/library';
import { encodeFragment, encodeLibFragment } from '../../scenario/link';
import { scenarioFromSource } from '../../scenario/scenario';
import { timedOut } from '../editor/assemble-off-thread';
import { keyOf } from '../state/app-state';
import { type AppStore, createAppStore, scenarioOf } from '../state/store';
import { ASIDE_KEY_PREFIX, PREVIOUS_KEY, parsePreviousList, parseWork, TAB_KEY_PREFIX, WORK_KEY } from './persist';
import { shortFragmentFor } from './short-link';
import { KEEP_DELAY_MS, keepWork, type WorkEnv } from './work';

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

const quietBus = (): EngineBus => ({ send: () => {}, subscribe: () => () => {}, dispose: () => {} });

/** One browser tab: its own sessionStorage and address, the browser's shared localStorage. */
function tab(storage: Storage, hash = '', session = memoryStorage(), navigation = 'navigate') {
  const listeners = new Map<string, Set<(e: unknown) => void>>();
  const location = { hash, origin: 'https://virtlab.test', pathname: '/', search: '' };
  const env: WorkEnv = {
    storage,
    session,
    location,
    history: {
      replaceState: (_d, _u, url) => {
        const u = String(url ?? '');
        location.hash = u.includes('#') ? u.slice(u.indexOf('#')) : '';
      },
    },
    window: {
      addEventListener: (type: string, l: (e: unknown) => void) => {
        if (!listeners.has(type)) listeners.set(type, new Set());
        listeners.get(type)?.add(l);
      },
      removeEventListener: (type: string, l: (e: unknown) => void) => listeners.get(type)?.delete(l),
    } as WorkEnv['window'],
    document: { addEventListener: () => {}, removeEventListener: () => {}, visibilityState: 'visible' },
    now: () => Date.now(),
    navigation: () => navigation,
  };
  const store: AppStore = createAppStore(quietBus(), (f) => f());
  const timers: (() => void)[] = [];
  const work = keepWork(
    store,
    env,
    ((f: () => void) => {
      timers.push(f);
      return timers.length;
    }) as unknown as typeof setTimeout,
    (() => {}) as unknown as typeof clearTimeout,
  );
  const emit = (type: string, e: unknown) => {
    for (const l of listeners.get(type) ?? []) l(e);
  };
  return {
    store,
    work,
    session,
    location,
    emit,
    /** Types a program into VM 0 and lets the debounce pass. */
    type(source: string) {
      store.commands.setVmSource(0, source);
      for (const f of timers.splice(0)) f();
    },
    /** The worker loaded what the editor shows. */
    loaded() {
      store.setState({ loadedKey: keyOf(store.getState()), loadsAnswered: store.getState().loadsSent });
    },
    source: () => store.getState().vms[0].source,
  };
}

describe('two tabs', () => {
  it('each keeps its own record, a reload finds its own, and each sees the other save', () => {
    const storage = memoryStorage();
    const a = tab(storage);
    a.type('; tab A\n  HLT\n');
    const b = tab(storage);
    // A new tab opens the work saved last…
    expect(b.source()).toBe('; tab A\n  HLT\n');
    b.type('; tab B\n  HLT\n');
    // …and A hears of B's work without losing its own.
    a.emit('storage', { key: WORK_KEY, newValue: storage.getItem(WORK_KEY) });
    expect(a.store.getState().otherTabWork).toBeTruthy();
    expect(a.source()).toBe('; tab A\n  HLT\n');
    // A reload of A (same sessionStorage) brings back A's work, not B's.
    const again = tab(storage, a.location.hash, a.session, 'reload');
    expect(again.source()).toBe('; tab A\n  HLT\n');
    expect([...Array(storage.length).keys()].map((i) => storage.key(i)).filter((k) => k?.startsWith(TAB_KEY_PREFIX))).toHaveLength(2);
    // "Open it here" takes the other tab's work, keeping this one as previous work.
    a.work.openOtherTab();
    expect(a.source()).toBe('; tab B\n  HLT\n');
    expect(parsePreviousList(storage.getItem(PREVIOUS_KEY)).length).toBe(1);
  });
});

describe('records that cannot be read', () => {
  it('moves a newer record aside instead of overwriting it', () => {
    const storage = memoryStorage();
    const newer = JSON.stringify({ version: 99, scenario: { vms: [{ source: 'FUTURE' }] }, extra: 'keep me' });
    storage.setItem(WORK_KEY, newer);
    const t = tab(storage);
    expect(t.store.getState().workNotices.join(' ')).toMatch(/newer VirtLab/);
    t.type('  HLT\n');
    const aside = [...Array(storage.length).keys()].map((i) => storage.key(i) ?? '').filter((k) => k.startsWith(ASIDE_KEY_PREFIX));
    expect(aside).toHaveLength(1);
    expect(storage.getItem(aside[0])).toBe(newer);
    expect(parseWork(storage.getItem(WORK_KEY))?.scenario.vms[0].source).toBe('  HLT\n');
  });

  it('never overwrites a damaged record it cannot move aside', () => {
    const storage = memoryStorage();
    storage.setItem(WORK_KEY, '{damaged');
    const full = { ...storage, setItem: (k: string, v: string) => (k.startsWith(ASIDE_KEY_PREFIX) ? fail() : storage.setItem(k, v)) };
    function fail(): never {
      throw Object.assign(new Error('full'), { name: 'QuotaExceededError' });
    }
    Object.defineProperty(full, 'length', { get: () => storage.length });
    const t = tab(full as Storage);
    t.type('  HLT\n');
    expect(storage.getItem(WORK_KEY)).toBe('{damaged');
    expect(t.store.getState().workNotices.join(' ')).toMatch(/not saved over it/);
  });
});

describe('limits while typing', () => {
  it('keeps the last program that fits, and says so, rather than saving one a reload refuses', () => {
    const storage = memoryStorage();
    const t = tab(storage);
    t.type('; fits\n  HLT\n');
    t.type(`; too big\n${'  NOP\n'.repeat(50_000)}`);
    expect(t.store.getState().storageProblem).toMatch(/not saved: .*longer than/);
    const reload = tab(storage, t.location.hash, t.session, 'reload');
    expect(reload.source()).toBe('; fits\n  HLT\n');
  });
});

describe('links over kept work', () => {
  it('two links in a row keep the student’s work, not the first link', () => {
    const storage = memoryStorage();
    const t = tab(storage);
    t.type('; my homework\n  HLT\n');
    const one = scenarioFromSource('; link one\n  HLT\n');
    const two = scenarioFromSource('; link two\n  HLT\n');
    t.location.hash = `#${encodeFragment(one)}`;
    t.emit('hashchange', {});
    t.location.hash = `#${encodeFragment(two)}`;
    t.emit('hashchange', {});
    expect(t.source()).toBe('; link two\n  HLT\n');
    const kept = parsePreviousList(storage.getItem(PREVIOUS_KEY)).map((x) => parseWork(x)?.scenario.vms[0].source);
    expect(kept).toEqual(['; my homework\n  HLT\n']);
    t.work.restorePrevious();
    expect(t.source()).toBe('; my homework\n  HLT\n');
  });

  it('keeps several previous works, newest first', () => {
    const storage = memoryStorage();
    const t = tab(storage);
    for (const n of [1, 2, 3]) {
      t.type(`; work ${n}\n  HLT\n`);
      t.work.open(scenarioFromSource(`; opened ${n}\n  HLT\n`));
    }
    const kept = parsePreviousList(storage.getItem(PREVIOUS_KEY)).map((x) => parseWork(x)?.scenario.vms[0].source.split('\n')[0]);
    expect(kept).toEqual(['; work 3', '; work 2', '; work 1']);
  });

  it('saves a link only once its program has loaded', () => {
    const storage = memoryStorage();
    const mine = tab(storage);
    mine.type('; mine\n  HLT\n');
    const before = storage.getItem(WORK_KEY);
    const link = scenarioFromSource('; from a link\n  HLT\n');
    const t = tab(storage, `#${encodeFragment(link)}`);
    expect(t.source()).toBe('; from a link\n  HLT\n');
    expect(storage.getItem(WORK_KEY)).toBe(before);
    t.loaded();
    expect(parseWork(storage.getItem(WORK_KEY))?.scenario.vms[0].source).toBe('; from a link\n  HLT\n');
  });

  it('never saves a link the assembler had to be stopped on', () => {
    const storage = memoryStorage();
    const mine = tab(storage);
    mine.type('; mine\n  HLT\n');
    const before = storage.getItem(WORK_KEY);
    const t = tab(storage, `#${encodeFragment(scenarioFromSource('.equ a0, 1\n'))}`);
    expect(storage.getItem(WORK_KEY)).toBe(before);
    t.store.commands.setVmDiagnostics(0, timedOut().diagnostics);
    expect(storage.getItem(WORK_KEY)).toBe(before);
    // Pasted into the address of a tab already open, the same.
    mine.location.hash = `#${encodeFragment(scenarioFromSource('.equ a1, 2\n'))}`;
    mine.emit('hashchange', {});
    mine.store.commands.setVmDiagnostics(0, timedOut().diagnostics);
    expect(storage.getItem(WORK_KEY)).toBe(before);
    // The student then edits it: that is work, and it is kept.
    t.type('  HLT\n');
    expect(parseWork(storage.getItem(WORK_KEY))?.scenario.vms[0].source).toBe('  HLT\n');
  });

  it('ignores a bad at= with a notice, and speaks plainly of a damaged link', () => {
    const link = scenarioFromSource('; at\n  HLT\n');
    const t = tab(memoryStorage(), `#${encodeFragment(link)}&at=soon`);
    expect(t.source()).toBe('; at\n  HLT\n');
    expect(t.store.getState().workNotices.join(' ')).toMatch(/at=soon/);
    const bad = tab(memoryStorage(), '#s=1.@@@@');
    expect(bad.store.getState().linkProblem).toMatch(/corrupt \(damaged, or cut short/);
    expect(bad.store.getState().linkProblem).not.toMatch(/base64/);
  });
});

describe('short library links', () => {
  it('open the library scenario with its settings, and the page writes one back while the work is only that', () => {
    const t = tab(memoryStorage(), `#${encodeLibFragment('popf-problem', { technique: 'binary-translation' }, 5)}`);
    const s = t.store.getState();
    expect(s.libraryId).toBe('popf-problem');
    expect(s.technique).toBe('binary-translation');
    t.loaded();
    expect(t.location.hash).toBe('#lib=popf-problem&technique=binary-translation');
    expect(t.location.hash.length).toBeLessThan(60);
    // An edit makes the work more than a short link can say: the address carries the whole scenario.
    t.type('  HLT\n');
    expect(t.location.hash).toMatch(/^#s=1\./);
  });

  it('ignore a bad value with a notice, and refuse an unknown id', () => {
    const t = tab(memoryStorage(), '#lib=red-pill&technique=warp&isa=strict');
    expect(t.store.getState().libraryId).toBe('red-pill');
    expect(t.store.getState().isa).toBe('strict');
    expect(t.store.getState().workNotices.join(' ')).toMatch(/technique=warp/);
    const unknown = tab(memoryStorage(), '#lib=no-such-thing');
    expect(unknown.store.getState().linkProblem).toMatch(/no scenario called/);
  });

  it('are offered for every library scenario as shipped, and short enough for a small QR code', () => {
    for (const id of ['tae-basics', 'popf-problem', 'two-vms', 'type2', 'timer-injection']) {
      const sc = libraryScenario(id);
      if (!sc) throw new Error(id);
      const f = shortFragmentFor(sc, id);
      expect(f).toBe(`lib=${id}`);
      const changed = shortFragmentFor({ ...sc, technique: 'hardware-assisted', preset: 'modern' }, id, 12);
      expect(changed).toMatch(new RegExp(`^lib=${id}(&technique=hardware-assisted)?(&preset=modern)?&at=12$`));
    }
    expect(scenarioOf).toBeTypeOf('function');
  });
});

// The delay is part of the contract of the tests above: a burst of typing is one write.
expect(KEEP_DELAY_MS).toBeGreaterThan(0);
