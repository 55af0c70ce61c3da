// The harness of the test programs in programs/*.s: each program carries its own expectations in
// comments, the harness reads them, runs the program through the engine (any technique, either ISA
// variant) and lists every difference in words a student can read.
//
// Expectation lines (one per line, anywhere in the file, usually at the top):
//
//   ; expect-console: text          the whole console output, with \n \t \\ \0 \r \" \' \xHH escapes
//                                   (leading and trailing blanks are trimmed: write them as \x20).
//                                   Without this line the console must be empty.
//   ; expect-state: powered-off     or halted, crashed, running (required)
//   ; expect-exit: 0                the exit code (only with powered-off; default 0 then)
//   ; expect-crash: triple-fault    crashReason starts with this (only with crashed)
//   ; expect-reg: R0=42 CPL=3       any CPU fields, decimal, hex or binary; may repeat
//   ; isa: classic strict           the variants the program runs on (default: both)
//   ; max-steps: 500000             the step limit (default 1,000,000)
//
// Any expectation (and max-steps) may be qualified in brackets after the key with ISA variants and/or
// technique ids, e.g. `; expect-console[strict]: …` or `; expect-reg[trap-and-emulate classic]: …`.
// A qualified line applies only where every dimension it names matches, and overrides the less
// specific lines (a technique is more specific than a variant). Unknown `expect-…` keys are errors so
// that a typo cannot silently disable a check; other comments are ignored.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepare, type RunResultJson } from '../src/hypervisor/engine';
import { TECHNIQUE_IDS, type TechniqueId } from '../src/hypervisor/technique';
import { VARIANTS, type Variant } from '../src/isa/table';
import { CPU_FIELDS } from '../src/protocol/views';
import { scenarioFromSource } from '../src/scenario/scenario';
import type { VmState } from '../src/trace/events';

export type Isa = Variant;

export const DEFAULT_MAX_STEPS = 1_000_000;

export { CPU_FIELDS };
export type CpuField = (typeof CPU_FIELDS)[number];

const STATES: readonly VmState[] = ['running', 'halted', 'powered-off', 'crashed'];

/** The expectations of one program on one variant (and technique), every qualifier resolved. */
export interface Expectations {
  /** The variants the program runs on (`; isa:`). */
  readonly isa: readonly Isa[];
  readonly console: string;
  readonly state: VmState;
  /** Only for powered-off: the exit code as a 32-bit value (-1 and 0xFFFFFFFF are the same). */
  readonly exitCode?: number;
  /** Only for crashed: the crash reason must start with this. */
  readonly crash?: string;
  readonly regs: Readonly<Partial<Record<CpuField, number>>>;
  readonly maxSteps: number;
}

export type ParsedExpectations = { ok: true; expectations: Expectations } | { ok: false; errors: string[] };

const EXPECT_KEYS = ['expect-console', 'expect-state', 'expect-exit', 'expect-crash', 'expect-reg'] as const;
type ExpectKey = (typeof EXPECT_KEYS)[number] | 'max-steps';

interface Qualifier {
  readonly variants: readonly Isa[];
  readonly techniques: readonly TechniqueId[];
}

interface Entry {
  readonly key: ExpectKey;
  readonly line: number;
  readonly q: Qualifier;
  readonly value: string;
}

/** `; key[qualifier]: value` in a whole-line comment. */
const LINE = /^\s*;\s*([A-Za-z][A-Za-z0-9_-]*)\s*(?:\[([^\]]*)\])?\s*:(.*)$/;

function specificity(q: Qualifier): number {
  return (q.techniques.length ? 2 : 0) + (q.variants.length ? 1 : 0);
}

function applies(q: Qualifier, isa: Isa, technique: TechniqueId): boolean {
  return (q.variants.length === 0 || q.variants.includes(isa)) && (q.techniques.length === 0 || q.techniques.includes(technique));
}

/** Decodes the escapes of an expect-console value. */
export function unescapeConsole(text: string): { value: string } | { error: string } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = text[i + 1];
    const simple: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '0': '\0', r: '\r', '"': '"', "'": "'" };
    if (e !== undefined && e in simple) {
      out += simple[e];
      i++;
    } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      return { error: `unknown escape '\\${e ?? ''}' (use \\n, \\t, \\\\, \\0, \\r, \\xHH)` };
    }
  }
  return { value: out };
}

