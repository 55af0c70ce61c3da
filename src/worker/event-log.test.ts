import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../protocol/messages';
import { EventLog } from './event-log';
import { EventStream } from './event-stream';

const ev = (i: number, kind: 'trap' | 'io' | 'vm-exit' = i % 3 === 0 ? 'trap' : 'io'): TraceEvent =>
  kind === 'trap'
    ? { kind, vm: 0, pc: i, time: i, step: i * 2, cause: 'c', instruction: 'HLT', realCpl: 3, virtualCpl: 0, action: 'a' }
    : kind === 'io'
      ? { kind, vm: 0, pc: i, time: i, step: i * 2, port: 0xe9, value: i, direction: 'out' }
      : { kind, vm: 0, pc: i, time: i, step: i * 2, reason: 12, reasonName: 'HLT', qualification: '' };

describe('EventLog', () => {
  it("lists every event but the hypervisor's vmx ones under 'all-but-vmx' (the Events panel's default)", () => {
    const log = new EventLog();
    const vmx: TraceEvent = { kind: 'vmx', vm: 0, pc: 0, time: 0, step: 0, name: 'VMREAD', field: 'VM_EXIT_REASON', value: 12 };
    log.push(ev(0, 'vm-exit'), 0);
    log.push({ ...vmx, time: 1 }, 1);
    log.push({ ...vmx, time: 2, name: 'VMWRITE', field: 'GUEST_RIP' }, 2);
    log.push(ev(3, 'io'), 3);
    expect(log.count('all', 4)).toBe(4);
    expect(log.count('all-but-vmx', 4)).toBe(2);
    expect(log.window('all-but-vmx', 0, 10, 4).items.map((x) => x.event.kind)).toEqual(['vm-exit', 'io']);
    expect(log.counts(4)).toMatchObject({ all: 4, 'all-but-vmx': 2, vmx: 2 });
  });

  it('keeps the future across a seek back: replayed events that match are not stored twice', () => {
    const log = new EventLog();
    for (let i = 0; i < 30; i++) log.push(ev(i), i);
    // A seek back to event 10 replays 10…19, identical.
    for (let i = 10; i < 20; i++) log.push(ev(i), i);
    expect(log.end).toBe(30);
    expect(log.count('all', 20)).toBe(20);
    expect(log.count('trap', 20)).toBe(7); // 0, 3, …, 18
    expect(log.window('trap', 2, 3, 20).items.map((x) => x.index)).toEqual([6, 9, 12]);
  });

  it('cuts the future where a replayed event differs', () => {
    const log = new EventLog();
    for (let i = 0; i < 30; i++) log.push(ev(i), i);
    log.push(ev(12, 'vm-exit'), 12);
    expect(log.end).toBe(13);
    expect(log.count('vm-exit', 100)).toBe(1);
    expect(log.count('trap', 100)).toBe(4); // 0, 3, 6, 9
  });

  it('lets the oldest go beyond its limit, and counts what it keeps', () => {
    const log = new EventLog(100);
    for (let i = 0; i < 250; i++) log.push(ev(i), i);
    expect(log.end).toBe(250);
    expect(log.firstKept).toBeGreaterThan(100);
    expect(log.get(0)).toBeUndefined();
    expect(log.window('all', 0, 1, 250).items[0].index).toBe(log.firstKept);
  });

  it('finds the hypervisor events before a moment, latest first', () => {
    const log = new EventLog();
    for (let i = 0; i < 10; i++) log.push(ev(i), i);
    expect([...log.hypervisorEventsBefore(7)].map((x) => x.index)).toEqual([6, 3, 0]);
  });

  it('marks events on a timeline whose buckets widen as the run grows', () => {
    const log = new EventLog();
    for (let i = 0; i < 3000; i++) log.push(ev(i), i);
    const t = log.timeline(6000);
    expect(t.bucketWidth * 512).toBeGreaterThanOrEqual(6000);
    expect(t.buckets.trap.reduce((a, b) => a + b, 0)).toBe(1000);
  });
});

describe('EventStream', () => {
  it('sends the newest events with their index, and a cut when a seek went back past what the page has', () => {
    const s = new EventStream(5);
    for (let i = 0; i < 12; i++) s.push(ev(i), i);
    const [batch] = s.take();
    expect(batch).toMatchObject({ kind: 'events', first: 7, dropped: 7 });
    if (batch.kind === 'events') expect(batch.events.map((e) => e.pc)).toEqual([7, 8, 9, 10, 11]);
    // A seek back to event 9, replaying 9 and 10.
    s.replay = true;
    s.push(ev(9), 9);
    s.push(ev(10), 10);
    const [cut, replayed] = s.take();
    expect(cut).toEqual({ kind: 'events-cut', count: 9 });
    expect(replayed).toMatchObject({ kind: 'events', first: 9, dropped: 0, replay: true });
  });

  it('needs no cut when the seek went back only over events not yet sent', () => {
    const s = new EventStream(100);
    for (let i = 0; i < 5; i++) s.push(ev(i), i);
    s.take();
    for (let i = 5; i < 20; i++) s.push(ev(i), i);
    s.rewind(8);
    const out = s.take();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'events', first: 5 });
    if (out[0].kind === 'events') expect(out[0].events).toHaveLength(3);
  });
});
