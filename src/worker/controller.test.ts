import { describe, expect, it } from 'vitest';
import { HYPERVISOR_EVENT_KINDS, type PageMessage, type RunStatus, type TraceEvent, type WorkerMessage } from '../protocol/messages';
import { libraryEntry } from '../scenario/library';
import { VirtualClock } from '../testing/virtual-clock';
import { type ControllerTiming, RunController } from './controller';

const HELLO = `; prints a string, then powers off
        MOV R2, msg
loop:   LOADB R1, [R2]
        CMP R1, 0
        JZ done
        OUT 0xE9, R1
        INC R2
        JMP loop
done:   OUT 0xF4, 0
msg:    .asciz "Hello from the worker\\n"
`;

const SPIN = `spin:   INC R1
        JMP spin
`;

/**
 * The controller in-process, on a virtual clock and event loop (src/testing/virtual-clock.ts): no test
 * here waits for or measures wall-clock time, so none depends on the machine's speed or load.
 */
function harness(timing?: ControllerTiming) {
  const clock = new VirtualClock();
  const posted: WorkerMessage[] = [];
  const controller = new RunController(
    {
      post: (m) => {
        posted.push(structuredClone(m));
      },
      now: clock.now,
      schedule: clock.schedule,
      after: clock.after,
    },
    timing,
  );
  const send = (m: PageMessage) => controller.handle(m);
  const statuses = () => posted.flatMap((m) => (m.kind === 'status' ? [m.status] : []));
  const lastStatus = (): RunStatus | undefined => statuses().at(-1);
  const lastSnapshot = () => posted.findLast((m) => m.kind === 'snapshot');
  /** Lets the event loop run until `predicate` holds for the latest status (fails if it goes idle first). */
  const until = (predicate: (s: RunStatus) => boolean): RunStatus => {
    clock.runUntil(() => {
      const s = lastStatus();
      return s !== undefined && predicate(s);
    });
    return lastStatus() as RunStatus;
  };
  /** Lets `ms` of virtual time pass. */
  const wait = (ms: number) => clock.advance(ms);
  const load = (source: string, options = {}) => send({ kind: 'load', scenario: { vms: [{ name: 'vm1', source }] }, options });
  return { controller, clock, posted, send, load, statuses, lastStatus, lastSnapshot, until, wait };
}

