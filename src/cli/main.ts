// The `virtlab` command line of interfaces.md. Exit status: 0 the run happened (whatever the guest
// did), 1 the input is wrong, 2 a usage error. No stack trace for anything a user can type.

import { PRESETS_IDS, type PresetId } from '../hypervisor/costs';
import { TECHNIQUE_IDS, type TechniqueId } from '../hypervisor/technique';
import { analyze } from '../isa/analysis';
import { VARIANTS, type Variant } from '../isa/table';
import { compareVerdicts } from '../scenario/compare-verdict';
import { LIBRARY } from '../scenario/library';
import { decodeLink, MAX_LINK_CHARS, shareLink } from '../scenario/link';
import { scenarioToJson } from '../scenario/scenario';
import { SYSTEMS, systemById } from '../scenario/systems';
import { checkScenario } from './check';
import { type CompareEntry, compareScenario, DEFAULT_TRACE_LIMIT, loadInput, MAX_TRACE_LIMIT, runScenario, withOptions } from './commands';
import { InputError, kib, MAX_PROGRAM_BYTES, MAX_SCENARIO_BYTES, UsageError } from './errors';
import { printable, printableField, safeJson } from './escape';
import { formatAnalysis, formatCheck, formatCompare, formatRun, formatScenarios, formatSystems, traceNotice } from './format';
import {
  type CommandOutcome,
  checkpointCommand,
  MIGRATE_MODES,
  type MigrateMode,
  migrateCommand,
  resumeCommand,
  runPlanned,
} from './migration-commands';

export interface Options {
  technique?: TechniqueId;
  isa?: Variant;
  preset?: PresetId;
  paging?: 'auto' | 'shadow' | 'nested';
  vendor?: 'intel' | 'amd';
  maxSteps?: number;
  trace: boolean;
  /** Events kept per run by --trace (the first ones); past them the run goes on untraced. */
  traceLimit?: number;
  json: boolean;
  base?: string;
  /** The hypervisor type --system sets (1 or 2). */
  hypervisorType?: 1 | 2;
  /** --system ID: a real product of `virtlab systems` (its technique, type and preset; other options win). */
  system?: string;
  /** checkpoint, migrate: the step (guest instructions); checkpoint: the VM and the output file. */
  at?: number;
  vm?: number;
  out?: string;
  /** migrate: the method, and the link's pages per 1,000 host cycles. */
  mode?: MigrateMode;
  bandwidth?: number;
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
  check <file|@id>     run the scenario's lookFor steps and say which are seen (exit 1 if one is not)
  systems              the real products VirtLab stands in for (--json)
  checkpoint <file|@id> --at N [--vm I] [--out F]
                       run to step N and write VM I's checkpoint (JSON, memory in base64, versioned)
  resume <checkpoint>  restore a checkpoint file and run on from it (prints what run prints)
  migrate <file|@id> [--mode pre-copy|post-copy|stop-and-copy|all] [--at N] [--bandwidth P]
                       live-migrate the first VM from host A to host B at step N (P pages per 1,000 cycles)

