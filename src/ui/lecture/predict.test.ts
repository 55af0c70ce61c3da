import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../../protocol/messages';
import { predictChoices, TECHNIQUE_KINDS } from './predict';

describe('predict the next event: the choices', () => {
  const candidates = TECHNIQUE_KINDS['trap-and-emulate'];

  it('always include the true kind, a few others of the technique, in the order of EVENT_KINDS', () => {
    for (let seed = 0; seed < 200; seed++) {
      const c = predictChoices('reflect', candidates, seed);
      expect(c).toContain('reflect');
      expect(c).toHaveLength(4);
      expect(new Set(c).size).toBe(4);
      expect(c.every((k) => candidates.includes(k))).toBe(true);
      expect([...c].sort((a, b) => EVENT_KINDS.indexOf(a) - EVENT_KINDS.indexOf(b))).toEqual(c);
    }
  });

  it('are the same for the same moment, and differ between moments', () => {
    expect(predictChoices('trap', candidates, 22)).toEqual(predictChoices('trap', candidates, 22));
    const seen = new Set(Array.from({ length: 50 }, (_, seed) => predictChoices('trap', candidates, seed).join()));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('leave out kinds that are not hypervisor events, and offer fewer when the technique has few', () => {
    expect(predictChoices('interrupt', ['interrupt', 'console', 'vm-state'], 1)).toEqual(['interrupt', 'vm-state']);
    expect(predictChoices('vm-exit', [], 5)).toEqual(['vm-exit']);
  });
});