describe('RunController', () => {
  it('loads a program, runs it, and it prints and stops', () => {
    const h = harness();
    h.load(HELLO);
    expect(h.posted[0]).toEqual({ kind: 'loaded', technique: 'native', vms: ['vm1'] });
    expect(h.lastStatus()).toEqual({ state: 'paused', steps: 0, stop: null });
    h.send({ kind: 'run' });
    const status = h.until((s) => s.state === 'stopped');
    expect(status.stop).toBe('all-stopped');
    const snap = h.lastSnapshot();
    expect(snap?.kind).toBe('snapshot');
    if (snap?.kind !== 'snapshot') return;
    expect(snap.snapshot.vms[0].console).toBe('Hello from the worker\n');
    expect(snap.snapshot.vms[0].state).toBe('powered-off');
    expect(snap.snapshot.vms[0].exitCode).toBe(0);
    expect(snap.snapshot.steps).toBe(status.steps);
    expect(snap.snapshot.cycles.total).toBeGreaterThan(0);
  });

  it('pauses a tight infinite loop promptly, and continues it', () => {
    const h = harness();
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'run' });
    expect(h.lastStatus()?.state).toBe('running');
    // The engine runs in slices that yield to the event loop: a message from the page never waits for
    // more than about one slice (sliceMs, plus the chunk that crossed it and the display update).
    h.wait(100);
    expect(h.clock.longestTurn).toBeLessThan(2 * 16);
    expect(h.lastStatus()?.state).toBe('running');
    // The pause arrives between two slices, like a message from the page; it is answered at once.
    h.send({ kind: 'pause' });
    const paused = h.lastStatus()!;
    expect(paused.state).toBe('paused');
    expect(paused.steps).toBeGreaterThan(0);
    // Nothing runs while paused.
    h.wait(50);
    expect(h.lastStatus()!.steps).toBe(paused.steps);
    h.send({ kind: 'run' });
    h.wait(50);
    h.send({ kind: 'pause' });
    expect(h.lastStatus()!.steps).toBeGreaterThan(paused.steps);
  });

  it('posts display updates about once per frame, not per instruction', () => {
    const h = harness({ sliceMs: 16, frameMs: 16 });
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'run' });
    const t0 = h.clock.time;
    h.wait(300);
    h.send({ kind: 'pause' });
    const elapsed = h.clock.time - t0;
    const snapshots = h.posted.filter((m) => m.kind === 'snapshot').length;
    // One per frame, plus those of the changes of state (load, run, pause) and a partial frame.
    expect(snapshots).toBeLessThanOrEqual(elapsed / 16 + 5);
    expect(snapshots).toBeGreaterThan(2);
  });

  it('waits for a page that says what it drew before the next display update, and still answers Pause', () => {
    const h = harness({ sliceMs: 16, frameMs: 16 });
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'drawn' }); // this page acknowledges its updates
    h.send({ kind: 'run' });
    h.wait(40);
    const snapshots = () => h.posted.filter((m) => m.kind === 'snapshot').length;
    const before = snapshots();
    // The page is busy (it has not drawn the last update): no more go out however long the run goes.
    h.wait(200);
    expect(snapshots()).toBe(before);
    expect(h.lastStatus()?.state).toBe('running');
    // Drawn: the next one goes out at the end of the next slice.
    h.send({ kind: 'drawn' });
    h.wait(40);
    expect(snapshots()).toBe(before + 1);
    // A change of state never waits: Pause is answered at once, status first, then the snapshot.
    const n = h.posted.length;
    h.send({ kind: 'pause' });
    const answer = h.posted.slice(n).map((m) => m.kind);
    expect(answer[0]).toBe('status');
    expect(answer.at(-1)).toBe('snapshot');
    expect(h.lastStatus()?.state).toBe('paused');
  });

  it('steps exactly n instructions', () => {
    const h = harness();
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'step', count: 1 });
    // A step that ends at once is never reported as running.
    expect(h.statuses().map((s) => s.state)).toEqual(['paused', 'paused']);
    expect(h.lastStatus()).toEqual({ state: 'paused', steps: 1, stop: null });
    h.send({ kind: 'step', count: 5 });
    expect(h.lastStatus()).toEqual({ state: 'paused', steps: 6, stop: null });
    const snap = h.lastSnapshot();
    if (snap?.kind !== 'snapshot') throw new Error('no snapshot');
    expect(snap.snapshot.vms[0].cpu.R1).toBe(3);
    h.send({ kind: 'step', count: 3_000_000 });
    const s = h.until((st) => st.state === 'paused' && st.steps > 6);
    expect(s.steps).toBe(3_000_006);
  });

  it('stops at the step limit', () => {
    const h = harness();
    h.load(SPIN, { maxSteps: 1000 });
    h.send({ kind: 'run' });
    const s = h.until((st) => st.state === 'stopped');
    expect(s).toEqual({ state: 'stopped', steps: 1000, stop: 'step-limit' });
    // A stopped run stays stopped until reset.
    h.send({ kind: 'run' });
    expect(h.lastStatus()?.state).toBe('stopped');
    h.send({ kind: 'reset' });
    expect(h.lastStatus()).toEqual({ state: 'paused', steps: 0, stop: null });
  });

  it('reports assembly errors with line and columns', () => {
    const h = harness();
    h.load('  MOV R1, 1\n  MOVE R1, 2\n');
    expect(h.posted).toHaveLength(1);
    const m = h.posted[0];
    if (m.kind !== 'assembly-errors') throw new Error(`expected assembly-errors, got ${m.kind}`);
    const d = m.errors[0].diagnostics[0];
    expect(m.errors[0].name).toBe('vm1');
    expect(d).toMatchObject({ line: 2, startColumn: 3, severity: 'error' });
    expect(d.endColumn).toBeGreaterThan(d.startColumn);
    expect(d.message).toMatch(/MOVE/);
    // Nothing is runnable afterwards.
    h.send({ kind: 'run' });
    expect(h.lastStatus()).toEqual({ state: 'idle', steps: 0, stop: null });
  });

  it('passes a refusal on, with its reason', () => {
    const h = harness();
    h.send({ kind: 'load', scenario: { vms: [{ source: SPIN }, { source: SPIN }] }, options: { technique: 'native' } });
    const m = h.posted[0];
    expect(m.kind).toBe('refused');
    if (m.kind === 'refused') expect(m.reason.length).toBeGreaterThan(0);
  });

  it('refuses a malformed scenario, naming the field', () => {
    const h = harness();
    h.send({ kind: 'load', scenario: { vms: 'nope' }, options: {} });
    expect(h.posted[0]).toMatchObject({ kind: 'invalid' });
    if (h.posted[0].kind === 'invalid') expect(h.posted[0].errors.join()).toMatch(/vms/);
    h.send({ kind: 'load', scenario: { vms: [{ source: SPIN }] }, options: { maxSteps: -1 } });
    expect(h.posted[1]).toMatchObject({ kind: 'invalid' });
    h.send({ kind: 'reset' });
    expect(h.posted[2]).toMatchObject({ kind: 'error' });
  });

  it('streams hypervisor events in bounded batches when asked', () => {
    const h = harness();
    h.load(HELLO, { events: true });
    h.send({ kind: 'run' });
    h.until((s) => s.state === 'stopped');
    const events = h.posted.flatMap((m) => (m.kind === 'events' ? m.events : []));
    expect(events.some((e) => e.kind === 'instruction')).toBe(false);
    const consoleText = events.flatMap((e) => (e.kind === 'console' ? [e.text] : [])).join('');
    expect(consoleText).toBe('Hello from the worker\n');
  });

  it('a load in the middle of a run replaces it', () => {
    const h = harness();
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'run' });
    h.wait(20);
    h.load(HELLO);
    expect(h.lastStatus()).toEqual({ state: 'paused', steps: 0, stop: null });
    h.wait(20);
    expect(h.lastStatus()).toEqual({ state: 'paused', steps: 0, stop: null });
    h.send({ kind: 'run' });
    expect(h.until((s) => s.state === 'stopped').stop).toBe('all-stopped');
  });
});