  wherever a file is expected, @id names a built-in scenario (run @popf-problem)

options:
  --technique ID       ${TECHNIQUE_IDS.join(' | ')}
  --isa classic|strict
  --preset 2006|modern
  --paging auto|shadow|nested
  --vendor intel|amd   hardware assistance: Intel VT-x (default) or AMD-V
  --system ID          run as a real product had it (virtlab systems lists them)
  --max-steps N
  --trace              include events (instruction events too) in the output: the first
                       ${DEFAULT_TRACE_LIMIT.toLocaleString('en-US')} of each run; past them the run goes on untraced
                       ("trace" in the JSON says how many were kept and where the rest began)
  --trace-limit N      keep the first N events instead (1 to ${MAX_TRACE_LIMIT.toLocaleString('en-US')}); implies --trace
  --json               print JSON instead of a summary

limits: a program file is at most ${kib(MAX_PROGRAM_BYTES)}, a scenario file at most ${kib(MAX_SCENARIO_BYTES)}
(regular files only); a share link at most 64 KiB.
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
    if (!(allowed as readonly string[]).includes(v)) {
      throw new UsageError(`${name} must be one of ${allowed.join(', ')}, not '${printableField(v.slice(0, 80))}'`);
    }
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
      case '--vendor':
        options.vendor = pick(value(i, arg), ['intel', 'amd'] as const, arg);
        i++;
        break;
      case '--paging':
        options.paging = pick(value(i, arg), ['auto', 'shadow', 'nested'] as const, arg);
        i++;
        break;
      case '--max-steps': {
        const v = value(i, arg);
        // As before: Number() of it (1e6 and 0x10 stay accepted), now with the scenario's upper bound.
        const n = Number(v.replace(/_/g, ''));
        if (!Number.isInteger(n) || n < 1 || n > 1e12) {
          throw new UsageError(`--max-steps must be a whole number from 1 to 1,000,000,000,000, not '${printableField(v.slice(0, 40))}'`);
        }
        options.maxSteps = n;
        i++;
        break;
      }
      case '--trace-limit': {
        const v = value(i, arg);
        const n = wholeNumber(v);
        if (n === undefined || n < 1 || n > MAX_TRACE_LIMIT) {
          throw new UsageError(
            `--trace-limit must be a whole number from 1 to ${MAX_TRACE_LIMIT.toLocaleString('en-US')}, not '${printableField(v.slice(0, 40))}'`,
          );
        }
        options.traceLimit = n;
        options.trace = true;
        i++;
        break;
      }
      case '--system': {
        const v = value(i, arg);
        const sys = systemById(v);
        if (!sys) {
          const known = SYSTEMS.find((x) => x.id === v);
          throw new UsageError(
            known
              ? `--system ${known.id}: ${known.name} is not a virtual machine (${known.simplifies})`
              : `--system must be one of ${SYSTEMS.filter((x) => x.technique)
                  .map((x) => x.id)
                  .join(', ')}, not '${printableField(v.slice(0, 80))}'`,
          );
        }
        options.system = sys.id;
        i++;
        break;
      }
      case '--base':
        options.base = value(i, arg);
        i++;
        break;
      case '--at':
      case '--vm': {
        const v = value(i, arg);
        const n = wholeNumber(v);
        if (n === undefined || (arg === '--vm' && n > 7))
          throw new UsageError(
            `${arg} must be a whole number${arg === '--vm' ? ' from 0 to 7' : ''}, not '${printableField(v.slice(0, 40))}'`,
          );
        if (arg === '--at') options.at = n;
        else options.vm = n;
        i++;
        break;
      }
      case '--out':
        options.out = value(i, arg);
        i++;
        break;
      case '--mode':
        options.mode = pick(value(i, arg), MIGRATE_MODES, arg);
        i++;
        break;
      case '--bandwidth': {
        const v = value(i, arg);
        const n = Number(v);
        if (!/^[0-9.]+$/.test(v) || !Number.isFinite(n) || n < 0.001 || n > 1000)
          throw new UsageError(
            `--bandwidth must be pages per 1,000 host cycles, from 0.001 to 1000, not '${printableField(v.slice(0, 40))}'`,
          );
        options.bandwidth = n;
        i++;
        break;
      }
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
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${printableField(arg.slice(0, 80))}'`);
        positional.push(arg);
    }
  }
  const command = positional.shift() ?? 'help';
  return { command, positional, options };
}

