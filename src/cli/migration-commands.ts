// The `checkpoint`, `resume` and `migrate` commands of interfaces.md (issue 15), and `run` of a scenario
// with `checkpoints` or a `migration`. The engine does the work (hypervisor/migration); this file turns its
// answers into output, refusals and exit statuses.
import { writeFileSync } from 'node:fs';
import type { PresetId } from '../hypervisor/costs';
import type { Engine, Prepared, RunResultJson } from '../hypervisor/engine';
import {
  checkpointAt,
  encodeCheckpoint,
  MAX_CHECKPOINT_CHARS,
  MIGRATION_MODES,
  type MigrationMode,
  type MigrationReport,
  migrationSettings,
  resumeFile,
  runPlan,
} from '../hypervisor/migration';
import type { TechniqueId } from '../hypervisor/technique';
import type { Variant } from '../isa/table';
import type { Scenario } from '../scenario/scenario';
import type { EventSink, TraceEvent } from '../trace/events';
import { InputError, readText } from './errors';
import { printableField } from './escape';

// Structural copies of main.ts's Options and commands.ts's Input: importing those files from here would add
// this file to their import cycle (test/architecture.test.ts).
interface Options {
  technique?: TechniqueId;
  isa?: Variant;
  preset?: PresetId;
  paging?: 'auto' | 'shadow' | 'nested';
  vendor?: 'intel' | 'amd';
  maxSteps?: number;
  at?: number;
  vm?: number;
  out?: string;
  mode?: MigrateMode;
  bandwidth?: number;
}
interface Input {
  readonly label: string;
  readonly scenario: Scenario;
}
/** How `run` prints a result (format.ts's formatRun, passed in by main.ts). */
type FormatRun = (r: RunResultJson) => string;

export type MigrateMode = MigrationMode | 'all';
export const MIGRATE_MODES: readonly MigrateMode[] = [...MIGRATION_MODES, 'all'];

function engineOptions(o: Options) {
  return { technique: o.technique, isa: o.isa, preset: o.preset, paging: o.paging, vendor: o.vendor, maxSteps: o.maxSteps, trace: false };
}

function refusal(label: string, p: Exclude<Prepared, { kind: 'ready' }>): string[] {
  switch (p.kind) {
    case 'assembly-errors':
      return p.errors.flatMap((e) =>
        e.diagnostics.filter((d) => d.severity === 'error').map((d) => `${label}:${d.line}:${d.startColumn}: error: ${d.message}`),
      );
    case 'refused':
      return [`virtlab: ${p.technique} cannot do this with ${label}: ${p.reason}`];
    case 'invalid':
      return p.errors.map((e) => `${label}: ${e}`);
  }
}

export type CommandOutcome = { kind: 'errors'; lines: string[] } | { kind: 'ok'; json: unknown; text: string };

