import { describe, expect, it } from 'vitest';
import type { TraceEvent } from './events';
import { eventsToCsv, eventsToJson } from './export';

describe('trace export', () => {
  const events: TraceEvent[] = [
    { vm: 0, pc: 16, time: 5, step: 2, kind: 'console', text: '=1+2, "quoted"\n' },
    { vm: 1, pc: 24, time: 9, step: 3, kind: 'vm-exit', reason: 30, reasonName: 'IO_INSTRUCTION', qualification: 'port 0xE9, out' },
  ];
  it('writes one CSV row per event, escaped, with no formula cells', () => {
    const csv = eventsToCsv(events, ['vm1', 'vm2']);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('step,time,vm,pc,kind,details');
    expect(lines[1]).toBe('2,5,vm1,0x10,console,"{""text"":""=1+2, \\""quoted\\""\\n""}"');
    expect(lines[2].startsWith('3,9,vm2,0x18,vm-exit,')).toBe(true);
    expect(eventsToCsv([{ vm: 0, pc: 0, time: 0, kind: 'console', text: 'x' }], ['=HYPERLINK("x")'])).toContain(`'=HYPERLINK`);
  });
  it('writes JSON that reads back', () => {
    expect(JSON.parse(eventsToJson(events)).events).toEqual(events);
  });
});

import { COST_NAMES, CycleMeter, PRESETS } from './costs';

describe('the cycle meter', () => {
  it('sums every cost (the written-out total matches a loop over the table)', () => {
    const m = new CycleMeter(PRESETS['2006'].costs);
    COST_NAMES.forEach((k, i) => {
      m.charge(k, i + 1);
    });
    let expected = 0;
    COST_NAMES.forEach((k, i) => {
      expected += (i + 1) * PRESETS['2006'].costs[k];
    });
    expect(m.total()).toBe(expected);
  });
});
