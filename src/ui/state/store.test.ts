import { describe, expect, it } from 'vitest';
import type { DisplaySnapshot, EngineBus, PageMessage, RunStatus, WorkerMessage } from '../../protocol/messages';
import { createAppStore, EVENTS_KEPT, IDLE, reduce } from './store';

/** A bus whose worker is the test: it records what the page sends and delivers what the test says. */
function fakeBus() {
  const sent: PageMessage[] = [];
  let listener: ((m: WorkerMessage) => void) | null = null;
  const bus: EngineBus = {
    send: (m) => sent.push(m),
    subscribe: (l) => {
      listener = l;
      return () => {
        listener = null;
      };
    },
    dispose: () => {},
  };
  const deliver = (m: WorkerMessage) => listener?.(m);
  const status = (s: Partial<RunStatus>) => deliver({ kind: 'status', status: { ...IDLE, ...s } });
  return { bus, sent, deliver, status, kinds: () => sent.map((m) => m.kind) };
}

/** Frames run when the test says so. */
function frames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (f: () => void) => queue.push(f),
    tick: () => {
      for (const f of queue.splice(0)) f();
    },
  };
}

describe('the page store', () => {
  it('loads what the editor holds before running it', () => {
    const w = fakeBus();
    const store = createAppStore(w.bus, frames().schedule);
    store.commands.run();
    expect(w.kinds()).toEqual(['load', 'run']);
    const load = w.sent[0];
    if (load.kind !== 'load') throw new Error();
    expect(load.options.technique).toBe('native');
    expect(JSON.stringify(load.scenario)).toContain('Hello, VirtLab!');
  });

  it('starts over once, not once per key press, after a run has ended', () => {
    const w = fakeBus();
    const f = frames();
    const store = createAppStore(w.bus, f.schedule);
    store.commands.load();
    w.deliver({ kind: 'loaded', technique: 'native', vms: ['vm1'] });
    w.status({ state: 'stopped', steps: 101, stop: 'all-stopped' });
    f.tick();
    w.sent.length = 0;
    // Three quick F10s: the answer to the reset has not arrived between them.
    store.commands.step();
    store.commands.step();
    store.commands.step();
    expect(w.kinds()).toEqual(['reset', 'step', 'step', 'step']);
  });

  it('decides on messages received but not yet drawn', () => {
    const w = fakeBus();
    const f = frames();
    const store = createAppStore(w.bus, f.schedule);
    store.commands.load();
    w.deliver({ kind: 'loaded', technique: 'native', vms: ['vm1'] });
    w.status({ state: 'stopped', steps: 5, stop: 'step-limit' });
    // No frame has run: the drawn state is still idle, but the run is known to have stopped.
    expect(store.getState().status.state).toBe('idle');
    w.sent.length = 0;
    store.commands.run();
    expect(w.kinds()).toEqual(['reset', 'run']);
    f.tick();
    expect(store.getState().status.state).toBe('stopped');
  });

  it('reloads when the source changed, and keeps a refusal visible', () => {
    const w = fakeBus();
    const f = frames();
    const store = createAppStore(w.bus, f.schedule);
    store.commands.setTechnique('paravirtualization');
    w.deliver({ kind: 'refused', technique: 'paravirtualization', reason: 'not built yet' });
    f.tick();
    expect(store.getState().problem).toEqual({ kind: 'refused', technique: 'paravirtualization', reason: 'not built yet' });
    store.commands.setSource('  HLT\n');
    w.sent.length = 0;
    store.commands.step();
    expect(w.kinds()).toEqual(['load', 'step']);
    w.deliver({ kind: 'loaded', technique: 'paravirtualization', vms: ['vm1'] });
    f.tick();
    expect(store.getState().problem).toBeNull();
  });

  it('keeps the most recent events only, counting the rest, and cuts the list after a seek back', () => {
    let s = createAppStore(fakeBus().bus, () => {}).getState();
    const io = (n: number) => ({ kind: 'io' as const, vm: 0, pc: n, time: n, port: 0xe9, value: n, direction: 'out' as const });
    for (let batch = 0; batch < 3; batch++) {
      const events = Array.from({ length: 150 }, (_, i) => io(batch * 150 + i));
      s = { ...s, ...reduce(s, { kind: 'events', events, dropped: 0, first: batch * 150 }) };
    }
    expect(s.events).toHaveLength(EVENTS_KEPT);
    expect(s.events.at(-1)?.pc).toBe(449);
    expect(s.eventsTotal).toBe(450);
    // The worker left out the oldest 10 of the next batch: the list jumps over them.
    const events = Array.from({ length: 150 }, (_, i) => io(460 + i));
    s = { ...s, ...reduce(s, { kind: 'events', events, dropped: 10, first: 460 }) };
    expect(s.events).toHaveLength(150);
    expect(s.eventsTotal).toBe(610);
    expect(s.eventsDropped).toBe(10);
    s = { ...s, ...reduce(s, { kind: 'events-cut', count: 600 }) };
    expect(s.eventsTotal).toBe(600);
    expect(s.events.at(-1)?.pc).toBe(599);
    // Replayed events follow the cut, and are not news for the Machine panel.
    const serial = s.liveEvents.serial;
    s = { ...s, ...reduce(s, { kind: 'events', events: [io(600)], dropped: 0, first: 600, replay: true }) };
    expect(s.eventsTotal).toBe(601);
    expect(s.liveEvents.serial).toBe(serial);
  });

  it('tells the worker when a running update is drawn, and shows a pause before its snapshot arrives', () => {
    const w = fakeBus();
    const f = frames();
    const store = createAppStore(w.bus, f.schedule);
    const snapshot = { steps: 10, vms: [], eventCount: 0, eventCounts: {} } as unknown as DisplaySnapshot;
    const later = { ...snapshot, steps: 20 } as DisplaySnapshot;
    w.deliver({ kind: 'loaded', technique: 'native', vms: ['vm1'] });
    w.status({ state: 'running', steps: 10 });
    // A run that starts is shown at once (the page's first frame in its running state)…
    expect(store.getState().status.state).toBe('running');
    w.deliver({ kind: 'snapshot', snapshot });
    w.sent.length = 0;
    // …and its first update a frame after that one: two frames, not one.
    expect(store.getState().snapshot).toBeNull();
    f.tick();
    expect(store.getState().snapshot).toBeNull();
    expect(w.kinds()).toEqual([]);
    f.tick();
    expect(store.getState().snapshot).toBe(snapshot);
    expect(w.kinds()).toEqual(['drawn']);
    // The updates after it are drawn on the next frame, not before; then the worker is told.
    w.deliver({ kind: 'snapshot', snapshot: later });
    expect(store.getState().snapshot).toBe(snapshot);
    f.tick();
    expect(store.getState().snapshot).toBe(later);
    expect(w.kinds()).toEqual(['drawn', 'drawn']);
    // The pause's status is drawn at once, without waiting for its snapshot or a frame.
    w.status({ state: 'paused', steps: 12 });
    expect(store.getState().status).toMatchObject({ state: 'paused', steps: 12 });
    expect(w.kinds()).toEqual(['drawn', 'drawn']);
  });
});
