import { describe, expect, it } from 'vitest';
import { libraryScenario } from '../../scenario/library';
import { encodeFragment } from '../../scenario/link';
import { scenarioFromSource, scenarioToJson } from '../../scenario/scenario';
import { defaultScenario } from '../state/scenario-state';
import { DEFAULT_UI, parseWork, serializeWork, WORK_VERSION, writeItem } from './persist';
import { chooseStart } from './work';

/** A Storage kept in a Map, with a quota in characters. */
function memoryStorage(quota = Number.POSITIVE_INFINITY): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => {
      const used = [...m.entries()].reduce((n, [key, val]) => n + (key === k ? 0 : val.length), 0);
      if (used + v.length > quota) throw Object.assign(new Error('full'), { name: 'QuotaExceededError' });
      m.set(k, v);
    },
  };
}

describe('saved work', () => {
  const scenario = scenarioFromSource('  MOV R0, 1\n  OUT 0xF4, R0\n');

  it('round-trips the scenario and the page state', () => {
    const ui = { activeVm: 0, speed: 100, eventFilter: 'trap', libraryId: 'popf-problem', lookForDone: [0, 2] } as const;
    const text = serializeWork({ scenario, fragment: 's=1.abc', savedAt: 5, ui }, scenarioToJson(scenario));
    expect(JSON.parse(text).version).toBe(WORK_VERSION);
    const back = parseWork(text);
    expect(back?.scenario).toEqual(scenario);
    expect(back?.ui).toEqual(ui);
    expect(back?.fragment).toBe('s=1.abc');
  });

  it('migrates a version 1 record', () => {
    const v1 = {
      version: 1,
      savedAt: 7,
      vms: [
        { name: 'a', source: 'HLT' },
        { name: 'b', source: 'NOP' },
      ],
      technique: 'hardware-assisted',
      isa: 'strict',
      settings: { preset: '2006', paging: 'shadow', hypervisorType: 2, exits: { hlt: false } },
      activeVm: 1,
    };
    const w = parseWork(JSON.stringify(v1));
    expect(w).not.toBeNull();
    expect(w?.scenario.vms.map((v) => v.name)).toEqual(['a', 'b']);
    expect(w?.scenario.technique).toBe('hardware-assisted');
    expect(w?.scenario.isa).toBe('strict');
    expect(w?.scenario.preset).toBe('2006');
    expect(w?.scenario.hypervisor).toMatchObject({ paging: 'shadow', type: 2, exits: { hlt: false } });
    expect(w?.ui.activeVm).toBe(1);
    expect(w?.savedAt).toBe(7);
  });

  it('ignores corrupt, foreign or future records instead of throwing', () => {
    const bad = [
      null,
      '',
      '{',
      'null',
      '[]',
      '"text"',
      '{"version":0}',
      `{"version":${WORK_VERSION + 1},"scenario":{"vms":[{"source":"NOP"}]}}`,
      '{"version":2,"scenario":{"vms":[]}}',
      '{"version":2,"scenario":{"vms":[{"source":42}]}}',
      '{"version":1,"vms":"not a list"}',
      '{"version":"2","scenario":{"vms":[{"source":"NOP"}]}}',
    ];
    for (const text of bad) expect(parseWork(text), String(text)).toBeNull();
    // Odd page state is replaced by defaults, the scenario kept.
    const odd = parseWork(
      '{"version":2,"scenario":{"vms":[{"source":"NOP"}]},"ui":{"activeVm":9,"speed":-1,"eventFilter":"<b>","lookForDone":["x",1]}}',
    );
    expect(odd?.ui).toEqual({ ...DEFAULT_UI, lookForDone: [1] });
    // __proto__ in storage is data, as in links.
    const proto = parseWork('{"version":2,"scenario":{"vms":[{"source":"NOP"}],"__proto__":{"polluted":1}}}');
    expect(proto?.scenario.vms[0].source).toBe('NOP');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('says why when storage is full, and never throws', () => {
    const s = memoryStorage(10);
    expect(writeItem(s, 'k', 'short')).toEqual({ ok: true });
    const full = writeItem(s, 'k2', 'far too long for the quota');
    expect(full.ok).toBe(false);
    if (!full.ok) expect(full.reason).toMatch(/full/);
    expect(writeItem(null, 'k', 'x').ok).toBe(false);
  });
});

describe('where the page starts', () => {
  const mine = scenarioFromSource('; mine\n  HLT\n');
  const saved = { scenario: mine, fragment: 's=1.mine', savedAt: 1, ui: DEFAULT_UI };

  it('opens a link first, then saved work, then the default', () => {
    const shipped = libraryScenario('red-pill');
    if (!shipped) throw new Error('no red-pill');
    const link = chooseStart(`#${encodeFragment(shipped, 42)}`, saved);
    expect(link.kind).toBe('link');
    expect(link.scenario).toEqual(shipped);
    expect(link.kind === 'link' && link.at).toBe(42);
    expect(chooseStart('', saved)).toMatchObject({ kind: 'saved', scenario: mine });
    expect(chooseStart('#unrelated', saved)).toMatchObject({ kind: 'saved' });
    expect(chooseStart('', null)).toEqual({ kind: 'default', scenario: defaultScenario() });
  });

  it('treats its own fragment as a reload of the saved work', () => {
    expect(chooseStart('#s=1.mine', saved)).toMatchObject({ kind: 'saved', scenario: mine });
  });

  it('keeps the saved work on a reload, whatever the address says', () => {
    const shipped = libraryScenario('red-pill')!;
    expect(chooseStart(`#${encodeFragment(shipped)}`, saved, 'reload')).toMatchObject({ kind: 'saved', scenario: mine });
    expect(chooseStart(`#${encodeFragment(shipped)}`, null, 'reload')).toMatchObject({ kind: 'link' });
  });

  it('refuses a hostile link with the reason, and opens the default scenario', () => {
    const c = chooseStart(`#s=1.${'A'.repeat(70_000)}`, saved);
    expect(c.kind).toBe('default');
    expect(c.scenario).toEqual(defaultScenario());
    expect(c.kind === 'default' && c.refused).toMatch(/70,00\d characters long/);
    expect(chooseStart('#s=9.AAAA', null)).toMatchObject({ kind: 'default', refused: expect.stringMatching(/newer VirtLab/) });
  });
});
