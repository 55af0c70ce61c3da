import { describe, expect, it } from 'vitest';
import { compareVerdicts, type VerdictRun, verdictLine } from './compare-verdict';

function run(
  technique: string,
  total: number,
  o: Partial<{
    stop: string;
    state: string;
    console: string;
    exitCode: number | null;
    violations: number;
    instructions: number;
    cats: Record<string, number>;
  }> = {},
): VerdictRun {
  return {
    technique,
    stop: { reason: o.stop ?? 'all-stopped' },
    vms: [
      { name: 'vm1', state: o.state ?? 'powered-off', exitCode: o.exitCode === undefined ? 0 : o.exitCode, console: o.console ?? 'ok\n' },
    ],
    counters: { instructions: o.instructions ?? 1000, fidelityViolations: o.violations ?? 0 },
    cycles: { total, byCategory: o.cats ?? { guest: total } },
  };
}

describe('the Compare verdict', () => {
  it('never ranks a crashed run, one that hit the step limit or one that ended unlike bare metal; fidelity holds only for a finished run', () => {
    const results = [
      run('native', 1000),
      run('interpret', 20000),
      { technique: 'trap-and-emulate', skipped: 'no' },
      run('binary-translation', 3000, { violations: 2 }),
      run('hardware-assisted', 500, { stop: 'step-limit' }),
      run('paravirtualization', 10, { state: 'crashed', exitCode: null, console: '', instructions: 4 }),
    ];
    const { reference, verdicts } = compareVerdicts(results);
    expect(reference).toBe('bare-metal');
    expect(verdicts[0]).toMatchObject({ comparable: true, fidelity: 'reference', ratio: 1, rank: 1, best: false });
    expect(verdicts[1]).toMatchObject({ comparable: true, fidelity: 'holds', ratio: 20, rank: 3, best: false });
    expect(verdicts[2]).toMatchObject({ comparable: false, fidelity: 'skipped' });
    expect(verdicts[3]).toMatchObject({ comparable: true, fidelity: 'broken', rank: 2, best: true });
    expect(verdicts[4]).toMatchObject({ comparable: false, ratio: null, rank: null, best: false });
    expect(verdicts[4].why).toMatch(/step limit/);
    expect(verdicts[5]).toMatchObject({ comparable: false, fidelity: 'broken', ratio: null, best: false });
    expect(verdicts[5].why).toMatch(/crashed \(after 4 instructions\) where bare metal did not/);
    expect(verdictLine(verdicts[5])).toMatch(/^not comparable: /);
  });

  it('a run whose console or exit code differs from bare metal is not comparable', () => {
    const { verdicts } = compareVerdicts([
      run('native', 100),
      run('trap-and-emulate', 200, { console: 'other\n' }),
      run('binary-translation', 300, { exitCode: 3 }),
    ]);
    expect(verdicts[1].comparable).toBe(false);
    expect(verdicts[1].why).toMatch(/console differs from bare metal/);
    expect(verdicts[2].why).toMatch(/exited with 3 where bare metal exited with 0/);
  });

  it('a technique cheaper than bare metal carries the published reason, or says it has none', () => {
    const { verdicts } = compareVerdicts([
      run('native', 1000),
      run('binary-translation', 900, { cats: { guest: 800, translation: 100 } }),
      run('hardware-assisted', 950),
    ]);
    expect(verdicts[1].cheaperThanBareMetal?.source).toMatch(/Adams.*Agesen.*ASPLOS 2006/);
    expect(verdicts[1].cheaperThanBareMetal?.reason).toMatch(/device model/);
    expect(verdicts[2].cheaperThanBareMetal?.reason).toMatch(/no published reason/);
    expect(verdictLine(verdicts[1])).toMatch(/cheaper than bare metal/);
  });

  it('with several VMs (no bare metal) the outcome most techniques agree on is the reference', () => {
    const two = (t: string, total: number, crashed = false): VerdictRun => ({
      ...run(t, total),
      vms: [
        { name: 'vm1', state: 'powered-off', exitCode: 0, console: 'a' },
        { name: 'vm2', state: crashed ? 'crashed' : 'powered-off', exitCode: crashed ? null : 0, console: 'b' },
      ],
    });
    const { reference, verdicts } = compareVerdicts([
      { technique: 'native', skipped: 'bare metal runs one machine' },
      two('interpret', 900),
      two('trap-and-emulate', 500),
      two('paravirtualization', 10, true),
    ]);
    expect(reference).toBe('agreement');
    expect(verdicts.map((v) => v.comparable)).toEqual([false, true, true, false]);
    expect(verdicts[2].best).toBe(true);
    expect(verdicts[3].why).toMatch(/vm2 crashed/);
    expect(verdicts[2].ratio).toBeNull();
  });
});

// The page's Compare results (the worker protocol's) and the engine's are what compareVerdicts takes.
import type { CompareEntry as EngineEntry } from '../hypervisor/engine';
import type { CompareEntry as PageEntry } from '../protocol/messages';
import type { VerdictEntry } from './compare-verdict';

describe('the verdict takes the results of the page and of the engine as they are', () => {
  it('type-checks', () => {
    const page: readonly PageEntry[] = [];
    const engine: readonly EngineEntry[] = [];
    const a: readonly VerdictEntry[] = page;
    const b: readonly VerdictEntry[] = engine;
    expect(compareVerdicts([...a, ...b]).verdicts).toEqual([]);
  });
});