/** Digits only (an underscore may group them: 1_000_000): not 0x10, 1e6, ' 5' or 5.0. */
function wholeNumber(v: string): number | undefined {
  if (!/^[0-9]+(_[0-9]+)*$/.test(v)) return undefined;
  const n = Number(v.replace(/_/g, ''));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** On stderr, for each run whose trace was cut at its limit. */
function traceWarnings(results: readonly CompareEntry[]): string {
  return results
    .filter((r) => 'trace' in r && r.trace?.truncated)
    .map((r) => `virtlab: ${traceNotice(r as Parameters<typeof traceNotice>[0])}\n`)
    .join('');
}

export function main(argv: string[], rawOut: (s: string) => void, rawErr: (s: string) => void): number {
  // Whatever is printed may carry untrusted text (names, titles, paths, guest output): no control
  // character reaches the terminal raw. JSON goes through safeJson, which escapes the same characters.
  const out = (s: string) => rawOut(printable(s));
  const err = (s: string) => rawErr(printable(s));
  /** JSON, already escaped by safeJson (a second pass over a long trace would only cost memory). */
  const outJson = (value: unknown) => rawOut(safeJson(value));
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
  if (options.system) {
    // The product's settings, under any explicit option (interfaces.md: explicit fields win).
    const sys = systemById(options.system);
    if (sys?.technique) {
      options.technique ??= sys.technique;
      options.preset ??= sys.preset;
      if (sys.isa) options.isa ??= sys.isa;
      options.hypervisorType = sys.type ?? undefined;
    }
  }
  try {
    switch (command) {
      case 'help':
        out(USAGE);
        return 0;
      case 'analyze': {
        if (positional.length) throw new UsageError('analyze takes no file');
        const a = analyze(options.isa ?? 'classic');
        if (options.json) outJson(a);
        else out(formatAnalysis(a));
        return 0;
      }
      case 'run': {
        const input = loadInput(onePositional(positional, 'run'));
        const planned = runPlanned(input, options, formatRun);
        if (planned) return finishCommand(planned, options, out, err, outJson);
        const r = runScenario(input, options);
        if (r.kind === 'errors') {
          err(r.lines.map((l) => `${l}\n`).join(''));
          return 1;
        }
        if (options.json) outJson(r.result);
        else out(formatRun(r.result));
        const warn = traceWarnings([r.result]);
        if (warn) err(warn);
        return 0;
      }
      case 'compare': {
        const input = loadInput(onePositional(positional, 'compare'));
        const r = compareScenario(input, options);
        if (r.kind === 'errors') {
          err(r.lines.map((l) => `${l}\n`).join(''));
          return 1;
        }
        if (options.json) {
          // Printed one result at a time (the text JSON.stringify would give for the whole), so that
          // six traces never have to fit in one string.
          const head = '{\n  "results": [\n';
          const tail = '\n  ]\n}\n';
          rawOut(head.slice(0, -1));
          const { verdicts } = compareVerdicts(r.results);
          r.results.forEach((x, i) => {
            // Each one as it stands inside the whole (indented by JSON.stringify itself), cut out of it.
            const one = safeJson({ results: [{ ...x, verdict: verdicts[i] }] });
            rawOut(`${i ? ',' : ''}\n${one.slice(head.length, one.length - tail.length)}`);
          });
          rawOut(r.results.length ? tail : ']\n}\n');
        } else out(formatCompare(r.results));
        const warn = traceWarnings(r.results);
        if (warn) err(warn);
        return 0;
      }
      case 'checkpoint': {
        const input = loadInput(onePositional(positional, 'checkpoint'));
        if (options.at === undefined) throw new UsageError('checkpoint needs --at N (the step to take it at)');
        const r = checkpointCommand(input, options);
        // The checkpoint itself is JSON: printed as it is when no --out file is given.
        if (r.kind === 'ok' && !options.out) {
          outJson(r.json);
          return 0;
        }
        return finishCommand(r, options, out, err, outJson);
      }
      case 'resume':
        return finishCommand(resumeCommand(onePositional(positional, 'resume'), options, formatRun), options, out, err, outJson);
      case 'migrate': {
        const input = loadInput(onePositional(positional, 'migrate'));
        return finishCommand(migrateCommand(input, options, formatRun), options, out, err, outJson);
      }
      case 'share': {
        const input = loadInput(onePositional(positional, 'share'));
        const link = shareLink(options.base ?? DEFAULT_BASE, withOptions(input.scenario, options));
        if (link.length > MAX_LINK_CHARS) {
          throw new InputError(
            `${input.label} is too big to share: its link would be ${link.length.toLocaleString('en-US')} characters, and links are capped at ${MAX_LINK_CHARS.toLocaleString('en-US')} (no VirtLab would open it); shorten its sources`,
          );
        }
        out(`${link}\n`);
        return 0;
      }
      case 'open': {
        if (positional.length !== 1) throw new UsageError('open takes one link');
        const d = decodeLink(positional[0]);
        if (!d.ok) throw new InputError(`cannot open the link: ${printableField(d.error)}`);
        outJson(scenarioToJson(d.scenario));
        if (d.at !== undefined) err(`(the link opens the run at step ${d.at})\n`);
        return 0;
      }
      case 'check': {
        const input = loadInput(onePositional(positional, 'check'));
        const report = checkScenario(input.label, withOptions(input.scenario, options));
        if (options.json) outJson(report);
        else out(formatCheck(report));
        return report.passed ? 0 : 1;
      }
      case 'systems': {
        if (positional.length) throw new UsageError('systems takes no argument');
        if (options.json) outJson(SYSTEMS);
        else out(formatSystems(SYSTEMS));
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
        if (options.json) outJson(list);
        else out(formatScenarios(list));
        return 0;
      }
      default:
        throw new UsageError(`unknown command '${printableField(command.slice(0, 80))}'`);
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
      `virtlab: internal error: ${String((e as Error)?.message ?? e).slice(0, 500)}\n(this is a bug in VirtLab; please report it with the input that caused it)\n`,
    );
    return 1;
  }
}

/** Prints a checkpoint, resume or migrate outcome: its errors (status 1), or its JSON or text (status 0). */
function finishCommand(
  r: CommandOutcome,
  options: Options,
  out: (s: string) => void,
  err: (s: string) => void,
  outJson: (v: unknown) => void,
): number {
  if (r.kind === 'errors') {
    err(r.lines.map((l) => `${l}\n`).join(''));
    return 1;
  }
  if (options.json) outJson(r.json);
  else out(r.text);
  return 0;
}

function onePositional(p: string[], command: string): string {
  if (p.length !== 1) throw new UsageError(`${command} takes one file (a .s program, a .vlab.json scenario or @id)`);
  return p[0];
}

/** Runs the command line as a process: prints, then exits with its status (bin/virtlab.mjs calls this). */
export function runMain(argv: string[]): void {
  // A reader that goes away (`virtlab … | head`) ends the output, not the process with a stack trace.
  process.stdout.on('error', () => process.exit(process.exitCode ?? 0));
  process.stderr.on('error', () => {});
  // Written as it comes (synchronous for files, pipes and terminals on Linux and macOS), so that a long
  // trace is never held twice; the exit waits for the last piece.
  const code = main(
    argv,
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
  process.stdout.write('', () => process.exit(code));
}

// Run directly, through a TypeScript loader (`node --import tsx src/cli/main.ts …`); bin/virtlab.mjs starts the bundle.
if (process.argv[1] && /cli[\\/]main\.ts$/.test(process.argv[1])) runMain(process.argv.slice(2));