/** Parses a number written in decimal (optionally negative), 0x hex or 0b binary, as an unsigned 32-bit value. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  let v: number;
  if (/^-?[0-9]+$/.test(t)) v = Number.parseInt(t, 10);
  else if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = Number.parseInt(t.slice(2), 16);
  else if (/^0[bB][01]+$/.test(t)) v = Number.parseInt(t.slice(2), 2);
  else return undefined;
  if (!Number.isSafeInteger(v) || v > 0xffffffff || v < -0x80000000) return undefined;
  return v >>> 0;
}

/** A readable hex form of a register value. */
export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/**
 * Reads the expectations of `source` for one variant (and technique, by default native). Reports every
 * malformed or unknown expectation line with its line number.
 */
export function parseExpectations(source: string, isa: Isa, technique: TechniqueId = 'native'): ParsedExpectations {
  const errors: string[] = [];
  const entries: Entry[] = [];
  let variants: Isa[] | undefined;
  const lines = source.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const m = LINE.exec(lines[i]);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const qualifierText = m[2];
    const value = m[3].trim();
    const isExpect = key.startsWith('expect-');
    if (!isExpect && key !== 'isa' && key !== 'max-steps') continue; // an ordinary comment
    if (isExpect && !(EXPECT_KEYS as readonly string[]).includes(key)) {
      errors.push(`line ${line}: unknown expectation '${m[1]}' (known: ${EXPECT_KEYS.join(', ')}, isa, max-steps)`);
      continue;
    }
    if (key === 'isa') {
      if (qualifierText !== undefined) errors.push(`line ${line}: 'isa' takes no [qualifier]`);
      const names = value.split(/[\s,]+/).filter(Boolean);
      const bad = names.filter((n) => !(VARIANTS as readonly string[]).includes(n));
      if (names.length === 0 || bad.length) {
        errors.push(`line ${line}: 'isa' lists variants among ${VARIANTS.join(', ')}, not '${value}'`);
      } else if (variants) {
        errors.push(`line ${line}: 'isa' is given twice`);
      } else {
        variants = [...new Set(names as Isa[])];
      }
      continue;
    }
    const q: { variants: Isa[]; techniques: TechniqueId[] } = { variants: [], techniques: [] };
    if (qualifierText !== undefined) {
      const names = qualifierText.split(/[\s,]+/).filter(Boolean);
      if (names.length === 0) errors.push(`line ${line}: empty [qualifier] on '${m[1]}'`);
      for (const n of names) {
        if ((VARIANTS as readonly string[]).includes(n)) q.variants.push(n as Isa);
        else if ((TECHNIQUE_IDS as readonly string[]).includes(n)) q.techniques.push(n as TechniqueId);
        else errors.push(`line ${line}: unknown qualifier '${n}' (an ISA variant or a technique id)`);
      }
    }
    entries.push({ key: key as ExpectKey, line, q, value });
  }

  const isaList: readonly Isa[] = variants ?? VARIANTS;

  /** The entries of `key` that apply here, the most specific ones only (several only for expect-reg). */
  const pick = (key: ExpectKey): Entry[] => {
    const here = entries.filter((e) => e.key === key && applies(e.q, isa, technique));
    if (here.length === 0) return [];
    const best = Math.max(...here.map((e) => specificity(e.q)));
    return here.filter((e) => specificity(e.q) === best);
  };
  const single = (key: ExpectKey): Entry | undefined => {
    const list = pick(key);
    if (list.length > 1)
      errors.push(`line ${list[1].line}: '${key}' is given twice for ${isa}/${technique} (first on line ${list[0].line})`);
    return list[0];
  };

  // Malformed values are errors on every variant, whether or not the line applies here.
  for (const e of entries) {
    if (e.key === 'expect-console') {
      const u = unescapeConsole(e.value);
      if ('error' in u) errors.push(`line ${e.line}: ${u.error}`);
    } else if (e.key === 'expect-state') {
      if (!(STATES as readonly string[]).includes(e.value))
        errors.push(`line ${e.line}: expect-state is one of ${STATES.join(', ')}, not '${e.value}'`);
    } else if (e.key === 'expect-exit' || e.key === 'max-steps') {
      const n = parseNumber(e.value);
      if (n === undefined || (e.key === 'max-steps' && n < 1)) errors.push(`line ${e.line}: ${e.key} needs a number, not '${e.value}'`);
    } else if (e.key === 'expect-crash') {
      if (!e.value) errors.push(`line ${e.line}: expect-crash needs a reason, like triple-fault`);
    } else if (e.key === 'expect-reg') {
      const pairs = e.value.split(/[\s,]+/).filter(Boolean);
      if (pairs.length === 0) errors.push(`line ${e.line}: expect-reg needs FIELD=value pairs, like R0=42`);
      for (const p of pairs) {
        const [name, v, ...rest] = p.split('=');
        const field = name.toUpperCase() === 'SP' ? 'R7' : name.toUpperCase();
        if (rest.length || v === undefined || !(CPU_FIELDS as readonly string[]).includes(field)) {
          errors.push(`line ${e.line}: '${p}' is not FIELD=value with a field among ${CPU_FIELDS.join(' ')} (or SP)`);
        } else if (parseNumber(v) === undefined) {
          errors.push(`line ${e.line}: '${v}' is not a 32-bit number (decimal, 0x hex or 0b binary)`);
        }
      }
    }
  }

  const consoleEntry = single('expect-console');
  const stateEntry = single('expect-state');
  const exitEntry = single('expect-exit');
  const crashEntry = single('expect-crash');
  const stepsEntry = single('max-steps');
  const regs: Partial<Record<CpuField, number>> = {};
  // Less specific expect-reg lines first, so that more specific ones override field by field.
  const regEntries = entries
    .filter((e) => e.key === 'expect-reg' && applies(e.q, isa, technique))
    .sort((a, b) => specificity(a.q) - specificity(b.q) || a.line - b.line);
  for (const e of regEntries) {
    for (const p of e.value.split(/[\s,]+/).filter(Boolean)) {
      const [name, v] = p.split('=');
      const field = (name.toUpperCase() === 'SP' ? 'R7' : name.toUpperCase()) as CpuField;
      const n = v === undefined ? undefined : parseNumber(v);
      if (n !== undefined && (CPU_FIELDS as readonly string[]).includes(field)) regs[field] = n;
    }
  }

  if (!isaList.includes(isa)) errors.push(`the program does not run on ${isa} (its 'isa' line says ${isaList.join(' ')})`);
  if (!stateEntry) errors.push(`no '; expect-state:' line for ${isa}/${technique}`);
  const state = (stateEntry?.value ?? 'powered-off') as VmState;
  if (exitEntry && state !== 'powered-off') errors.push(`line ${exitEntry.line}: expect-exit only goes with expect-state: powered-off`);
  if (crashEntry && state !== 'crashed') errors.push(`line ${crashEntry.line}: expect-crash only goes with expect-state: crashed`);
  if (errors.length) return { ok: false, errors };

  const consoleValue = consoleEntry ? unescapeConsole(consoleEntry.value) : { value: '' };
  return {
    ok: true,
    expectations: {
      isa: isaList,
      console: 'value' in consoleValue ? consoleValue.value : '',
      state,
      exitCode: state === 'powered-off' ? (exitEntry ? parseNumber(exitEntry.value)! : 0) : undefined,
      crash: crashEntry?.value,
      regs,
      maxSteps: stepsEntry ? parseNumber(stepsEntry.value)! : DEFAULT_MAX_STEPS,
    },
  };
}