/** `checkpoint <file> --at N [--vm I] [--out F]`: the checkpoint file's text, written to F or printed. */
export function checkpointCommand(input: Input, o: Options): CommandOutcome {
  const c = checkpointAt(input.scenario, o.at ?? 0, o.vm ?? 0, engineOptions(o));
  if (c.kind !== 'checkpoint') return { kind: 'errors', lines: refusal(input.label, c) };
  const text = encodeCheckpoint(c.checkpoint);
  if (o.out) {
    try {
      writeFileSync(o.out, text);
    } catch (e) {
      throw new InputError(`cannot write '${printableField(o.out)}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const summary = {
      checkpoint: o.out,
      vm: c.checkpoint.vm,
      name: c.checkpoint.name,
      steps: c.checkpoint.steps,
      technique: c.checkpoint.technique,
    };
    return {
      kind: 'ok',
      json: summary,
      text: `checkpoint of ${c.checkpoint.name} at step ${c.checkpoint.steps.toLocaleString('en-US')} (${c.checkpoint.technique}) written to ${o.out}\n`,
    };
  }
  return { kind: 'ok', json: c.checkpoint, text };
}

/** `resume <checkpoint> [options]`: restores the file and runs on; prints what `run` prints. */
export function resumeCommand(path: string, o: Options, formatRun: FormatRun): CommandOutcome {
  const label = printableField(path);
  const { text } = readText(path, MAX_CHECKPOINT_CHARS, 'a scenario file');
  const r = resumeFile(text, engineOptions(o));
  if (r.kind === 'bad-file') return { kind: 'errors', lines: [`virtlab: cannot resume ${label}: ${r.reason}`] };
  if (r.kind !== 'ready') return { kind: 'errors', lines: refusal(label, r) };
  const result = finish(r.engine);
  return { kind: 'ok', json: result, text: formatRun(result) };
}

function finish(engine: Engine): RunResultJson {
  engine.checkpointInterval = Number.MAX_SAFE_INTEGER;
  engine.runToEnd();
  return engine.result();
}

/** `migrate <file> [--mode …|all] [--at N] [--bandwidth P]`: one run with a live migration, or the three compared. */
export function migrateCommand(input: Input, o: Options, formatRun: FormatRun): CommandOutcome {
  const mode = o.mode ?? input.scenario.migration?.mode ?? 'pre-copy';
  const modes: MigrationMode[] = mode === 'all' ? [...MIGRATION_MODES] : [mode];
  const results: (RunResultJson & { migration?: MigrationReport })[] = [];
  for (const m of modes) {
    const settings = migrationSettings(input.scenario, { mode: m, at: o.at, bandwidth: o.bandwidth });
    const r = runPlan(input.scenario, engineOptions(o), settings);
    if (r.kind !== 'ran') return { kind: 'errors', lines: refusal(input.label, r) };
    results.push(r.result);
  }
  if (mode !== 'all') return { kind: 'ok', json: results[0], text: formatMigrated(results[0], formatRun) };
  return { kind: 'ok', json: { results }, text: formatComparison(results) };
}

/**
 * `run` of a scenario with `checkpoints` or `migration`, or null to run it the usual way. With `--trace`, the
 * first `traceLimit` events are kept (later ones are dropped, not held: the run's memory stays bounded).
 */
export function runPlanned(
  input: Input,
  o: Options & { trace?: boolean; traceLimit?: number },
  formatRun: FormatRun,
): CommandOutcome | null {
  if (!input.scenario.checkpoints && !input.scenario.migration) return null;
  const limit = o.traceLimit ?? 100_000;
  const kept: TraceEvent[] = [];
  let dropped = false;
  const sink: EventSink | undefined = o.trace
    ? {
        push: (e) => {
          if (kept.length < limit) kept.push(e);
          else dropped = true;
        },
      }
    : undefined;
  const r = runPlan(input.scenario, engineOptions(o), undefined, sink);
  if (r.kind !== 'ran') return { kind: 'errors', lines: refusal(input.label, r) };
  const result = sink ? { ...r.result, trace: { limit, kept: kept.length, truncated: dropped }, events: kept } : r.result;
  return { kind: 'ok', json: result, text: formatMigrated(result, formatRun) };
}

function formatMigrated(r: RunResultJson & { migration?: MigrationReport }, formatRun: FormatRun): string {
  const m = r.migration;
  if (!m) return formatRun(r);
  const lines = [formatRun(r).trimEnd(), '', `migration: ${m.mode} of VM ${m.vm}, ${m.from} → ${m.to}`];
  for (const x of m.rounds)
    lines.push(`  round ${x.round}: ${x.pagesSent} pages sent, ${x.pagesDirtied} dirtied, ${x.cycles.toLocaleString('en-US')} cycles`);
  lines.push(
    `  pages sent ${m.pagesSent} · network faults ${m.networkFaults} · total ${m.totalCycles.toLocaleString('en-US')} cycles · downtime ${m.downtimeCycles.toLocaleString('en-US')} cycles · ${m.converged ? 'converged' : 'did not converge'}`,
  );
  if (m.stopReason) lines.push(`  stopped: ${m.stopReason}`);
  if (m.dirtyLogging !== 'none') lines.push(`  dirty logging: ${m.dirtyLogging} (${m.dirtyLogFaults} logged)`);
  if (m.throttle) lines.push(`  auto-converge: vCPU throttled ${m.throttle}%`);
  return `${lines.join('\n')}\n`;
}

function formatComparison(results: readonly (RunResultJson & { migration?: MigrationReport })[]): string {
  const rows = [['mode', 'pages sent', 'total cycles', 'downtime', 'network faults', 'converged']];
  for (const r of results) {
    const m = r.migration;
    if (!m) continue;
    rows.push([
      m.mode,
      String(m.pagesSent),
      m.totalCycles.toLocaleString('en-US'),
      m.downtimeCycles.toLocaleString('en-US'),
      String(m.networkFaults),
      m.converged ? 'yes' : 'no',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