/** User code making system calls forever: traps, reflections and emulated IRETs under trap-and-emulate. */
const SYSCALLS = `        LIDT idt
        MOV R0, 0xE000
        MOV KSP, R0
        PUSH 0x9000
        PUSH 3
        PUSH 0x200
        PUSH user
        IRET
user:   INC R4
        INT 0x80
        JMP user
handler:
        INC R5
        IRET
        .align 8
idt:    .word 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        .word 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        .space 96 * 4
        .word handler
`;

/** The page's view of the event list, rebuilt from the stream as the store does. */
function pageList(posted: readonly WorkerMessage[]): TraceEvent[] {
  let list: TraceEvent[] = [];
  for (const m of posted) {
    if (m.kind === 'events-cut') list = list.slice(0, m.count);
    else if (m.kind === 'events') {
      expect(m.first).toBe(list.length + m.dropped);
      list = list.concat(new Array(m.dropped).fill(null), m.events);
    }
  }
  return list;
}

const snapshotOfLast = (h: ReturnType<typeof harness>) => {
  const s = h.lastSnapshot();
  if (s?.kind !== 'snapshot') throw new Error('no snapshot');
  return s.snapshot;
};

describe('RunController: time travel', () => {
  it('six steps forward and six back give the same registers, and a seek back is exact', () => {
    const h = harness();
    h.load(SYSCALLS, { technique: 'trap-and-emulate', maxSteps: 1e12, events: true });
    const start = snapshotOfLast(h).vms[0].cpu;
    const forward = [];
    for (let i = 0; i < 6; i++) {
      h.send({ kind: 'step', count: 1 });
      forward.push(snapshotOfLast(h).vms[0].cpu);
    }
    expect(h.lastStatus()?.steps).toBe(6);
    for (let i = 5; i >= 0; i--) {
      h.send({ kind: 'step-back', by: 'instruction' });
      expect(h.lastStatus()?.steps).toBe(i);
      expect(snapshotOfLast(h).vms[0].cpu).toEqual(i === 0 ? start : forward[i - 1]);
    }
    // Forward a long way, then back to an arbitrary moment: identical to getting there directly.
    h.send({ kind: 'step', count: 123_457 });
    h.until((s) => s.steps === 123_457 && s.state === 'paused');
    h.send({ kind: 'seek', steps: 77_777 });
    expect(h.lastStatus()).toMatchObject({ state: 'paused', steps: 77_777 });
    const travelled = snapshotOfLast(h);
    const direct = harness();
    direct.load(SYSCALLS, { technique: 'trap-and-emulate', maxSteps: 1e12, events: true });
    direct.send({ kind: 'step', count: 77_777 });
    direct.until((s) => s.steps === 77_777 && s.state === 'paused');
    const straight = snapshotOfLast(direct);
    expect(travelled.vms).toEqual(straight.vms);
    expect(travelled.cycles).toEqual(straight.cycles);
    expect(travelled.eventCount).toBe(straight.eventCount);
    // The page's list, cut and refilled, is the list of a run that went there directly.
    const a = pageList(h.posted);
    const b = pageList(direct.posted);
    expect(a.length).toBe(travelled.eventCount);
    expect(a.slice(-50)).toEqual(b.slice(-50));
  });

  it('a seek forwards runs there in slices; a stopped run can go back and forwards again', () => {
    const h = harness();
    h.load(HELLO, { events: true });
    h.send({ kind: 'run' });
    const end = h.until((s) => s.state === 'stopped');
    h.send({ kind: 'seek', steps: 3 });
    expect(h.lastStatus()).toMatchObject({ state: 'paused', steps: 3, stop: null });
    expect(snapshotOfLast(h).vms[0].console).toBe('');
    h.send({ kind: 'seek', steps: end.steps });
    const again = h.until((s) => s.steps === end.steps);
    expect(again.state).toBe('stopped');
    expect(snapshotOfLast(h).vms[0].console).toBe('Hello from the worker\n');
    // The timeline covers the whole run, and its events.
    const timeline = h.posted.findLast((m) => m.kind === 'snapshot' && m.snapshot.timeline)?.kind === 'snapshot';
    expect(timeline).toBe(true);
  });

  it('Step to event moves one hypervisor event at a time, even inside one instruction; back by event retraces them exactly', () => {
    // The reference: the run straight through, every event with its index.
    const straight = harness();
    straight.load(SYSCALLS, { technique: 'trap-and-emulate', maxSteps: 400, events: true });
    straight.send({ kind: 'run' });
    straight.until((s) => s.state === 'stopped');
    straight.send({ kind: 'events-window', request: 1, filter: 'all', from: 0, count: 500 });
    const answer = straight.posted.findLast((m) => m.kind === 'events-window');
    if (answer?.kind !== 'events-window') throw new Error('no window');
    const all = answer.items.map((x) => x.event);
    expect(answer.items.every((x, i) => x.index === i)).toBe(true);
    const hv = all.flatMap((e, index) => (HYPERVISOR_EVENT_KINDS.has(e.kind) ? [index] : []));

    const h = harness();
    h.load(SYSCALLS, { technique: 'trap-and-emulate', maxSteps: 400, events: true });
    const visited: { index: number; steps: number; cpu: unknown }[] = [];
    for (let i = 0; i < 12; i++) {
      h.send({ kind: 'step-to-event' });
      const s = h.lastStatus()!;
      expect(s.state).toBe('paused');
      // Exactly the next hypervisor event of the stream, as the run is at it.
      expect(s.event).toMatchObject({ index: hv[i], chosen: true });
      expect(s.event!.event).toEqual(all[hv[i]]);
      const snap = snapshotOfLast(h);
      // The machine stands at the first moment the event has happened.
      expect(snap.eventCount).toBeGreaterThan(hv[i]);
      expect([s.steps, s.steps - 1]).toContain(all[hv[i]].step);
      visited.push({ index: hv[i], steps: s.steps, cpu: snap.vms[0].cpu });
    }
    // The INT 0x80: its trap, then its reflect, two presses at one moment (one instruction).
    const trap = visited.findIndex(
      (v) => all[v.index].kind === 'trap' && (all[v.index] as { instruction: string }).instruction === 'INT 128',
    );
    expect(trap).toBeGreaterThanOrEqual(0);
    expect(all[visited[trap + 1].index].kind).toBe('reflect');
    expect(visited[trap + 1].steps).toBe(visited[trap].steps);
    for (let i = visited.length - 2; i >= 0; i--) {
      h.send({ kind: 'step-back', by: 'event' });
      const s = h.lastStatus()!;
      expect(s.event).toMatchObject({ index: visited[i].index, chosen: true });
      expect(s.steps).toBe(visited[i].steps);
      expect(snapshotOfLast(h).vms[0].cpu).toEqual(visited[i].cpu);
    }
    h.send({ kind: 'step-back', by: 'event' });
    expect(h.lastStatus()!.steps).toBe(0);
    expect(h.lastStatus()!.event).toBeUndefined();
  });

  it('a Step leaves the event cursor; back by event then goes to the latest event before the present moment', () => {
    const h = harness();
    h.load(SYSCALLS, { technique: 'trap-and-emulate', maxSteps: 1e12, events: true });
    h.send({ kind: 'step', count: 13 });
    const s = h.lastStatus()!;
    expect(s.event?.chosen).toBe(false);
    h.send({ kind: 'step-back', by: 'event' });
    const back = h.lastStatus()!;
    expect(back.event?.chosen).toBe(true);
    expect(back.steps).toBeLessThan(13);
  });

  it('peeks at the next event without moving the run, from the log or by running ahead and seeking back', () => {
    const h = harness();
    h.load(SYSCALLS, { technique: 'trap-and-emulate', maxSteps: 1e12, events: true });
    h.send({ kind: 'step', count: 9 });
    const before = h.lastStatus()!;
    const cpu = snapshotOfLast(h).vms[0].cpu;
    h.send({ kind: 'peek-event', request: 3 });
    const answer = h.posted.findLast((m) => m.kind === 'next-event');
    if (answer?.kind !== 'next-event') throw new Error('no answer');
    expect(answer.request).toBe(3);
    expect(answer.next).not.toBeNull();
    h.send({ kind: 'pause' });
    expect(h.lastStatus()!.steps).toBe(before.steps);
    expect(snapshotOfLast(h).vms[0].cpu).toEqual(cpu);
    // The event peeked at is the one Step to event then goes to.
    h.send({ kind: 'step-to-event' });
    expect(h.lastStatus()!.event).toMatchObject({ index: answer.next!.index, chosen: true });
    expect(h.lastStatus()!.event!.event).toEqual(answer.next!.event);
    // Inside one instruction the next is known already.
    h.send({ kind: 'peek-event', request: 4 });
    const within = h.posted.findLast((m) => m.kind === 'next-event');
    if (within?.kind !== 'next-event') throw new Error('no answer');
    h.send({ kind: 'step-to-event' });
    expect(h.lastStatus()!.event!.index).toBe(within.next!.index);
  });

  it('Step to event under hardware assistance stops at VM exits and entries', () => {
    const h = harness();
    h.load(HELLO, { technique: 'hardware-assisted', events: true });
    const kinds = new Set<string>();
    for (let i = 0; i < 6 && h.lastStatus()!.state === 'paused'; i++) {
      h.send({ kind: 'step-to-event' });
      kinds.add(pageList(h.posted).at(-1)!.kind);
    }
    expect(kinds.has('vm-exit') || kinds.has('vm-entry')).toBe(true);
    expect(kinds.has('trap')).toBe(false);
  });

  it('answers event windows, filtered, over the events that have happened by now', () => {
    const h = harness();
    h.load(SYSCALLS, { technique: 'trap-and-emulate', maxSteps: 1e12, events: true });
    h.send({ kind: 'step', count: 50_000 });
    const snap = snapshotOfLast(h);
    const counts = snap.eventCounts!;
    expect(counts.all).toBe(snap.eventCount);
    expect(counts.trap).toBeGreaterThan(1000);
    h.send({ kind: 'events-window', request: 7, filter: 'reflect', from: 10, count: 5 });
    const w = h.posted.at(-1)!;
    if (w.kind !== 'events-window') throw new Error(w.kind);
    expect(w).toMatchObject({ request: 7, filter: 'reflect', from: 10, total: counts.reflect });
    expect(w.items.map((x) => x.event.kind)).toEqual(['reflect', 'reflect', 'reflect', 'reflect', 'reflect']);
    expect(w.items[1].index).toBeGreaterThan(w.items[0].index);
    // After a seek back, the list ends where the run now is.
    h.send({ kind: 'seek', steps: 100 });
    h.send({ kind: 'events-window', request: 8, filter: 'all', from: 0, count: 1000 });
    const v = h.posted.at(-1)!;
    if (v.kind !== 'events-window') throw new Error(v.kind);
    expect(v.total).toBe(snapshotOfLast(h).eventCount);
    expect(v.items.length).toBe(Math.min(500, v.total));
    expect(v.items.every((x) => x.event.step! <= 100)).toBe(true);
    // Clicking an event goes to the first moment it had happened.
    const target = v.items.find((x) => x.event.kind === 'reflect')!;
    h.send({ kind: 'step', count: 5 });
    h.send({ kind: 'seek-event', index: target.index });
    const at = snapshotOfLast(h);
    expect(at.eventCount).toBeGreaterThan(target.index);
    h.send({ kind: 'step-back', by: 'instruction' });
    expect(snapshotOfLast(h).eventCount).toBeLessThanOrEqual(target.index);
  });

  it('snapshots carry the inspection and the memory around the PC', () => {
    const h = harness();
    h.load(SYSCALLS, { technique: 'hardware-assisted', events: true });
    h.send({ kind: 'step', count: 20 });
    const snap = snapshotOfLast(h);
    expect(snap.inspection?.vms[0].vmcs?.guest.PC).toBe(snap.vms[0].cpu.PC);
    expect(snap.inspection?.vms[0].real.mode).toBe('non-root');
    const mem = snap.memory!;
    expect(mem.bytes).toHaveLength(256);
    expect(mem.pcPhysical).toBe(snap.vms[0].cpu.PC);
    expect(mem.base).toBeLessThanOrEqual(mem.pcPhysical!);
    h.send({ kind: 'memory-view', address: 0x9000 });
    expect(snapshotOfLast(h).memory).toMatchObject({ followsPc: false, base: 0x9000 - 128 });
  });
});

