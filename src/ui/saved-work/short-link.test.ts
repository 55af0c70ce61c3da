// Short links round-trip and fit a small QR code (issue 14): every library scenario, with settings and a
// moment, opens again as the same work, and its code reads back at version 5 or less.
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { LIBRARY, libraryScenario } from '../../scenario/library';
import { ACTIONS, altHint, altShortcuts, matchesAlt } from '../state/actions';
import { fieldsOfScenario, sameScenario, scenarioOfFields } from '../state/scenario-state';
import { encodeQr, type QrCode } from './qr';
import { decodeShortLink, shortFragmentFor } from './short-link';

function scan(qr: QrCode, scale = 3): string | null {
  const n = (qr.size + 8) * scale;
  const data = new Uint8ClampedArray(n * n * 4).fill(255);
  for (let y = 0; y < qr.size; y++)
    for (let x = 0; x < qr.size; x++) {
      if (!qr.modules[y][x]) continue;
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const p = (((y + 4) * scale + dy) * n + (x + 4) * scale + dx) * 4;
          data[p] = data[p + 1] = data[p + 2] = 0;
        }
    }
  return jsQR(data, n, n, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

describe('short library links', () => {
  const base = 'https://virtlab.example.org/course/virtlab/';
  it("carry the page's vendor setting (AMD-V) as the scenario's hypervisor.vendor, and back", () => {
    const shipped = libraryScenario('vtx-exits');
    if (!shipped) throw new Error('vtx-exits');
    const fields = fieldsOfScenario(shipped);
    expect(fields.settings.vendor).toBe('intel');
    // What the page holds once AMD-V is picked in its Vendor setting.
    const amd = scenarioOfFields({ ...fields, settings: { ...fields.settings, vendor: 'amd' } });
    expect(amd.hypervisor.vendor).toBe('amd');
    const fragment = shortFragmentFor(amd, 'vtx-exits');
    expect(fragment).toBe('lib=vtx-exits&vendor=amd');
    const back = decodeShortLink(`${base}#${fragment}`);
    expect(back.ok && back.scenario.hypervisor.vendor).toBe('amd');
    expect(back.ok && fieldsOfScenario(back.scenario).settings.vendor).toBe('amd');
    // Intel is the default and is not written: the shipped scenario reads back unchanged.
    expect(sameScenario(scenarioOfFields(fields), shipped)).toBe(true);
  });

  it('round-trip every library scenario, with settings and a moment, and read back from a QR code of version 5 or less', () => {
    for (const entry of LIBRARY) {
      const shipped = libraryScenario(entry.id);
      if (!shipped) throw new Error(entry.id);
      const variants = [shipped, { ...shipped, isa: shipped.isa === 'classic' ? ('strict' as const) : ('classic' as const) }];
      for (const sc of variants) {
        const fragment = shortFragmentFor(sc, entry.id, 123_456);
        expect(fragment, entry.id).not.toBeNull();
        const link = `${base}#${fragment}`;
        const back = decodeShortLink(link);
        expect(back.ok, entry.id).toBe(true);
        if (!back.ok) continue;
        expect(sameScenario(back.scenario, sc), entry.id).toBe(true);
        expect(back.at).toBe(123_456);
        const qr = encodeQr(link);
        expect(qr, link).not.toBeNull();
        if (!qr) continue;
        expect(qr.version, link).toBeLessThanOrEqual(5);
        expect(scan(qr)).toBe(link);
      }
    }
  });

  it('are not offered for edited work', () => {
    const sc = libraryScenario('popf-problem');
    if (!sc) throw new Error('popf-problem');
    expect(shortFragmentFor({ ...sc, vms: [{ ...sc.vms[0], source: `${sc.vms[0].source}\n; edited\n` }] }, 'popf-problem')).toBeNull();
    expect(shortFragmentFor(sc, null)).toBeNull();
  });
});

describe('keys beside the function keys', () => {
  const key = (code: string, o: Partial<KeyboardEvent> = {}) =>
    ({ key: '', code, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...o }) as KeyboardEvent;
  it('every run control has a Ctrl/⌘ key that works in any browser, shown in its hint', () => {
    const step = ACTIONS.find((a) => a.id === 'step');
    const back = ACTIONS.find((a) => a.id === 'step-back');
    if (!step || !back) throw new Error('actions');
    expect(matchesAlt(step, key('Quote', { ctrlKey: true }))).toBe(true);
    expect(matchesAlt(step, key('Quote', { metaKey: true }))).toBe(true);
    expect(matchesAlt(step, key('Quote', { ctrlKey: true, shiftKey: true }))).toBe(false);
    expect(matchesAlt(back, key('Quote', { ctrlKey: true, shiftKey: true }))).toBe(true);
    expect(altHint(step, false)).toBe("Ctrl+'");
    expect(altHint(back, true)).toBe("⌘⇧'");
    for (const a of ACTIONS) {
      expect(altShortcuts(a)).toMatch(/^Control\+.* Meta\+/);
      // No two actions share a key, but for Run and Pause (one of them can act at a time).
      const same = ACTIONS.filter((b) => b.alt.code === a.alt.code && b.alt.shift === a.alt.shift).map((b) => b.id);
      expect(same.length === 1 || same.join() === 'run,pause').toBe(true);
    }
  });
});
