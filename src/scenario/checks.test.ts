import { describe, expect, it } from 'vitest';
import { type Check, type CheckRun, evaluateCheck, MAX_CHECK_DEPTH, MAX_STEPS_PER_SCENARIO, validateLookFor } from './checks';
import { scenarioToJson, validateScenario } from './scenario';

function errorsOf(lookFor: unknown): string[] {
  const errors: string[] = [];
  validateLookFor(lookFor, errors);
  return errors;
}

const RUN: CheckRun = {
  technique: 'trap-and-emulate',
  stop: { reason: 'all-stopped' },
  vms: [{ state: 'powered-off', exitCode: 0, console: 'hello\n', cpu: { CPL: 0, R1: 5 }, counters: { traps: 3 } }],
  counters: { instructions: 40, traps: 3, vmExitsByReason: { HLT: 2 } },
  cycles: { total: 100, byCategory: { guest: 30, trap: 70 } },
  events: [
    { kind: 'trap', cause: 'hidden page fault', instruction: 'LIDT 1700', step: 0, vm: 0 },
    { kind: 'trap', cause: '#GP: privileged', instruction: 'LIDT 1700', step: 0, vm: 0 },
    { kind: 'emulate', instruction: 'LIDT 1700', effect: 'virtual IDTR ← 0x6A4', step: 1, vm: 0 },
    { kind: 'translate', code: [{ original: 'POPF', kind: 'inline' }], step: 5, vm: 0 },
    { kind: 'trap', cause: '#GP: privileged', instruction: 'IRET', step: 9, vm: 0 },
    { kind: 'vm-state', state: 'powered-off', step: 40, vm: 0 },
  ],
};
const ev = (c: Check) => evaluateCheck(c, RUN, () => ({ skipped: 'not in this test' }));

describe('lookFor checks: validation', () => {
  it('accepts the library forms and keeps the steps', () => {
    const errors: string[] = [];
    const steps = validateLookFor(
      [
        {
          text: 'a',
          check: { events: [{ kind: 'trap', cause: { contains: '#GP' } }, { kind: 'emulate' }] },
          settings: { isa: 'strict', exits: { io: false } },
        },
        {
          text: 'b',
          check: { all: [{ none: { kind: 'fidelity-violation' } }, { bareMetal: 'same' }, { counter: 'vmExitsByReason.HLT', min: 1 }] },
        },
        { text: 'c', check: { cheaper: ['native', { technique: 'hardware-assisted', paging: 'nested' }] } },
        { text: 'd' },
      ],
      errors,
    );
    expect(errors).toEqual([]);
    expect(steps.length).toBe(4);
  });

  it('names the field path and what was expected', () => {
    expect(errorsOf({})).toEqual([expect.stringMatching(/^lookFor: expected a list of steps/)]);
    expect(errorsOf([{ check: { event: { kind: 'trap' } } }])).toEqual(['lookFor[0].text: required, the step as Markdown']);
    expect(errorsOf([{ text: 'x', check: { event: { kind: 'trap' }, none: { kind: 'trap' } } }])[0]).toMatch(
      /^lookFor\[0\]\.check: one kind of check per object, not "event" and "none"/,
    );
    expect(errorsOf([{ text: 'x', check: { evnt: {} } }])[0]).toMatch(/^lookFor\[0\]\.check: expected one of "event", "events"/);
    expect(errorsOf([{ text: 'x', check: { events: [{ kind: 'trap' }, { pc: { regex: '^1' } }] } }])[0]).toMatch(
      /^lookFor\[0\]\.check\.events\[1\]\.pc: expected a value, or one of \{ "contains"/,
    );
    expect(errorsOf([{ text: 'x', check: { state: 'exploded' } }])[0]).toMatch(/^lookFor\[0\]\.check\.state: expected one of "running"/);
    expect(errorsOf([{ text: 'x', check: { stop: 'all-stopped' }, settings: { technique: 'qemu' } }])[0]).toMatch(
      /^lookFor\[0\]\.settings\.technique: expected one of "native"/,
    );
    expect(errorsOf([{ text: 'x', check: { cheaper: ['native'] } }])[0]).toMatch(
      /^lookFor\[0\]\.check\.cheaper: expected a list of 2 to 8 runs/,
    );
    expect(errorsOf([{ text: 'x', check: { counter: 'a.b.c' } }])[0]).toMatch(/^lookFor\[0\]\.check\.counter: expected a counter name/);
    expect(errorsOf([{ text: 'x', code: 'alert(1)' }])[0]).toMatch(/^lookFor\[0\]\.code: unknown field/);
  });

  it('is bounded: steps, nesting depth and parts', () => {
    expect(errorsOf(Array.from({ length: MAX_STEPS_PER_SCENARIO + 1 }, () => ({ text: 'x' })))[0]).toMatch(/at most 32 steps/);
    let deep: unknown = { stop: 'all-stopped' };
    for (let i = 0; i < MAX_CHECK_DEPTH + 2; i++) deep = { all: [deep] };
    expect(errorsOf([{ text: 'x', check: deep }]).join('\n')).toMatch(/nested more than 8 levels deep/);
    const wide = { all: Array.from({ length: 300 }, () => ({ stop: 'all-stopped' })) };
    expect(errorsOf([{ text: 'x', check: wide }]).join('\n')).toMatch(/more than 200 parts/);
  });

  it('is validated by the scenario parser, and kept through scenarioToJson', () => {
    const bad = validateScenario({ vms: [{ source: 'NOP' }], lookFor: [{ text: 'x', check: { first: { kind: 'trap' } } }] });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors).toEqual(['lookFor[0].check.is: required, the pattern the first matching event must also match']);
    const good = validateScenario({ vms: [{ source: 'NOP' }], lookFor: [{ text: 'x', check: { stop: 'all-stopped' } }] });
    expect(good.ok && good.scenario.lookFor).toEqual([{ text: 'x', check: { stop: 'all-stopped' } }]);
    // Kept as written among the fields a page or old code carries along unread, so it is written back too.
    if (good.ok) expect(scenarioToJson(good.scenario).lookFor).toEqual([{ text: 'x', check: { stop: 'all-stopped' } }]);
  });
});

