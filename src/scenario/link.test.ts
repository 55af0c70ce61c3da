import fc from 'fast-check';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { base64url, decodeLink, encodeFragment, fromBase64url, LINK_VERSION, shareLink } from './link';
import { scenarioFromSource, validateScenario } from './scenario';

const payload = (json: string) => base64url(deflateSync(new TextEncoder().encode(json)));

describe('share links', () => {
  it('round-trips a scenario and a moment', () => {
    const s = scenarioFromSource('  MOV R0, 1\n  OUT 0xF4, R0\n');
    const link = shareLink('http://127.0.0.1:4173/', s, 1234);
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:4173\/#s=1\.[A-Za-z0-9_-]+&at=1234$/);
    const d = decodeLink(link);
    expect(d.ok && d.scenario).toEqual(s);
    expect(d.ok && d.at).toBe(1234);
  });

  it('keeps a typical 100-line scenario under 2,000 characters', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `loop${i}: ADD R${i % 7}, ${i * 3}   ; step ${i}`).join('\n');
    expect(encodeFragment(scenarioFromSource(lines)).length).toBeLessThan(2000);
  });

  it('base64url round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(Array.from(fromBase64url(base64url(b)) ?? [])).toEqual(Array.from(b));
      }),
    );
  });

  it('refuses hostile links with a reason, never throwing', () => {
    const bomb = payload(`{"vms":[{"source":"${' '.repeat(3_000_000)}"}]}`);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const cases: [string, RegExp][] = [
      [`#s=1.${bomb}`, /inflates past 1024 KiB/],
      [`#s=1.${'A'.repeat(70_000)}`, /70,00\d characters long/],
      ['#s=1.!!!not-base64', /not base64url/],
      [`#s=1.${payload('{"vms":[{"source":"x"}]}').slice(0, 8)}`, /truncated|corrupt/],
      ['#s=1.AAAA', /corrupt|truncated/],
      [`#s=${LINK_VERSION + 1}.${payload('{"vms":[]}')}`, /newer VirtLab/],
      [`#s=1.${payload('not json')}`, /not JSON/],
      [`#s=1.${payload('{"vms":[],"isa":"mips"}')}`, /invalid: .*isa: expected one of.*vms: required/],
      [`#s=1.${payload('{"vms":[{"source":"NOP"}]}')}&at=-3`, /not a step number/],
      ['#t=1', /no scenario/],
      ['#s=x.AAAA', /no version/],
    ];
    for (const [link, why] of cases) {
      const d = decodeLink(link);
      expect(d.ok, link.slice(0, 40)).toBe(false);
      if (!d.ok) expect(d.error).toMatch(why);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (junk) => {
        expect(() => decodeLink(`#s=1.${junk}`)).not.toThrow();
      }),
    );
  });

  it('treats __proto__ and friends as plain data', () => {
    const json =
      '{"vms":[{"source":"NOP","__proto__":{"polluted":1}}],"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}';
    const d = decodeLink(`#s=1.${payload(json)}`);
    expect(d.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (d.ok) {
      expect(Object.getPrototypeOf(d.scenario.extra)).toBe(Object.prototype);
      expect(Object.hasOwn(d.scenario.extra, '__proto__')).toBe(true);
      // And it survives a round trip as data.
      const again = decodeLink(encodeFragment(d.scenario));
      expect(again.ok && Object.hasOwn(again.scenario.extra, '__proto__')).toBe(true);
    }
  });

  it('opens the stored links of every version', () => {
    // Links as VirtLab wrote them; they must open forever (add each new version's links here).
    const stored = ['#s=1.q1Yqyy1WsoquVirOLy1KTlWyUvL1D1MIMtBRMFSqja0FAA&at=2'];
    for (const link of stored) {
      const d = decodeLink(link);
      expect(d.ok, d.ok ? '' : d.error).toBe(true);
      if (d.ok) {
        const v = validateScenario({ vms: [{ source: 'MOV R0, 1' }] });
        expect(v.ok && d.scenario.vms[0].source.trim()).toBe(v.ok && 'MOV R0, 1');
        expect(d.at).toBe(2);
      }
    }
  });
});
