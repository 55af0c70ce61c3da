// What the commands do, apart from parsing arguments and printing.
import { type Engine, type Prepared, prepare, type RunResultJson } from '../hypervisor/engine';
import { TECHNIQUE_IDS, type TechniqueId } from '../hypervisor/technique';
import { nearest } from '../isa/suggest';
import { LIBRARY, libraryScenario } from '../scenario/library';
import { parseScenarioText, type Scenario, scenarioFromSource } from '../scenario/scenario';
import { withStepSettings } from '../scenario/step-settings';
import type { EventSink, TraceEvent } from '../trace/events';
import { InputError, MAX_PROGRAM_BYTES, MAX_SCENARIO_BYTES, readText, tooBig } from './errors';
import { printableField } from './escape';
import type { Options } from './main';

/** Events kept by `--trace` unless `--trace-limit` says otherwise, per run (per technique in `compare`). */
export const DEFAULT_TRACE_LIMIT = 100_000;
/** The most `--trace-limit` may ask for: the JSON of a million events is some 150 MB already. */
export const MAX_TRACE_LIMIT = 1_000_000;

/**
 * What `--trace` kept: the first `limit` events of the run. When there were more, `truncated` is true and
 * `droppedFromStep` is the step of the first event not kept: from there on the run goes on untraced
 * (at full speed), so later events are neither kept nor counted; the run's counters still count everything.
 */
export interface TraceSummary {
  limit: number;
  kept: number;
  truncated: boolean;
  droppedFromStep?: number;
}

/**
 * Events kept per technique by `compare --trace`: the run's limit, but all six together at most
 * MAX_TRACE_LIMIT (six traces of a million events would not fit in memory).
 */
export function compareTraceLimit(o: Options): number {
  return Math.min(o.traceLimit ?? DEFAULT_TRACE_LIMIT, Math.floor(MAX_TRACE_LIMIT / TECHNIQUE_IDS.length));
}

/** A run's JSON as interfaces.md has it; with `--trace`, its events and how many were kept. */
export type RunJson = RunResultJson & { trace?: TraceSummary; events?: TraceEvent[] };
export type CompareEntry = RunJson | { technique: TechniqueId; skipped: string };

export interface Input {
  /** How errors name the input: the file path or @id. */
  readonly label: string;
  readonly scenario: Scenario;
}

export function loadInput(arg: string): Input {
  if (arg.startsWith('@')) {
    const scenario = libraryScenario(arg.slice(1));
    if (!scenario) {
      const near = nearest(
        arg.slice(1),
        LIBRARY.map((e) => e.id),
        false,
      );
      throw new InputError(
        `no built-in scenario '${printableField(arg.slice(0, 80))}'${near ? `; did you mean '@${near}'?` : ''} (list them with: virtlab scenarios)`,
      );
    }
    return { label: arg, scenario };
  }
  const label = printableField(arg);
  const named = /\.json$/i.test(arg) ? 'scenario' : /\.(s|asm)$/i.test(arg) ? 'program' : undefined;
  const { text, bytes } =
    named === 'program' ? readText(arg, MAX_PROGRAM_BYTES, 'a program file') : readText(arg, MAX_SCENARIO_BYTES, 'a scenario file');
  const looksLikeJson = named === 'scenario' || text.trimStart().startsWith('{');
  if (!looksLikeJson) {
    if (bytes > MAX_PROGRAM_BYTES) throw new InputError(`cannot read '${label}': ${tooBig(bytes, MAX_PROGRAM_BYTES, 'a program file')}`);
    try {
      return { label, scenario: scenarioFromSource(text) };
    } catch (e) {
      throw new InputError(`${label} is not a valid program: ${(e as Error).message}`);
    }
  }
  const parsed = parseScenarioText(text);
  if (!parsed.ok) throw new InputError(`${label} is not a valid scenario:\n${parsed.errors.map((e) => `  ${e}`).join('\n')}`);
  return { label, scenario: parsed.scenario };
}

type Outcome<T> = { kind: 'errors'; lines: string[] } | ({ kind: 'ok' } & T);

function problems(input: Input, p: Exclude<Prepared, { kind: 'ready' }>): string[] {
  switch (p.kind) {
    case 'assembly-errors': {
      const several = input.scenario.vms.length > 1;
      return p.errors.flatMap((e) =>
        e.diagnostics
          .filter((d) => d.severity === 'error')
          .map((d) => `${input.label}${several ? `[${e.name}]` : ''}:${d.line}:${d.startColumn}: error: ${d.message}`),
      );
    }
    case 'refused':
      return [`virtlab: ${p.technique} cannot run ${input.label}: ${p.reason}`];
    case 'invalid':
      return p.errors.map((e) => `${input.label}: ${e}`);
  }
}

