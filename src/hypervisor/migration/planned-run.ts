// A run with its plan, as the page's worker drives it: the scenario's `checkpoints` (each taken at its step,
// put back at `restoreAt`, or started as a clone) and its `migration`, applied as the run passes their
// moments, in slices, with exact seeks back and forth.
//
// A seek is exact because every planned action is replayed, never skipped: the engine's seek checkpoints are
// taken just before each action (never in the middle of a live migration, whose state the run's snapshot does
// not hold: the copy on host B, the dirty log, the link), and a seek replays from the last of them through
// every action between it and the target. The run is deterministic, so the replay is the run again.
//
// The page keeps the host's clock across a restore or a clone (restoreCheckpoint's keepClock): its step count
// only grows, so that a step names one moment of the run.
import type { Engine, StopReason } from '../engine';
import type { Monitor } from '../monitor';
import { restoreCheckpoint, takeCheckpoint, type VmCheckpoint } from './checkpoint';
import { LiveMigration, type MigrationReport, type MigrationSettings } from './live';

/** One of the plan's checkpoints: the scenario's entry, where it came from, and its data once taken. */
export interface PlannedCheckpoint {
  readonly vm: number;
  readonly at: number;
  restoreAt?: number;
  readonly clone?: boolean;
  /** The VM slot a clone starts in. */
  readonly into?: number;
  /** `file`: opened from a checkpoint file (restorable, not part of the scenario). */
  readonly origin: 'scenario' | 'file';
  data: VmCheckpoint | null;
  /** Why its restore or clone was refused, if it was. */
  refused?: string;
}

type Moment = { readonly at: number; readonly kind: 'take' | 'restore' | 'clone' | 'migrate'; readonly slot: number };

/** What the page's Migration panel draws: the report as far as the migration has gone, and the pages of each round. */
export interface MigrationProgress {
  readonly report: MigrationReport;
  readonly rounds: readonly {
    readonly sent: readonly number[];
    readonly dirtied: readonly number[];
    readonly faulted: readonly number[];
  }[];
  readonly done: boolean;
  /** The step the migration began at. */
  readonly at: number;
}

export class PlannedRun {
  readonly checkpoints: PlannedCheckpoint[] = [];
  private moments: Moment[] = [];
  /** moments[0 … applied) have been applied to the run's present state. */
  private applied = 0;
  private migration: LiveMigration | null = null;
  private drive: Generator<number, void, void> | null = null;
  /** Guest instructions the migration's current stretch still needs. */
  private owed = 0;
  /** The migration as it ended (a seek beyond its end restores a checkpoint taken after it). */
  private finished: MigrationProgress | null = null;

  constructor(
    readonly engine: Engine,
    private readonly scenario: unknown,
    checkpoints: readonly Omit<PlannedCheckpoint, 'data' | 'origin'>[],
    readonly settings: MigrationSettings | null,
  ) {
    for (const c of checkpoints) this.checkpoints.push({ ...c, origin: 'scenario', data: null });
    this.plan();
  }

  private plan(): void {
    const m: Moment[] = [];
    this.checkpoints.forEach((c, slot) => {
      if (c.origin === 'file') {
        if (c.restoreAt !== undefined) m.push({ at: c.restoreAt, kind: 'restore', slot });
        return;
      }
      m.push({ at: c.at, kind: 'take', slot });
      if (c.clone) m.push({ at: c.at, kind: 'clone', slot });
      else if (c.restoreAt !== undefined) m.push({ at: c.restoreAt, kind: 'restore', slot });
    });
    if (this.settings) m.push({ at: this.settings.at, kind: 'migrate', slot: -1 });
    // Stable: at one step, the order of the list (a take before its clone; the migration last).
    this.moments = m
      .map((x, i) => ({ x, i }))
      .sort((a, b) => a.x.at - b.x.at || a.i - b.i)
      .map((e) => e.x);
  }

  steps(): number {
    return this.engine.run.steps();
  }

  /** The migration as far as it has gone at this moment (null before it began). */
  get progress(): MigrationProgress | null {
    const mig = this.migration;
    if (mig && this.settings) return { report: mig.report, rounds: mig.roundPages, done: mig.done, at: this.settings.at };
    return this.migrated() ? this.finished : null;
  }

  private migrated(): boolean {
    const i = this.moments.findIndex((m) => m.kind === 'migrate');
    return i >= 0 && i < this.applied;
  }

  /** Runs at most `budget` more guest instructions, applying each planned action as its moment comes. */
  advance(budget: number): StopReason | undefined {
    let left = budget;
    for (;;) {
      this.applyDue();
      if (left <= 0) return undefined;
      const steps = this.steps();
      let n = left;
      if (this.drive) n = Math.min(n, this.owed);
      const next = this.moments[this.applied];
      if (next) n = Math.min(n, Math.max(1, next.at - steps));
      const stop = this.engine.advance(n);
      const ran = this.steps() - steps;
      left -= ran;
      if (this.drive) {
        this.owed -= ran;
        if (this.owed <= 0 || (stop && stop !== 'breakpoint')) this.resumeMigration();
      }
      if (stop) {
        this.applyDue();
        return stop;
      }
      if (ran === 0) return undefined;
    }
  }

