// Every library scenario's "what to look for" steps, each checked against the run it names: a step that
// is not seen fails here with its text and the reason (`virtlab check @id` says the same).
import { describe, expect, it } from 'vitest';
import { checkScenario } from '../../cli/check';
import { LIBRARY, libraryScenario } from '.';

describe('the library steps are true', () => {
  it('every step of every library scenario has a check', () => {
    for (const e of LIBRARY) {
      expect(e.steps.length, e.id).toBe(e.lookFor.length);
      for (const s of e.steps) expect(s.check, `${e.id}: ${s.text}`).toBeDefined();
    }
  });

  it('has a bare-metal baseline', () => {
    expect(LIBRARY.find((e) => e.id === 'bare-metal')?.scenario.technique).toBe('native');
  });

  for (const e of LIBRARY) {
    it(`${e.id}: every step is seen`, () => {
      const s = libraryScenario(e.id);
      if (!s) throw new Error('no scenario');
      const report = checkScenario(`@${e.id}`, s);
      const missed = report.steps.map((x, i) => (x.seen ? '' : `step ${i + 1} not seen: ${x.text}\n  why: ${x.why}`)).filter(Boolean);
      expect(missed, `@${e.id}`).toEqual([]);
      expect(report.passed).toBe(true);
    }, 120_000);
  }
});
