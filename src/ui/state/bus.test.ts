import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PageMessage, WorkerMessage } from '../../protocol/messages';
import { HEARTBEAT_MS, WATCHDOG_MS, type WorkerLike, workerBus } from './bus';

/** A worker that answers pings (or not) and records what it was sent. */
class FakeWorker implements WorkerLike {
  sent: PageMessage[] = [];
  terminated = false;
  onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  onmessageerror: ((e: MessageEvent) => void) | null = null;
  constructor(private readonly answers: boolean) {}
  postMessage(m: PageMessage): void {
    this.sent.push(m);
    if (m.kind === 'ping' && this.answers) this.say({ kind: 'pong', id: m.id });
  }
  terminate(): void {
    this.terminated = true;
  }
  say(m: WorkerMessage): void {
    this.onmessage?.({ data: m } as MessageEvent<WorkerMessage>);
  }
}

describe('the bus watchdog', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('leaves a worker that answers alone', () => {
    const workers: FakeWorker[] = [];
    const bus = workerBus(
      () => {
        const w = new FakeWorker(true);
        workers.push(w);
        return w;
      },
      () => Date.now(),
    );
    vi.advanceTimersByTime(WATCHDOG_MS * 3);
    expect(workers).toHaveLength(1);
    bus.dispose();
  });

  it('replaces a stuck worker, loads the program again and says so once the new one answers', () => {
    const workers: FakeWorker[] = [];
    const bus = workerBus(
      () => {
        const w = new FakeWorker(workers.length > 0);
        workers.push(w);
        return w;
      },
      () => Date.now(),
    );
    const heard: WorkerMessage[] = [];
    bus.subscribe((m) => heard.push(m));
    const load: PageMessage = { kind: 'load', scenario: { vms: [{ source: 'HLT' }] }, options: {} };
    bus.send(load);
    bus.send({ kind: 'speed', speed: 5 });
    bus.send({ kind: 'run' });
    vi.advanceTimersByTime(HEARTBEAT_MS + WATCHDOG_MS + HEARTBEAT_MS);
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    expect(workers[1].sent.map((m) => m.kind)).toEqual(['load', 'speed']);
    expect(heard).toEqual([]);
    workers[1].say({ kind: 'loaded', technique: 'native', vms: ['vm1'] });
    expect(heard.map((m) => m.kind)).toEqual(['loaded', 'restarted']);
    bus.dispose();
  });
});

describe('the bus: comparisons', () => {
  it('runs a comparison in a worker of its own, delivers its answer, and ends that worker', () => {
    const workers: FakeWorker[] = [];
    const bus = workerBus(() => {
      const w = new FakeWorker(true);
      workers.push(w);
      return w;
    });
    const heard: WorkerMessage[] = [];
    bus.subscribe((m) => heard.push(m));
    bus.send({ kind: 'compare', request: 1, scenario: { vms: [{ source: 'HLT' }] }, options: {} });
    expect(workers).toHaveLength(2);
    expect(workers[0].sent.some((m) => m.kind === 'compare')).toBe(false);
    expect(workers[1].sent[0].kind).toBe('compare');
    workers[1].say({ kind: 'compare-results', request: 1, results: [] });
    expect(heard).toEqual([{ kind: 'compare-results', request: 1, results: [] }]);
    expect(workers[1].terminated).toBe(true);
    expect(workers[0].terminated).toBe(false);
    // Cancelled: the worker ends, and a late answer is not delivered.
    bus.send({ kind: 'compare', request: 2, scenario: { vms: [{ source: 'HLT' }] }, options: {} });
    bus.send({ kind: 'cancel', request: 2 });
    expect(workers[2].terminated).toBe(true);
    workers[2].say({ kind: 'compare-results', request: 2, results: [] });
    expect(heard).toHaveLength(1);
    bus.dispose();
  });
});