describe('RunController: speed', () => {
  it('paces a run at a few instructions a second, one at a time, and pauses at once', () => {
    const h = harness();
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'speed', speed: 20 });
    h.send({ kind: 'run' });
    expect(h.lastStatus()).toMatchObject({ state: 'running', steps: 1 });
    h.wait(520);
    // One at once, then one every 50 ms.
    const steps = h.lastStatus()!.steps;
    expect(steps).toBeGreaterThanOrEqual(10);
    expect(steps).toBeLessThanOrEqual(12);
    // Every instruction was shown: one status per instruction.
    const shown = h.statuses().map((s) => s.steps);
    expect(new Set(shown).size).toBeGreaterThanOrEqual(steps - 1);
    h.send({ kind: 'pause' });
    expect(h.lastStatus()!.state).toBe('paused');
    h.wait(150);
    expect(h.lastStatus()!.steps).toBe(steps);
    // Step ignores the speed; full speed runs in slices again.
    h.send({ kind: 'step', count: 1000 });
    expect(h.lastStatus()!.steps).toBe(steps + 1000);
    h.send({ kind: 'speed', speed: 'full' });
    h.send({ kind: 'run' });
    h.wait(100);
    h.send({ kind: 'pause' });
    expect(h.lastStatus()!.steps).toBeGreaterThan(steps + 1000 + 10_000);
  });

  it('at a high pace still posts at most about one update per frame', () => {
    const h = harness();
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'speed', speed: 100_000 });
    h.send({ kind: 'run' });
    const t0 = h.clock.time;
    h.wait(300);
    h.send({ kind: 'pause' });
    const elapsed = h.clock.time - t0;
    const steps = h.lastStatus()!.steps;
    expect(steps).toBeGreaterThan(15_000);
    expect(steps).toBeLessThan(45_000);
    expect(h.posted.filter((m) => m.kind === 'snapshot').length).toBeLessThanOrEqual(elapsed / 16 + 5);
  });

  it('a speed change while running takes effect at once', () => {
    const h = harness();
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'run' });
    h.wait(30);
    h.send({ kind: 'speed', speed: 1 });
    const at = h.lastStatus()!.steps;
    h.wait(200);
    expect(h.lastStatus()!.steps - at).toBeLessThanOrEqual(1);
    h.send({ kind: 'pause' });
  });
});

