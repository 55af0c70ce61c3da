import { describe, expect, it } from 'vitest';
import type { PageMessage, TraceEvent } from '../../../protocol/messages';
import { BLOCK, EventRows } from './event-rows';

const io = (n: number): TraceEvent => ({ kind: 'io', vm: 0, pc: n, time: n, port: 0xe9, value: n, direction: 'out', step: n });

describe('EventRows', () => {
  it('asks for a block once, and serves its rows when the answer comes', () => {
    const sent: PageMessage[] = [];
    const rows = new EventRows((m) => sent.push(m));
    let changes = 0;
    rows.subscribe(() => changes++);
    expect(rows.get('all', 5, 1000)).toBeUndefined();
    expect(rows.get('all', 7, 1000)).toBeUndefined();
    expect(sent).toHaveLength(1);
    const ask = sent[0];
    if (ask.kind !== 'events-window') throw new Error(ask.kind);
    expect(ask).toMatchObject({ filter: 'all', from: 0, count: BLOCK });
    const items = Array.from({ length: BLOCK }, (_, i) => ({ index: i, event: io(i) }));
    rows.receive({ kind: 'events-window', request: ask.request, filter: 'all', from: 0, total: 1000, items });
    expect(changes).toBe(1);
    expect(rows.get('all', 7, 1000)?.event.pc).toBe(7);
    // Another filter is another list.
    expect(rows.get('trap', 7, 50)).toBeUndefined();
    expect(sent).toHaveLength(2);
  });

  it('asks again for a block that was cut short by the list’s length then', () => {
    const sent: PageMessage[] = [];
    const rows = new EventRows((m) => sent.push(m));
    rows.get('all', 0, 10);
    const ask = sent[0];
    if (ask.kind !== 'events-window') throw new Error(ask.kind);
    rows.receive({
      kind: 'events-window',
      request: ask.request,
      filter: 'all',
      from: 0,
      total: 10,
      items: Array.from({ length: 10 }, (_, i) => ({ index: i, event: io(i) })),
    });
    expect(rows.get('all', 3, 10)?.index).toBe(3);
    expect(sent).toHaveLength(1);
    // The run went on: row 12 exists now.
    expect(rows.get('all', 12, 30)).toBeUndefined();
    expect(sent).toHaveLength(2);
  });

  it('ignores answers to requests made before it was cleared', () => {
    const sent: PageMessage[] = [];
    const rows = new EventRows((m) => sent.push(m));
    rows.get('all', 0, 10);
    rows.clear();
    const ask = sent[0];
    if (ask.kind !== 'events-window') throw new Error(ask.kind);
    rows.receive({ kind: 'events-window', request: ask.request, filter: 'all', from: 0, total: 1, items: [{ index: 0, event: io(0) }] });
    expect(rows.get('all', 0, 1)).toBeUndefined();
  });
});
