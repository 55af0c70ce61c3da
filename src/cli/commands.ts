// What the commands do, apart from parsing arguments and printing.
import { type CompareEntry, compareTechniques, type Prepared, prepare, type RunResultJson } from '../hypervisor/engine';
import { nearest } from '../isa/suggest';
import { LIBRARY, libraryScenario } from '../scenario/library';
import { parseScenarioText, type Scenario, scenarioFromSource } from '../scenario/scenario';
import { InputError, readText } from './errors';
import type { Options } from './main';

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
      throw new InputError(`no built-in scenario '${arg}'${near ? `; did you mean '@${near}'?` : ''} (list them with: virtlab scenarios)`);
    }
    return { label: arg, scenario };
  }
  const text = readText(arg);
  const looksLikeJson = /\.json$/i.test(arg) || text.trimStart().startsWith('{');
  if (!looksLikeJson) return { label: arg, scenario: scenarioFromSource(text) };
  const parsed = parseScenarioText(text);
  if (!parsed.ok) throw new InputError(`${arg} is not a valid scenario:\n${parsed.errors.map((e) => `  ${e}`).join('\n')}`);
  return { label: arg, scenario: parsed.scenario };
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
  return { technique: o.technique, isa: o.isa, preset: o.preset, paging: o.paging, maxSteps: o.maxSteps, trace: o.trace };
}

export function runScenario(input: Input, o: Options): Outcome<{ result: RunResultJson }> {
  const p = prepare(input.scenario, engineOptions(o));
  if (p.kind !== 'ready') return { kind: 'errors', lines: problems(input, p) };
  p.engine.runToEnd();
  return { kind: 'ok', result: p.engine.result() };
}

export type { CompareEntry };

export function compareScenario(input: Input, o: Options): Outcome<{ results: CompareEntry[] }> {
  const r = compareTechniques(input.scenario, engineOptions(o));
  if (r.kind !== 'results') return { kind: 'errors', lines: problems(input, r) };
  return { kind: 'ok', results: r.results };
}

/** The scenario with the command line's options applied (for `share`). */
export function withOptions(s: Scenario, o: Options): Scenario {
  return {
    ...s,
    technique: o.technique ?? s.technique,
    isa: o.isa ?? s.isa,
    preset: o.preset ?? s.preset,
    maxSteps: o.maxSteps ?? s.maxSteps,
    hypervisor: { ...s.hypervisor, paging: o.paging ?? s.hypervisor.paging },
  };
}