  private applyDue(): void {
    const steps = this.steps();
    while (this.applied < this.moments.length && this.moments[this.applied].at <= steps) {
      const m = this.moments[this.applied];
      // The moment just before the action: where a seek replays it from.
      this.engine.checkpointHere();
      this.applied++;
      this.apply(m);
    }
  }

  private apply(m: Moment): void {
    const c = this.checkpoints[m.slot];
    switch (m.kind) {
      case 'take':
        c.data = takeCheckpoint(this.engine, c.vm, this.scenario);
        return;
      case 'restore':
      case 'clone': {
        if (!c.data) return;
        const why = restoreCheckpoint(this.engine, m.kind === 'clone' ? (c.into ?? c.vm) : c.vm, c.data, m.kind, true);
        if (why) c.refused = why;
        return;
      }
      case 'migrate': {
        if (!this.settings) return;
        this.engine.holdCheckpoints = true;
        this.migration = new LiveMigration(this.engine, this.settings);
        this.drive = this.migration.drive();
        this.resumeMigration();
        return;
      }
    }
  }

  private resumeMigration(): void {
    const drive = this.drive;
    const mig = this.migration;
    if (!drive || !mig) return;
    const r = drive.next();
    if (!r.done) {
      this.owed = r.value;
      return;
    }
    this.finished = { report: mig.report, rounds: mig.roundPages, done: true, at: this.settings?.at ?? 0 };
    this.drive = null;
    this.migration = null;
    this.owed = 0;
    // The VM is on host B for good: seek checkpoints again (the run's snapshot holds its host and frames).
    this.engine.holdCheckpoints = false;
  }

  /**
   * Puts the run at exactly `target` steps: the engine's seek to the last of its checkpoints (or to the
   * first planned action after it), then the actions and the migration replayed up to the target. Returns
   * the number of events emitted by the moment the replay started from.
   */
  seek(target: number): number {
    const goal = Math.max(0, Math.min(Math.floor(target), this.engine.maxSteps));
    // The migration's present state goes (replayed when the target is within it or after it).
    (this.engine.run as unknown as Monitor).migration = null;
    this.drive = null;
    this.migration = null;
    this.owed = 0;
    this.engine.holdCheckpoints = false;
    const c = this.engine.checkpointStepBefore(goal);
    // The first action at or after that checkpoint and before the target: it must be replayed.
    const p = this.moments.findIndex((m) => m.at >= c && m.at < goal);
    if (p < 0) {
      const from = this.engine.seek(goal, true);
      this.applied = this.moments.filter((m) => m.at < goal).length;
      // The actions of this very moment are part of it (as when the run came here by itself).
      this.applyDue();
      return from;
    }
    const from = this.engine.seek(this.moments[p].at, true);
    this.applied = p;
    while (this.steps() < goal) {
      const stop = this.advance(goal - this.steps());
      if (stop === 'breakpoint') this.engine.resume();
      else if (stop) break;
    }
    this.applyDue();
    return from;
  }

  // ---- what the page does at the present moment ------------------------------------------------------

  /** Takes a checkpoint of VM `vm` now; the future the run had is forgotten (its events change). */
  take(vm: number): number {
    this.applyDue();
    this.checkpoints.push({ vm, at: this.steps(), origin: 'scenario', data: null });
    return this.now(this.checkpoints.length - 1, 'take');
  }

  /** Puts checkpoint `slot`'s VM back to it now. A checkpoint already restored once is listed again. */
  restore(slot: number): string | null {
    const c = this.checkpoints[slot];
    if (!c?.data) return 'that checkpoint has not been taken at this moment of the run';
    if (c.clone) return 'a clone is not restored: it is a VM of its own';
    this.applyDue();
    const at = this.steps();
    if (c.restoreAt === undefined) {
      c.restoreAt = at;
      this.now(slot, 'restore');
      return c.refused ?? null;
    }
    this.checkpoints.push({ vm: c.vm, at: c.at, restoreAt: at, origin: c.origin, data: c.data });
    const last = this.checkpoints.length - 1;
    this.now(last, 'restore');
    return this.checkpoints[last].refused ?? null;
  }

  /** A checkpoint opened from a file: listed, restorable into its VM. */
  open(data: VmCheckpoint): number {
    this.checkpoints.push({ vm: data.vm, at: data.steps, origin: 'file', data });
    return this.checkpoints.length - 1;
  }

  private now(slot: number, kind: Moment['kind']): number {
    this.forget();
    this.plan();
    const at = this.steps();
    this.applied = this.moments.filter((m) => m.at < at || (m.at === at && !(m.kind === kind && m.slot === slot))).length;
    this.applyDue();
    return slot;
  }

  /** The run's future changed at this moment: its seek checkpoints beyond it, and the migration's end, go. */
  private forget(): void {
    this.engine.forgetAfter(this.steps());
    if (this.finished && !this.migrated()) this.finished = null;
  }
}
