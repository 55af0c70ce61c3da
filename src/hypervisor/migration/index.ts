// The engine API for checkpoints, clones and live migration (virtualization.md): what the command line, the
// worker and the tests call. Everything here returns plain data.
import { type Scenario, scenarioToJson, validateScenario } from '../../scenario/scenario';
import type { EventSink } from '../../trace/events';
import { type Engine, type Prepared, prepare, type RunOptions, type RunResultJson } from '../engine';
import type { Monitor } from '../monitor';
import { decodeCheckpoint, restoreCheckpoint, takeCheckpoint, type VmCheckpoint } from './checkpoint';
import { DEFAULT_MIGRATION, LiveMigration, type MigrationReport, type MigrationSettings, refuseMigration } from './live';

export * from './checkpoint';
export * from './live';

/** Checkpoints are a hypervisor's: bare metal has none to save the machine (VMware, QEMU and Xen save VMs). */
export const NATIVE_CHECKPOINT = 'bare metal has no hypervisor to save or restore the machine: choose a virtualization technique';

export type PlanResult =
  | { kind: 'ran'; result: RunResultJson & { migration?: MigrationReport; checkpoints?: CheckpointNote[] } }
  | Exclude<Prepared, { kind: 'ready' }>;

/** What happened to each of a scenario's `checkpoints`. */
export interface CheckpointNote {
  vm: number;
  at: number;
  steps: number;
  restoredAt?: number;
  clone?: string;
}

/** Runs an engine until `steps` guest instructions have retired (or it stops), passing breakpoints. */
export function advanceTo(engine: Engine, steps: number): void {
  while (engine.run.steps() < steps) {
    const stop = engine.advance(steps - engine.run.steps());
    if (stop === 'breakpoint') engine.resume();
    else if (stop) return;
  }
}

