// The run's plan in the worker (issue 15): the scenario's checkpoints and migration as a PlannedRun, the
// page's list of checkpoints with the size of what each saved, checkpoint files out and in, and the
// comparison of the three migration methods on the same guest.
import type { Engine } from '../hypervisor/engine';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  MIGRATION_MODES,
  migrationSettings,
  NATIVE_CHECKPOINT,
  refuseRestore,
  runPlan,
} from '../hypervisor/migration';
import { PlannedRun } from '../hypervisor/migration/planned-run';
import type { CheckpointSummary, MigrationMethodResult, PageMessage, WorkerMessage } from '../protocol/messages';
import { type Scenario, scenarioToJson, validateScenario } from '../scenario/scenario';
import { checkOptions, withHypervisor } from './load-options';

/** The scenario as the engine runs it: a VM slot of its own for each clone (powered off until it starts). */
export function withCloneSlots(s: Scenario): Scenario {
  const clones = (s.checkpoints ?? []).filter((c) => c.clone);
  if (!clones.length) return s;
  return {
    ...s,
    vms: [...s.vms, ...clones.map((c) => ({ name: `${s.vms[c.vm ?? 0].name}-clone`, source: s.vms[c.vm ?? 0].source }))],
  };
}

/** Why the engine will not run the scenario's plan (bare metal has no hypervisor to save or move the machine). */
export function refusePlan(s: Scenario, engine: Engine): string | null {
  if ((s.checkpoints?.length || s.migration) && engine.technique === 'native') return NATIVE_CHECKPOINT;
  return null;
}

/** The PlannedRun of a prepared engine (its clone slots powered off, as runPlan has them). */
export function planOf(s: Scenario, engine: Engine): PlannedRun {
  const list = s.checkpoints ?? [];
  let slot = s.vms.length;
  const monitor = engine.run as unknown as { guests?: { machine: { state: string } }[] };
  const checkpoints = list.map((c) => {
    const into = c.clone ? slot++ : undefined;
    if (into !== undefined && monitor.guests?.[into]) monitor.guests[into].machine.state = 'powered-off';
    return { vm: c.vm ?? 0, at: c.at, restoreAt: c.restoreAt, clone: c.clone, into };
  });
  return new PlannedRun(engine, scenarioToJson(s), checkpoints, s.migration ? migrationSettings(s) : null);
}

const bytes = (v: unknown) => JSON.stringify(v).length;

/** The page's list: each checkpoint with the moment, the VM and the size of what it saved. */
export function summaries(plan: PlannedRun, names: readonly string[]): CheckpointSummary[] {
  return plan.checkpoints.map((c, index) => {
    const d = c.data;
    const scalars = d?.machine.scalars ?? {};
    const { ticks, timerPeriod, timerNext, irqPending, ...cpu } = scalars;
    return {
      index,
      vm: c.vm,
      vmName: d?.name ?? names[c.vm] ?? `VM ${c.vm}`,
      at: c.at,
      ...(c.restoreAt !== undefined ? { restoreAt: c.restoreAt } : {}),
      ...(c.clone ? { clone: true } : {}),
      origin: c.origin,
      taken: d !== null,
      ...(d
        ? {
            sizes: {
              vcpu: bytes(cpu) + bytes(d.machine.regs),
              memoryPages: 16,
              memory: d.machine.memory.length,
              devices:
                bytes({ ticks, timerPeriod, timerNext, irqPending }) +
                bytes(d.machine.console) +
                bytes(d.machine.tlbMap) +
                bytes(d.machine.tlbSlots),
              technique: bytes(d.hypervisor),
            },
          }
        : {}),
      ...(c.refused ? { refused: c.refused } : {}),
    };
  });
}

/** The scenario's `checkpoints` field as the plan now has them (opened files are not the scenario's). */
export function scenarioCheckpoints(plan: PlannedRun) {
  return plan.checkpoints
    .filter((c) => c.origin === 'scenario')
    .map((c) => ({
      vm: c.vm,
      at: c.at,
      ...(c.restoreAt !== undefined ? { restoreAt: c.restoreAt } : {}),
      ...(c.clone ? { clone: true } : {}),
    }));
}

/** A checkpoint as a file, or why not. */
export function fileAnswer(m: Extract<PageMessage, { kind: 'checkpoint-file' }>, plan: PlannedRun | null): WorkerMessage {
  const c = plan?.checkpoints[m.index];
  if (!c?.data)
    return { kind: 'checkpoint-file', request: m.request, name: '', text: null, reason: 'the run has not reached that checkpoint' };
  const name = `${c.data.name}-step-${c.data.steps}.vlab-checkpoint.json`;
  return { kind: 'checkpoint-file', request: m.request, name, text: encodeCheckpoint(c.data) };
}

/** A checkpoint file from the user: read, checked against this run, listed. */
export function openAnswer(m: Extract<PageMessage, { kind: 'checkpoint-open' }>, plan: PlannedRun | null): WorkerMessage {
  const no = (reason: string): WorkerMessage => ({ kind: 'checkpoint-opened', request: m.request, ok: false, reason });
  if (!plan) return no('nothing is loaded to restore it into');
  if (plan.engine.technique === 'native') return no(NATIVE_CHECKPOINT);
  const d = decodeCheckpoint(m.text);
  if (!d.ok) return no(d.reason);
  const why = refuseRestore(plan.engine, d.checkpoint.vm, d.checkpoint);
  if (why) return no(why);
  plan.open(d.checkpoint);
  return { kind: 'checkpoint-opened', request: m.request, ok: true };
}

/** The scenario's migration by each method, each run to its end. */
export function migrationCompareAnswer(m: Extract<PageMessage, { kind: 'migration-compare' }>): WorkerMessage {
  const parsed = validateScenario(m.scenario);
  const optionErrors = checkOptions(m.options);
  if (!parsed.ok || optionErrors.length)
    return { kind: 'compare-failed', request: m.request, errors: [...(parsed.ok ? [] : parsed.errors), ...optionErrors] };
  const { exits, hypervisorType, technique, isa, preset, paging, maxSteps } = m.options;
  const s = withHypervisor(parsed.scenario, exits, hypervisorType);
  const results: MigrationMethodResult[] = [];
  for (const mode of MIGRATION_MODES) {
    const r = runPlan({ ...s, checkpoints: undefined }, { technique, isa, preset, paging, maxSteps }, migrationSettings(s, { mode }));
    if (r.kind === 'ran' && r.result.migration)
      results.push({
        mode,
        report: r.result.migration,
        cycles: r.result.cycles.total,
        consoles: r.result.vms.map((v) => v.console),
        states: r.result.vms.map((v) => v.state),
      });
    else if (r.kind === 'refused') results.push({ mode, refused: r.reason });
    else if (r.kind === 'invalid') return { kind: 'compare-failed', request: m.request, errors: r.errors };
    else if (r.kind === 'assembly-errors')
      return {
        kind: 'compare-failed',
        request: m.request,
        errors: r.errors.flatMap((e) => e.diagnostics.map((d) => `${e.name}:${d.line}: ${d.message}`)),
      };
  }
  return { kind: 'migration-compare-results', request: m.request, results };
}
