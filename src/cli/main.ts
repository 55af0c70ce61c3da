// The `virtlab` command line of interfaces.md. Exit status: 0 the run happened (whatever the guest
// did), 1 the input is wrong, 2 a usage error. No stack trace for anything a user can type.

import { PRESETS_IDS, type PresetId } from '../hypervisor/costs';
import { TECHNIQUE_IDS, type TechniqueId } from '../hypervisor/technique';
import { analyze } from '../isa/analysis';
import { VARIANTS, type Variant } from '../isa/table';
import { LIBRARY } from '../scenario/library';
import { decodeLink, shareLink } from '../scenario/link';
import { scenarioToJson } from '../scenario/scenario';
import { compareScenario, loadInput, runScenario, withOptions } from './commands';
import { InputError, UsageError } from './errors';
import { formatAnalysis, formatCompare, formatRun, formatScenarios } from './format';

export interface Options {
  technique?: TechniqueId;
  isa?: Variant;
  preset?: PresetId;
  paging?: 'auto' | 'shadow' | 'nested';
  maxSteps?: number;
  trace: boolean;
  json: boolean;
  base?: string;
}

/** Where `share` links point unless --base says otherwise: the app served by `npm start`. */
const DEFAULT_BASE = 'http://127.0.0.1:4173/';

const USAGE = `usage: virtlab <command> [options]

commands:
  run <file|@id>       assemble and run a .s file (one VM) or a .vlab.json scenario
  compare <file|@id>   run it under every technique: cycles by category, counters, fidelity
  analyze              the Popek–Goldberg report of the ISA table
  share <file|@id>     print the share link of a scenario (options applied; --base URL)
  open <link>          print the scenario JSON inside a share link
  scenarios            list the built-in scenario library (--json)

  wherever a file is expected, @id names a built-in scenario (run @popf-problem)

options:
  --technique ID       ${TECHNIQUE_IDS.join(' | ')}
  --isa classic|strict
  --preset 2006|modern
  --paging auto|shadow|nested
  --max-steps N
  --trace              include events (instruction events too) in the output
  --json               print JSON instead of a summary
`;

function parseArgs(argv: string[]): { command: string; positional: string[]; options: Options } {
  const options: Options = { trace: false, json: false };
  const positional: string[] = [];
  const value = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
    return v;
  };
  const pick = <T extends string>(v: string, allowed: readonly T[], name: string): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}, not '${v}'`);
    return v as T;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      argv.splice(i, 1, a.slice(0, eq), a.slice(eq + 1));
    }
    const arg = argv[i];
    switch (arg) {
      case '--technique':
        options.technique = pick(value(i, arg), TECHNIQUE_IDS, arg);
        i++;
        break;
      case '--isa':
        options.isa = pick(value(i, arg), VARIANTS, arg);
        i++;
        break;
      case '--preset':
        options.preset = pick(value(i, arg), PRESETS_IDS, arg);
        i++;
        break;
      case '--paging':
        options.paging = pick(value(i, arg), ['auto', 'shadow', 'nested'] as const, arg);
        i++;
        break;
      case '--max-steps': {
        const v = value(i, arg);
        const n = Number(v.replace(/_/g, ''));
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`--max-steps must be a whole number ≥ 1, not '${v}'`);
        options.maxSteps = n;
        i++;
        break;
      }
      case '--base':
        options.base = value(i, arg);
        i++;
        break;
      case '--trace':
        options.trace = true;
        break;
      case '--json':
        options.json = true;
        break;
      case '--help':
      case '-h':
        positional.unshift('help');
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
        positional.push(arg);
    }
  }
  const command = positional.shift() ?? 'help';
  return { command, positional, options };
}

export function main(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs([...argv]);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`virtlab: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  const { command, positional, options } = parsed;
  try {
    switch (command) {
      case 'help':
        out(USAGE);
        return 0;
      case 'analyze': {
        if (positional.length) throw new UsageError('analyze takes no file');
        const a = analyze(options.isa ?? 'classic');
        out(options.json ? `${JSON.stringify(a, null, 2)}\n` : formatAnalysis(a));
        return 0;
      }
      case 'run': {
        const input = loadInput(onePositional(positional, 'run'));
        const r = runScenario(input, options);
        if (r.kind === 'errors') {
          err(r.lines.map((l) => `${l}\n`).join(''));
          return 1;
        }
        out(options.json ? `${JSON.stringify(r.result, null, 2)}\n` : formatRun(r.result));
        return 0;
      }
      case 'compare': {
        const input = loadInput(onePositional(positional, 'compare'));
        const r = compareScenario(input, options);
        if (r.kind === 'errors') {
          err(r.lines.map((l) => `${l}\n`).join(''));
          return 1;
        }
        out(options.json ? `${JSON.stringify({ results: r.results }, null, 2)}\n` : formatCompare(r.results));
        return 0;
      }
      case 'share': {
        const input = loadInput(onePositional(positional, 'share'));
        out(`${shareLink(options.base ?? DEFAULT_BASE, withOptions(input.scenario, options))}\n`);
        return 0;
      }
      case 'open': {
        if (positional.length !== 1) throw new UsageError('open takes one link');
        const d = decodeLink(positional[0]);
        if (!d.ok) throw new InputError(`cannot open the link: ${d.error}`);
        out(`${JSON.stringify(scenarioToJson(d.scenario), null, 2)}\n`);
        if (d.at !== undefined) err(`(the link opens the run at step ${d.at})\n`);
        return 0;
      }
      case 'scenarios': {
        if (positional.length) throw new UsageError('scenarios takes no argument');
        const list = LIBRARY.map((e) => ({
          id: e.id,
          title: e.title,
          technique: (e.scenario.technique as string) ?? 'native',
          topics: e.topics,
        }));
        out(options.json ? `${JSON.stringify(list, null, 2)}\n` : formatScenarios(list));
        return 0;
      }
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`virtlab: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof InputError) {
      err(`virtlab: ${e.message}\n`);
      return 1;
    }
    err(
      `virtlab: internal error: ${(e as Error)?.message ?? String(e)}\n(this is a bug in VirtLab; please report it with the input that caused it)\n`,
    );
    return 1;
  }
}

function onePositional(p: string[], command: string): string {
  if (p.length !== 1) throw new UsageError(`${command} takes one file (a .s program, a .vlab.json scenario or @id)`);
  return p[0];
}

/** Runs the command line as a process: prints, then exits with its status (bin/virtlab.mjs calls this). */
export function runMain(argv: string[]): void {
  // A reader that goes away (`virtlab … | head`) ends the output, not the process with a stack trace.
  process.stdout.on('error', () => process.exit(process.exitCode ?? 0));
  const chunks: string[] = [];
  const code = main(
    argv,
    (s) => chunks.push(s),
    (s) => process.stderr.write(s),
  );
  process.stdout.write(chunks.join(''), () => process.exit(code));
}

// Run directly (`tsx src/cli/main.ts …`); the bundle is started by bin/virtlab.mjs instead.
if (process.argv[1] && /cli[\\/]main\.ts$/.test(process.argv[1])) runMain(process.argv.slice(2));