/** The migration settings of a scenario's `migration` field with `over` applied (the CLI's options). */
export function migrationSettings(scenario: Scenario, over: Partial<MigrationSettings> = {}): MigrationSettings {
  return { ...DEFAULT_MIGRATION, ...(scenario.migration ?? {}), ...definedOnly(over) };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Runs a scenario with its `checkpoints` (each taken at its step; restored at `restoreAt`, or started as a
 * clone beside its original) and its `migration`, or `migration` given here. Without either it is `run`.
 */
export function runPlan(scenario: Scenario, options: RunOptions = {}, migration?: MigrationSettings, events?: EventSink): PlanResult {
  const checkpoints = scenario.checkpoints ?? [];
  const clones = checkpoints.filter((c) => c.clone);
  // A clone needs a VM slot of its own (its own frames): one per cloning checkpoint, stopped until it starts.
  const planned: Scenario = clones.length
    ? {
        ...scenario,
        vms: [
          ...scenario.vms,
          ...clones.map((c) => ({ name: `${scenario.vms[c.vm ?? 0].name}-clone`, source: scenario.vms[c.vm ?? 0].source })),
        ],
      }
    : scenario;
  const p = prepare(planned, options);
  if (p.kind !== 'ready') return p;
  const engine = p.engine;
  // The command line never seeks back: no seek checkpoints (each is a copy of every VM's memory).
  engine.checkpointInterval = Number.MAX_SAFE_INTEGER;
  if (events) engine.setEventSink(events, true);
  if (checkpoints.length && engine.technique === 'native') return { kind: 'refused', technique: 'native', reason: NATIVE_CHECKPOINT };
  const monitor = engine.run as unknown as Monitor;
  const first = scenario.vms.length;
  for (let i = 0; i < clones.length; i++) monitor.guests[first + i].machine.state = 'powered-off';
  const json = scenarioToJson(scenario);
  const notes: CheckpointNote[] = [];
  // Events in time order: checkpoints, restores and clones at their steps, the migration at its own.
  const moments = checkpoints
    .map((c, i) => ({ c, i, at: c.at }))
    .concat(checkpoints.flatMap((c, i) => (c.restoreAt !== undefined ? [{ c, i, at: c.restoreAt }] : [])))
    .sort((a, b) => a.at - b.at);
  const saved = new Map<number, VmCheckpoint>();
  let cloneSlot = first;
  const cloneOf = new Map<number, number>();
  for (const c of checkpoints) if (c.clone) cloneOf.set(checkpoints.indexOf(c), cloneSlot++);
  for (const { c, i, at } of moments) {
    advanceTo(engine, at);
    const vm = c.vm ?? 0;
    if (!saved.has(i)) {
      const cp = takeCheckpoint(engine, vm, json);
      saved.set(i, cp);
      const note: CheckpointNote = { vm, at: c.at, steps: engine.run.steps() };
      notes.push(note);
      const slot = cloneOf.get(i);
      if (slot !== undefined) {
        const r = restoreCheckpoint(engine, slot, cp, 'clone');
        if (r) return { kind: 'refused', technique: engine.technique, reason: r };
        note.clone = monitor.guests[slot].name;
      }
    } else {
      const r = restoreCheckpoint(engine, vm, saved.get(i) as VmCheckpoint, 'restore');
      if (r) return { kind: 'refused', technique: engine.technique, reason: r };
      notes[[...saved.keys()].indexOf(i)].restoredAt = engine.run.steps();
    }
  }
  const settings = migration ?? (scenario.migration ? migrationSettings(scenario) : undefined);
  if (settings) {
    const why = refuseMigration(engine, settings.vm);
    if (why) return { kind: 'refused', technique: engine.technique, reason: why };
    const result = new LiveMigration(engine, settings).run();
    return { kind: 'ran', result: notes.length ? { ...result, checkpoints: notes } : result };
  }
  engine.runToEnd();
  const result = engine.result();
  return { kind: 'ran', result: notes.length ? { ...result, checkpoints: notes } : result };
}

/** Runs `scenario` to step `at` and returns the checkpoint of VM `vm` then. */
export function checkpointAt(
  scenario: Scenario,
  at: number,
  vm = 0,
  options: RunOptions = {},
): { kind: 'checkpoint'; checkpoint: VmCheckpoint } | Exclude<Prepared, { kind: 'ready' }> {
  const p = prepare(scenario, options);
  if (p.kind !== 'ready') return p;
  if (p.engine.technique === 'native') return { kind: 'refused', technique: 'native', reason: NATIVE_CHECKPOINT };
  if (vm < 0 || vm >= scenario.vms.length)
    return { kind: 'invalid', errors: [`--vm: there is no VM ${vm} (the scenario has ${scenario.vms.length})`] };
  p.engine.checkpointInterval = Number.MAX_SAFE_INTEGER;
  advanceTo(p.engine, at);
  return { kind: 'checkpoint', checkpoint: takeCheckpoint(p.engine, vm, scenarioToJson(scenario)) };
}

/**
 * The engine a checkpoint resumes in: its scenario with only its VM, the same technique and settings, the VM
 * restored. Refused with the reason when the options ask for another technique, instruction set, paging or
 * vendor, or when the file's program is not its scenario's.
 */
export function resumeEngine(
  c: VmCheckpoint,
  options: RunOptions = {},
): { kind: 'ready'; engine: Engine } | Exclude<Prepared, { kind: 'ready' }> {
  const parsed = validateScenario(c.scenario);
  if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors.map((e) => `the checkpoint's scenario: ${e}`) };
  const s = parsed.scenario;
  const source = s.vms[c.vm];
  if (!source) return { kind: 'invalid', errors: [`the checkpoint's scenario has no VM ${c.vm}`] };
  const technique = options.technique ?? (c.technique as RunOptions['technique']);
  if (technique !== c.technique)
    return {
      kind: 'refused',
      technique: technique as NonNullable<RunOptions['technique']>,
      reason: `the checkpoint was taken under ${c.technique}: it resumes only there`,
    };
  const alone: Scenario = {
    ...s,
    vms: [source],
    breakpoints: s.breakpoints.filter((b) => b.vm === c.vm).map((b) => ({ ...b, vm: 0 })),
    checkpoints: undefined,
    migration: undefined,
  };
  const p = prepare(alone, {
    ...options,
    technique,
    isa: options.isa ?? (c.isa as RunOptions['isa']),
    preset: options.preset ?? (c.preset as RunOptions['preset']),
    vendor: options.vendor ?? (c.vendor as RunOptions['vendor']),
  });
  if (p.kind !== 'ready') return p;
  if (options.preset && options.preset !== c.preset)
    return { kind: 'refused', technique, reason: `the checkpoint was taken with the ${c.preset} preset, not ${options.preset}` };
  const r = restoreCheckpoint(p.engine, 0, c, 'restore');
  if (r) return { kind: 'refused', technique, reason: r };
  return p;
}

/** Reads a checkpoint file and resumes it; the refusal reason of a bad file. */
export function resumeFile(
  text: string,
  options: RunOptions = {},
): { kind: 'ready'; engine: Engine } | Exclude<Prepared, { kind: 'ready' }> | { kind: 'bad-file'; reason: string } {
  const d = decodeCheckpoint(text);
  if (!d.ok) return { kind: 'bad-file', reason: d.reason };
  return resumeEngine(d.checkpoint, options);
}