describe('lookFor checks: evaluation', () => {
  it('names the event a check was seen at (the run\'s own object: where "Show me" moves the run)', () => {
    expect(ev({ event: { kind: 'emulate' } }).event).toBe(RUN.events[2]);
    expect(ev({ events: [{ kind: 'trap' }, { kind: 'translate' }] }).event).toBe(RUN.events[3]);
    expect(ev({ first: { kind: 'trap', cause: { contains: '#GP' } }, is: { instruction: 'LIDT 1700' } }).event).toBe(RUN.events[1]);
    expect(ev({ count: { kind: 'trap' }, min: 2 }).event).toBe(RUN.events[1]);
    // all: the latest event a part matched, though a whole-run part (the console) sets the step.
    const all = ev({ all: [{ event: { kind: 'translate' } }, { console: 'hello\n' }, { event: { kind: 'emulate' } }] });
    expect(all).toMatchObject({ seen: true, step: 40 });
    expect(all.event).toBe(RUN.events[3]);
    // any: the earliest seen.
    expect(ev({ any: [{ event: { kind: 'vm-exit' } }, { event: { kind: 'translate' } }, { event: { kind: 'emulate' } }] }).event).toBe(
      RUN.events[2],
    );
    // Whole-run checks have none.
    expect(ev({ console: 'hello\n' }).event).toBeUndefined();
    expect(ev({ none: { kind: 'vm-exit' } }).event).toBeUndefined();
  });

  it('events in order, with field patterns; the step is the last one matched', () => {
    expect(
      ev({
        events: [
          { kind: 'trap', cause: { contains: '#GP' } },
          { kind: 'emulate', effect: { contains: 'IDTR' } },
        ],
      }),
    ).toMatchObject({ seen: true, step: 1 });
    expect(ev({ events: [{ kind: 'emulate' }, { kind: 'trap', instruction: 'LIDT 1700' }] }).seen).toBe(false);
    expect(ev({ event: { kind: 'translate', code: { some: { original: 'POPF', kind: 'inline' } } } })).toMatchObject({
      seen: true,
      step: 5,
    });
    expect(ev({ event: { kind: 'trap', instruction: { oneOf: ['IRET', 'HLT'] }, step: { min: 2 } } })).toMatchObject({
      seen: true,
      step: 9,
    });
    expect(ev({ event: { kind: 'trap', reason: { absent: true }, cause: { not: { contains: 'hidden' } } } })).toMatchObject({
      seen: true,
      step: 0,
    });
  });

  it('first … is: the first event matching one pattern must match the other', () => {
    expect(ev({ first: { kind: 'trap' }, is: { cause: { contains: '#GP' } } }).seen).toBe(false);
    expect(ev({ first: { kind: 'trap', cause: { contains: '#GP' } }, is: { instruction: { contains: 'LIDT' } } }).seen).toBe(true);
  });

  it('none (optionally after an event), count, counters, console, state, cpu, stop and the largest category', () => {
    expect(ev({ none: { kind: 'vm-exit' } })).toMatchObject({ seen: true, step: 40 });
    expect(ev({ none: { kind: 'trap' } }).seen).toBe(false);
    expect(ev({ none: { kind: 'trap', instruction: 'LIDT 1700' }, after: { kind: 'emulate' } }).seen).toBe(true);
    expect(ev({ count: { kind: 'trap' }, min: 3 })).toMatchObject({ seen: true, step: 9 });
    expect(ev({ count: { kind: 'trap' }, max: 2 }).seen).toBe(false);
    expect(ev({ counter: 'vmExitsByReason.HLT', min: 2, max: 2 }).seen).toBe(true);
    expect(ev({ counter: 'traps', vm: 0, min: 4 }).seen).toBe(false);
    expect(ev({ console: { contains: 'hello' } }).seen).toBe(true);
    expect(ev({ console: 'hello' }).seen).toBe(false);
    expect(ev({ state: 'powered-off', exitCode: 0 })).toMatchObject({ seen: true, step: 40 });
    expect(ev({ state: 'crashed' }).why).toBe('the VM is powered-off');
    expect(ev({ cpu: { CPL: 0, R1: { min: 4, max: 6 } } }).seen).toBe(true);
    expect(ev({ stop: 'step-limit' }).seen).toBe(false);
    expect(ev({ largestCategory: 'trap' }).seen).toBe(true);
    expect(ev({ any: [{ stop: 'step-limit' }, { largestCategory: 'trap' }] }).seen).toBe(true);
    expect(ev({ all: [{ stop: 'all-stopped' }, { largestCategory: 'guest' }] }).why).toMatch(/^all\[1\]: the largest category is trap/);
  });

  it('bareMetal and cheaper ask for other runs; a run that did not finish like bare metal is never ranked', () => {
    const bare: CheckRun = { ...RUN, technique: 'native', cycles: { total: 50, byCategory: { guest: 50 } } };
    const crashed: CheckRun = {
      ...RUN,
      technique: 'paravirtualization',
      vms: [{ ...RUN.vms[0], state: 'crashed', exitCode: null }],
      cycles: { total: 1, byCategory: {} },
    };
    const under = (s: { technique?: string }) => (s.technique === 'native' ? bare : s.technique === 'paravirtualization' ? crashed : RUN);
    expect(evaluateCheck({ bareMetal: 'same' }, RUN, under).seen).toBe(true);
    expect(evaluateCheck({ bareMetal: 'different' }, RUN, under).seen).toBe(false);
    expect(evaluateCheck({ cheaper: ['native', 'trap-and-emulate'] }, RUN, under).seen).toBe(true);
    expect(evaluateCheck({ cheaper: ['trap-and-emulate', 'native'] }, RUN, under).seen).toBe(false);
    expect(evaluateCheck({ cheaper: ['paravirtualization', 'native'] }, RUN, under).why).toMatch(/not comparable/);
  });
});