function engineOptions(o: Options) {
  // The command line records events itself (bounded, below), never through the engine's unbounded log.
  return { technique: o.technique, isa: o.isa, preset: o.preset, paging: o.paging, vendor: o.vendor, maxSteps: o.maxSteps, trace: false };
}

/** Keeps the first `limit` events and notes the first one past it: a spin loop under --trace stays bounded. */
class BoundedTrace implements EventSink {
  readonly events: TraceEvent[] = [];
  /** The step of the first event past the limit, once there is one. */
  droppedFromStep: number | undefined;
  constructor(readonly limit: number) {}
  push(e: TraceEvent): void {
    if (this.events.length < this.limit) this.events.push(e);
    else this.droppedFromStep ??= e.step ?? 0;
  }
  get full(): boolean {
    return this.droppedFromStep !== undefined;
  }
  summary(): TraceSummary {
    const s: TraceSummary = { limit: this.limit, kept: this.events.length, truncated: this.full };
    if (this.droppedFromStep !== undefined) s.droppedFromStep = this.droppedFromStep;
    return s;
  }
}

/** Guest instructions per slice of a traced run: how far it may go past the limit before tracing stops. */
const TRACED_SLICE = 10_000;

/** Runs a prepared engine to its end (as Engine.runToEnd); the result, with its events when tracing. */
function runEngine(engine: Engine, o: Options): RunJson {
  // The command line never seeks back: no checkpoints (each is a copy of every VM's memory).
  engine.checkpointInterval = Number.MAX_SAFE_INTEGER;
  const trace = o.trace ? new BoundedTrace(o.traceLimit ?? DEFAULT_TRACE_LIMIT) : undefined;
  if (trace) {
    engine.setEventSink(trace, true);
    for (;;) {
      if (engine.advance(TRACED_SLICE)) break;
      if (trace.full) {
        // The limit is reached: the rest of the run untraced, at full speed.
        engine.setEventSink(null, false);
        engine.runToEnd();
        break;
      }
    }
  } else engine.runToEnd();
  const result: RunJson = engine.result();
  if (trace) {
    delete result.events;
    result.trace = trace.summary();
    result.events = trace.events;
  }
  return result;
}

export function runScenario(input: Input, o: Options): Outcome<{ result: RunJson }> {
  const p = prepare(withType(input.scenario, o), engineOptions(o));
  if (p.kind !== 'ready') return { kind: 'errors', lines: problems(input, p) };
  return { kind: 'ok', result: runEngine(p.engine, o) };
}

/**
 * The same scenario under every technique, in the order of interfaces.md (the engine's
 * compareTechniques, with the command line's bounded trace); a technique that cannot run it is listed
 * with the reason; assembly errors or an invalid scenario are reported as such.
 */
export function compareScenario(input: Input, o: Options): Outcome<{ results: CompareEntry[] }> {
  const results: CompareEntry[] = [];
  for (const technique of TECHNIQUE_IDS) {
    const p = prepare(withType(input.scenario, o), { ...engineOptions(o), technique });
    if (p.kind === 'refused') {
      results.push({ technique, skipped: p.reason });
      continue;
    }
    if (p.kind !== 'ready') return { kind: 'errors', lines: problems(input, p) };
    results.push(runEngine(p.engine, { ...o, traceLimit: compareTraceLimit(o) }));
  }
  return { kind: 'ok', results };
}
/** The scenario with the hypervisor type of --system, if one was named. */
function withType(s: Scenario, o: Options): Scenario {
  return o.hypervisorType ? { ...s, hypervisor: { ...s.hypervisor, type: o.hypervisorType } } : s;
}

/** The scenario with the command line's options applied (for `share`): the same overlay as a check step's settings. */
export function withOptions(s: Scenario, o: Options): Scenario {
  const applied = withStepSettings(s, {
    technique: o.technique,
    isa: o.isa,
    preset: o.preset,
    type: o.hypervisorType,
    paging: o.paging,
    vendor: o.vendor,
  });
  return { ...applied, breakpoints: s.breakpoints, maxSteps: o.maxSteps ?? s.maxSteps };
}