describe('RunController: Pause while travelling', () => {
  it('answers Pause promptly during Step to event and during a long seek forwards', () => {
    const h = harness();
    // Nothing but a tight loop: Step to event finds nothing and runs until paused.
    h.load(SPIN, { maxSteps: 1e12, events: true });
    h.send({ kind: 'step-to-event' });
    h.wait(200);
    expect(h.lastStatus()!.state).toBe('running');
    expect(h.clock.longestTurn).toBeLessThan(2 * 16);
    h.send({ kind: 'pause' });
    expect(h.lastStatus()!.state).toBe('paused');
    const far = h.lastStatus()!.steps;
    expect(far).toBeGreaterThan(100_000);
    // Back to the start, then a seek forwards to where it was: in slices, and Pause stops it too.
    h.send({ kind: 'seek', steps: 0 });
    expect(h.lastStatus()!.steps).toBe(0);
    h.send({ kind: 'seek', steps: far });
    h.wait(5);
    expect(h.lastStatus()).toMatchObject({ state: 'running' });
    expect(h.lastStatus()!.steps).toBeLessThan(far);
    h.send({ kind: 'pause' });
    expect(h.lastStatus()!.state).toBe('paused');
  });
});

describe('RunController: watchdog', () => {
  it('answers a ping at once, even while running', () => {
    const h = harness();
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'run' });
    h.wait(30);
    h.send({ kind: 'ping', id: 42 });
    expect(h.posted.at(-1)).toEqual({ kind: 'pong', id: 42 });
    h.send({ kind: 'pause' });
  });
});

