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

  it('serves the newest rows of each list from the streamed events, without asking the worker', () => {
    const sent: PageMessage[] = [];
    const rows = new EventRows((m) => sent.push(m));
    const trap = (n: number): TraceEvent => ({ ...io(n), kind: 'trap' }) as unknown as TraceEvent;
    // Events 990–999 streamed: odd ones traps. At that moment the run has 1,000 events, 40 of them traps.
    const tail = Array.from({ length: 10 }, (_, i) => (i % 2 ? trap(990 + i) : io(990 + i)));
    rows.live(tail, 1000, { all: 1000, trap: 40, io: 960 });
    expect(rows.get('all', 999, 1000)).toEqual({ index: 999, event: tail[9] });
    expect(rows.get('all', 990, 1000)?.index).toBe(990);
    // The filtered list's last rows are the matching streamed events, newest last.
    expect(rows.get('trap', 39, 40)).toEqual({ index: 999, event: tail[9] });
    expect(rows.get('trap', 35, 40)?.index).toBe(991);
    expect(sent).toHaveLength(0);
    // Older than the stream, or a list of another length (another moment): asked of the worker.
    expect(rows.get('trap', 34, 40)).toBeUndefined();
    expect(rows.get('all', 999, 1001)).toBeUndefined();
    expect(sent.map((m) => m.kind)).toEqual(['events-window', 'events-window']);
    rows.clear();
    expect(rows.get('all', 999, 1000)).toBeUndefined();
  });

  it('still serves the update drawn while the next one waits for its frame, also when old events went', () => {
    const sent: PageMessage[] = [];
    const rows = new EventRows((m) => sent.push(m));
    const drawn = Array.from({ length: 10 }, (_, i) => io(990 + i));
    const next = Array.from({ length: 10 }, (_, i) => io(1990 + i));
    rows.live(drawn, 1000, { all: 1000 });
    // The next update's events arrive, and the worker let its oldest go (positions name other events now);
    // the page still shows the update of 1,000 events until the next frame.
    rows.forgetBlocks();
    rows.live(next, 2000, { all: 1000 + 500 });
    expect(rows.get('all', 999, 1000)).toEqual({ index: 999, event: drawn[9] });
    expect(rows.get('all', 1499, 1500)).toEqual({ index: 1999, event: next[9] });
    expect(sent).toHaveLength(0);
    // Two updates on, the first one's events are no longer served.
    rows.live(next, 2000, { all: 1500 });
    expect(rows.get('all', 999, 1000)).toBeUndefined();
    // A new run forgets them all.
    rows.clear();
    expect(rows.get('all', 1499, 1500)).toBeUndefined();
  });
});
