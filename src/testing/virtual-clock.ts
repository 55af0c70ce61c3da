// A virtual clock and event loop for tests of code whose host (clock, task queue, timers) is injected:
// the run controller's tests run on it, so they depend on no wall-clock time and no machine's speed.
//
// Time moves only when the code reads the clock (`readCost` per reading: the work between two readings
// "took" that long) or when a test lets time pass (`advance`). Tasks (`schedule`) run in order, timers
// (`after`) at their virtual time; a message from the page is simply a call made between two tasks,
// which is exactly where the worker's event loop would deliver it.

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly task: () => void;
}

export class VirtualClock {
  private t = 0;
  private seq = 0;
  private readonly tasks: (() => void)[] = [];
  private readonly timers = new Map<number, Timer>();
  /** The longest any one task or timer ran, in virtual milliseconds: how long a message may wait. */
  longestTurn = 0;

  constructor(private readonly readCost = 1) {}

  /** The current virtual time, without reading the clock (reading it costs time). */
  get time(): number {
    return this.t;
  }

  readonly now = (): number => {
    const t = this.t;
    this.t += this.readCost;
    return t;
  };

  readonly schedule = (task: () => void): void => {
    this.tasks.push(task);
  };

  readonly after = (ms: number, task: () => void): (() => void) => {
    const seq = this.seq++;
    this.timers.set(seq, { at: this.t + Math.max(0, ms), seq, task });
    return () => {
      this.timers.delete(seq);
    };
  };

  /** Whether nothing is queued: no task, no timer. */
  get idle(): boolean {
    return this.tasks.length === 0 && this.timers.size === 0;
  }

  private nextTimer(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers.values())
      if (!best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    return best;
  }

  /**
   * Runs one turn of the event loop that begins no later than `limit`: a due timer, else the next task,
   * else the earliest timer (time jumps to it). Returns false when there is nothing to run by then.
   */
  private turn(limit: number): boolean {
    const timer = this.nextTimer();
    let run: () => void;
    if (timer && timer.at <= this.t) {
      this.timers.delete(timer.seq);
      run = timer.task;
    } else if (this.tasks.length > 0) {
      run = this.tasks.shift() as () => void;
    } else if (timer && timer.at <= limit) {
      this.timers.delete(timer.seq);
      this.t = timer.at;
      run = timer.task;
    } else return false;
    const start = this.t;
    run();
    this.longestTurn = Math.max(this.longestTurn, this.t - start);
    return true;
  }

  /** Lets `ms` of virtual time pass, running whatever the event loop would run meanwhile. */
  advance(ms: number): void {
    const end = this.t + ms;
    while (this.t < end && this.turn(end)) {
      // one turn at a time
    }
    this.t = Math.max(this.t, end);
  }

  /** Runs turns until `done` holds; throws if the loop goes idle or `limitMs` of virtual time pass first. */
  runUntil(done: () => boolean, limitMs = 3_600_000): void {
    const end = this.t + limitMs;
    while (!done()) {
      if (this.t >= end) throw new Error(`still not done after ${limitMs} virtual ms`);
      if (!this.turn(end)) throw new Error('nothing left to run, and still not done');
    }
  }
}