describe('the controller: comparison and trace export', () => {
  it('compares a scenario under every technique, with the page’s options, and skips what cannot run', () => {
    const h = harness();
    h.send({
      kind: 'compare',
      request: 7,
      scenario: {
        vms: [
          { name: 'a', source: HELLO },
          { name: 'b', source: HELLO },
        ],
      },
      options: { preset: '2006' },
    });
    const answer = h.posted.find((m) => m.kind === 'compare-results');
    if (answer?.kind !== 'compare-results') throw new Error(JSON.stringify(h.posted));
    expect(answer.request).toBe(7);
    expect(answer.results.map((r) => r.technique)).toEqual([
      'native',
      'interpret',
      'trap-and-emulate',
      'binary-translation',
      'hardware-assisted',
      'paravirtualization',
    ]);
    const native = answer.results[0];
    expect('skipped' in native && native.skipped).toMatch(/one machine|VM/);
    const hw = answer.results[4];
    expect('skipped' in hw ? hw.skipped : hw.preset).toBe('2006');
    if (!('skipped' in hw)) expect(hw.vms[0].console).toBe('Hello from the worker\n');
  });

  it('runs an A/B comparison under the two pinned settings, in order, each to its end', () => {
    const h = harness();
    const side = { technique: 'hardware-assisted', isa: 'classic', preset: 'modern', paging: 'auto', hypervisorType: 1 } as const;
    h.send({
      kind: 'compare',
      request: 3,
      scenario: { vms: [{ source: HELLO }] },
      options: {},
      settings: [
        { ...side, vendor: 'intel' },
        { ...side, vendor: 'amd' },
        { ...side, preset: '2006', paging: 'nested', vendor: 'intel' },
      ],
    });
    const answer = h.posted.find((m) => m.kind === 'compare-results');
    if (answer?.kind !== 'compare-results') throw new Error(JSON.stringify(h.posted));
    expect(answer.request).toBe(3);
    const [intel, amd, refused] = answer.results;
    if ('skipped' in intel || 'skipped' in amd) throw new Error('A and B both run');
    expect(intel.vms[0].console).toBe('Hello from the worker\n');
    expect(amd.vms[0].console).toBe(intel.vms[0].console);
    // Intel's exit-reason names against the #VMEXIT codes of Linux's svm.h.
    expect(Object.keys(intel.counters.vmExitsByReason)).toContain('IO_INSTRUCTION');
    expect(Object.keys(amd.counters.vmExitsByReason)).toContain('IOIO');
    expect('skipped' in refused && refused.skipped).toMatch(/nested|EPT|2006/);
  });

  it('refuses an A/B side with a setting that does not exist', () => {
    const h = harness();
    const bad = { technique: 'vmware', isa: 'classic', preset: 'modern', paging: 'auto', hypervisorType: 3, vendor: 'intel' };
    h.send({ kind: 'compare', request: 4, scenario: { vms: [{ source: HELLO }] }, options: {}, settings: [bad as never] });
    const failed = h.posted.find((m) => m.kind === 'compare-failed');
    expect(failed?.kind === 'compare-failed' && failed.errors).toEqual([
      expect.stringMatching(/^settings\[0\]\.technique: expected one of native, /),
      'settings[0].hypervisorType: expected one of 1, 2',
    ]);
  });

  it('says why a scenario cannot be compared', () => {
    const h = harness();
    h.send({ kind: 'compare', request: 1, scenario: { vms: [{ source: 'MOVE R1, 2' }] }, options: {} });
    h.send({ kind: 'compare', request: 2, scenario: { vms: [] }, options: {} });
    const failed = h.posted.filter((m) => m.kind === 'compare-failed');
    expect(failed.map((m) => m.kind === 'compare-failed' && m.request)).toEqual([1, 2]);
    expect(failed[0].kind === 'compare-failed' && failed[0].errors[0]).toMatch(/vm1:1:1: unknown instruction/);
    expect(failed[1].kind === 'compare-failed' && failed[1].errors[0]).toMatch(/^vms: required/);
  });

  it('exports the run’s events up to the present as JSON and CSV', () => {
    const h = harness();
    h.load(HELLO, { technique: 'trap-and-emulate', events: true });
    h.send({ kind: 'run' });
    h.until((s) => s.state === 'stopped');
    h.send({ kind: 'export-events', request: 3, format: 'json' });
    h.send({ kind: 'export-events', request: 4, format: 'csv' });
    const [json, csv] = h.posted.filter((m) => m.kind === 'events-export');
    if (json?.kind !== 'events-export' || csv?.kind !== 'events-export') throw new Error('no export');
    const parsed = JSON.parse(json.text);
    expect(parsed.format).toBe('virtlab-trace');
    expect(parsed.events.length).toBe(json.count);
    expect(json.count).toBe(json.total);
    expect(json.count).toBeGreaterThan(10);
    expect(parsed.events.some((e: TraceEvent) => e.kind === 'console')).toBe(true);
    expect(csv.text.split('\n')[0]).toBe('step,time,vm,pc,kind,details');
    expect(csv.text.trim().split('\n')).toHaveLength(csv.count + 1);
    // Back in time: only what has happened by then.
    h.send({ kind: 'seek', steps: 3 });
    h.send({ kind: 'export-events', request: 5, format: 'json' });
    const earlier = h.posted.findLast((m) => m.kind === 'events-export');
    expect(earlier?.kind === 'events-export' && earlier.count).toBeLessThan(json.count);
  });

  it("checks a library scenario's steps over the run it holds, naming the event each was seen at", () => {
    const h = harness();
    const entry = libraryEntry('am-i-in-a-vm');
    if (!entry) throw new Error('no am-i-in-a-vm');
    // As the page loads it: the scenario, with the page's settings as options.
    h.send({ kind: 'load', scenario: entry.scenario, options: { technique: 'trap-and-emulate', events: true, maxSteps: 1e12 } });
    const steps = [
      { index: 0, check: entry.steps[0].check },
      { index: 1, check: entry.steps[1].check }, // strict's step: not what this run shows
      { index: 7, check: { bareMetal: 'different' } }, // a run apart, on bare metal
      { index: 8, check: { event: { kind: 'trap', instruction: { contains: 1 } } } },
    ];
    h.send({ kind: 'check-steps', request: 1, steps });
    const early = h.posted.findLast((m) => m.kind === 'steps-checked');
    expect(early?.kind === 'steps-checked' && early.results[0]).toMatchObject({ seen: false, why: expect.stringMatching(/not ended/) });
    h.send({ kind: 'run' });
    const end = h.until((s) => s.state === 'stopped');
    h.send({ kind: 'check-steps', request: 2, steps });
    const answer = h.posted.findLast((m) => m.kind === 'steps-checked');
    if (answer?.kind !== 'steps-checked') throw new Error('no answer');
    expect(answer.request).toBe(2);
    const [first, strict, bare, bad] = answer.results;
    expect(first).toMatchObject({ index: 0, seen: true, step: end.steps });
    expect(strict).toMatchObject({ index: 1, seen: false });
    expect(bare).toMatchObject({ index: 7, seen: true, event: null });
    expect(bad).toMatchObject({ index: 8, seen: false, why: expect.stringMatching(/contains/) });
    // The event step 0 was seen at: the second SIDT fidelity violation (user mode's), by its index in the run.
    h.send({ kind: 'export-events', request: 3, format: 'json' });
    const exported = h.posted.findLast((m) => m.kind === 'events-export');
    if (exported?.kind !== 'events-export' || first.event === null) throw new Error('no event');
    const seenAt = JSON.parse(exported.text).events[first.event] as TraceEvent;
    expect(seenAt).toMatchObject({ kind: 'fidelity-violation', instruction: 'SIDT R1', actual: '0xFC000000' });
    // "Show me": the run goes back to that moment.
    h.send({ kind: 'seek-event', index: first.event });
    const back = h.until((s) => s.state === 'paused' && s.steps < end.steps);
    expect(back.steps).toBeGreaterThanOrEqual(seenAt.step ?? 0);
    expect(back.steps).toBeLessThanOrEqual((seenAt.step ?? 0) + 1);
  });
});
