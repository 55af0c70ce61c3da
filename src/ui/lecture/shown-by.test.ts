// Each violator the Popek–Goldberg view links to a scenario for is really shown there: the scenario's
// program runs that instruction, and one of its "what to look for" steps checks it.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../isa/analysis';
import { libraryEntry, libraryScenario } from '../../scenario/library';
import { SHOWN_BY } from './shown-by';

/** Whether a VX program has `mnemonic` as an instruction (not in a comment or a string). */
function runs(source: string, mnemonic: string): boolean {
  return source.split('\n').some((line) => new RegExp(`^\\s*(?:[\\w.]+:)?\\s*${mnemonic}\\b`).test(line.replace(/;.*$/, '')));
}

describe('the Popek–Goldberg view’s links', () => {
  const violators = new Set([...analyze('classic').theorem1.violators, ...analyze('classic').theorem3.violators]);

  it('link every violator on classic to a scenario whose program runs it and whose steps check it', () => {
    expect([...violators].sort()).toEqual(['CPUID', 'POPF', 'PUSHF', 'SIDT', 'SMSW']);
    for (const m of violators) {
      const id = SHOWN_BY[m];
      expect(id, m).toBeDefined();
      const scenario = libraryScenario(id);
      const entry = libraryEntry(id);
      if (!scenario || !entry) throw new Error(`${m}: no library scenario ${id}`);
      expect(
        scenario.vms.some((v) => runs(v.source, m)),
        `${id}'s program runs ${m}`,
      ).toBe(true);
      expect(
        entry.steps.some((s) => JSON.stringify(s.check ?? null).includes(m)),
        `${id} has a check about ${m}`,
      ).toBe(true);
    }
  });

  it('find instructions as instructions, not in comments', () => {
    expect(runs('start: CPUID\n', 'CPUID')).toBe(true);
    expect(runs('  ; CPUID here\n  NOP\n', 'CPUID')).toBe(false);
    expect(runs('  PUSHF\n', 'POPF')).toBe(false);
  });
});
