import { describe, expect, it } from 'vitest';
import type { PageMessage, RunStatus, WorkerMessage } from '../protocol/messages';
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

/** The controller in-process, as the worker hosts it, with setImmediate in place of the MessageChannel tick. */
function harness(timing?: ControllerTiming) {
  const posted: WorkerMessage[] = [];
  const waiters: (() => void)[] = [];
  const controller = new RunController(
    {
      post: (m) => {
        posted.push(structuredClone(m));
        for (const w of waiters.splice(0)) w();
      },
      now: () => performance.now(),
      schedule: (task) => setImmediate(task),
    },
    timing,
  );
  const send = (m: PageMessage) => controller.handle(m);
  const statuses = () => posted.flatMap((m) => (m.kind === 'status' ? [m.status] : []));
  const lastStatus = (): RunStatus | undefined => statuses().at(-1);
  const lastSnapshot = () => posted.findLast((m) => m.kind === 'snapshot');
  /** Resolves once `predicate` holds for the latest status, or rejects after `ms`. */
  const until = (predicate: (s: RunStatus) => boolean, ms = 10_000) =>
    new Promise<RunStatus>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; last status ${JSON.stringify(lastStatus())}`)), ms);
      const check = () => {
        const s = lastStatus();
        if (s && predicate(s)) {
          clearTimeout(timer);
          resolve(s);
        } else waiters.push(check);
      };
      check();
    });
  const load = (source: string, options = {}) => send({ kind: 'load', scenario: { vms: [{ name: 'vm1', source }] }, options });
  return { controller, posted, send, load, statuses, lastStatus, lastSnapshot, until };
}

describe('RunController', () => {
  it('loads a program, runs it, and it prints and stops', async () => {
    const h = harness();
    h.load(HELLO);
    expect(h.posted[0]).toEqual({ kind: 'loaded', technique: 'native', vms: ['vm1'] });
    expect(h.lastStatus()).toEqual({ state: 'paused', steps: 0, stop: null });
    h.send({ kind: 'run' });
    const status = await h.until((s) => s.state === 'stopped');
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

  it('pauses a tight infinite loop promptly, and continues it', async () => {
    const h = harness();
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'run' });
    expect(h.lastStatus()?.state).toBe('running');
    // The pause is queued like a message from the page; it must get its turn between slices.
    const asked = performance.now();
    const answered = await new Promise<number>((resolve) =>
      setTimeout(() => {
        h.send({ kind: 'pause' });
        resolve(performance.now());
      }, 100),
    );
    expect(answered - asked).toBeLessThan(100 + 50);
    const paused = h.lastStatus()!;
    expect(paused.state).toBe('paused');
    expect(paused.steps).toBeGreaterThan(0);
    // Nothing runs while paused.
    await new Promise((r) => setTimeout(r, 50));
    expect(h.lastStatus()!.steps).toBe(paused.steps);
    h.send({ kind: 'run' });
    await new Promise((r) => setTimeout(r, 50));
    h.send({ kind: 'pause' });
    expect(h.lastStatus()!.steps).toBeGreaterThan(paused.steps);
  });

  it('posts display updates about once per frame, not per instruction', async () => {
    const h = harness({ sliceMs: 16, frameMs: 16 });
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'run' });
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 300));
    h.send({ kind: 'pause' });
    const elapsed = performance.now() - t0;
    const snapshots = h.posted.filter((m) => m.kind === 'snapshot').length;
    // One per frame, plus those of the changes of state (load, run, pause) and a partial frame.
    expect(snapshots).toBeLessThanOrEqual(elapsed / 16 + 5);
    expect(snapshots).toBeGreaterThan(2);
  });

  it('steps exactly n instructions', async () => {
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
    const s = await h.until((st) => st.state === 'paused' && st.steps > 6);
    expect(s.steps).toBe(3_000_006);
  });

  it('stops at the step limit', async () => {
    const h = harness();
    h.load(SPIN, { maxSteps: 1000 });
    h.send({ kind: 'run' });
    const s = await h.until((st) => st.state === 'stopped');
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

  it('streams hypervisor events in bounded batches when asked', async () => {
    const h = harness();
    h.load(HELLO, { events: true });
    h.send({ kind: 'run' });
    await h.until((s) => s.state === 'stopped');
    const events = h.posted.flatMap((m) => (m.kind === 'events' ? m.events : []));
    expect(events.some((e) => e.kind === 'instruction')).toBe(false);
    const consoleText = events.flatMap((e) => (e.kind === 'console' ? [e.text] : [])).join('');
    expect(consoleText).toBe('Hello from the worker\n');
  });

  it('a load in the middle of a run replaces it', async () => {
    const h = harness();
    h.load(SPIN, { maxSteps: 1e12 });
    h.send({ kind: 'run' });
    await new Promise((r) => setTimeout(r, 20));
    h.load(HELLO);
    expect(h.lastStatus()).toEqual({ state: 'paused', steps: 0, stop: null });
    await new Promise((r) => setTimeout(r, 20));
    expect(h.lastStatus()).toEqual({ state: 'paused', steps: 0, stop: null });
    h.send({ kind: 'run' });
    expect((await h.until((s) => s.state === 'stopped')).stop).toBe('all-stopped');
  });
});