/** The variants a program runs on (`; isa:`), or both when its expectations do not parse. */
export function programVariants(source: string): readonly Isa[] {
  const p = parseExpectations(source, 'classic');
  if (p.ok) return p.expectations.isa;
  const s = parseExpectations(source, 'strict');
  return s.ok ? s.expectations.isa : VARIANTS;
}

/**
 * Whether the program has expectations written for `technique` on `isa`: an `expect-…[…]` line whose
 * qualifier names the technique and applies on that variant. Such lines pin down exactly what the
 * technique shows, fidelity violations included, so they must hold even where violations are recorded.
 */
export function hasTechniqueExpectations(source: string, technique: TechniqueId, isa: Isa): boolean {
  for (const line of source.split(/\r\n|\r|\n/)) {
    const m = LINE.exec(line);
    if (!m || m[2] === undefined || !m[1].toLowerCase().startsWith('expect-')) continue;
    const names = m[2].split(/[\s,]+/).filter(Boolean);
    const variants = names.filter((n) => (VARIANTS as readonly string[]).includes(n));
    if (names.includes(technique) && (variants.length === 0 || variants.includes(isa))) return true;
  }
  return false;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** Absolute paths of programs/*.s, sorted by name. */
export function programFiles(): string[] {
  return readdirSync(HERE)
    .filter((f) => f.endsWith('.s'))
    .sort()
    .map((f) => join(HERE, f));
}

export interface Program {
  readonly file: string;
  /** The file name, e.g. `hello.s`. */
  readonly name: string;
  readonly source: string;
  /** The ISA variants it runs on. */
  readonly variants: readonly Isa[];
}

/** Every program with its source and variants, sorted by name: loop over these × techniques. */
export function loadPrograms(): Program[] {
  return programFiles().map((file) => {
    const source = readFileSync(file, 'utf8');
    return { file, name: basename(file), source, variants: programVariants(source) };
  });
}

/** Shows a string with its control characters escaped, for messages. */
export function showText(s: string): string {
  return JSON.stringify(s);
}

export interface CheckOptions {
  readonly preset?: '2006' | 'modern';
  readonly paging?: 'auto' | 'shadow' | 'nested';
  /** Receives the whole run result (fidelity violations, counters) besides the mismatches. */
  readonly onResult?: (result: RunResultJson) => void;
}

/**
 * Runs a program under `technique` on `isa` and lists every way its run differs from the expectations
 * in its comments (empty when it passes). Never throws for a bad program: that is a mismatch too.
 */
export function checkProgram(source: string, technique: TechniqueId, isa: Isa, options: CheckOptions = {}): string[] {
  const parsed = parseExpectations(source, isa, technique);
  if (!parsed.ok) return parsed.errors.map((e) => `expectations: ${e}`);
  const x = parsed.expectations;
  const p = prepare(scenarioFromSource(source), { technique, isa, maxSteps: x.maxSteps, preset: options.preset, paging: options.paging });
  if (p.kind === 'assembly-errors') {
    return p.errors.flatMap((e) => e.diagnostics.map((d) => `assembly: line ${d.line}:${d.startColumn}: ${d.severity}: ${d.message}`));
  }
  if (p.kind === 'refused') return [`the ${p.technique} technique refused the program: ${p.reason}`];
  if (p.kind === 'invalid') return p.errors.map((e) => `invalid scenario: ${e}`);

  const stop = p.engine.runToEnd();
  const result = p.engine.result();
  options.onResult?.(result);
  const vm = result.vms[0];
  const out: string[] = [];
  if (stop === 'error') out.push(`the engine failed: ${p.engine.internalError ?? 'unknown error'}`);
  if (stop === 'step-limit' && x.state !== 'running') {
    out.push(`did not stop within ${x.maxSteps} steps (state ${vm?.state}, PC ${hex(vm?.cpu.PC ?? 0)})`);
  }
  if (!vm) return [...out, 'the run has no VM'];
  if (vm.state !== x.state) {
    const why =
      vm.state === 'crashed' ? ` (${vm.crashReason ?? 'no reason'})` : vm.state === 'powered-off' ? ` (exit code ${vm.exitCode})` : '';
    out.push(`state: expected ${x.state}, got ${vm.state}${why} at PC ${hex(vm.cpu.PC)}`);
  }
  if (x.state === 'powered-off' && vm.state === 'powered-off' && (vm.exitCode === null || vm.exitCode >>> 0 !== x.exitCode)) {
    out.push(`exit code: expected ${x.exitCode}, got ${vm.exitCode}`);
  }
  if (x.crash !== undefined && vm.state === 'crashed' && !(vm.crashReason ?? '').startsWith(x.crash)) {
    out.push(`crash reason: expected it to start with ${showText(x.crash)}, got ${showText(vm.crashReason ?? '')}`);
  }
  if (vm.console !== x.console) out.push(`console: expected ${showText(x.console)}, got ${showText(vm.console)}`);
  for (const field of CPU_FIELDS) {
    const want = x.regs[field];
    if (want === undefined) continue;
    const got = vm.cpu[field] >>> 0;
    if (got !== want) out.push(`${field}: expected ${hex(want)} (${want}), got ${hex(got)} (${got})`);
  }
  return out;
}
