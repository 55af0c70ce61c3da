// The "what to look for" steps of a scenario (`lookFor`, interfaces.md) and their checks: declarative
// data over a run (events in order with field patterns, counters, console, state), never code. This
// module validates them and evaluates them over a run already made; running the scenario under each
// step's settings is the caller's (src/cli/check.ts), so that the page may import this too.
// The language is documented in docs/checks.md.

import { PAGING_SETTINGS, PRESET_IDS, TECHNIQUE_IDS, type TechniqueId, VENDORS } from '../config';
import { VARIANTS } from '../isa/table';

/** A field pattern: a literal (equal), or one of the matchers below. */
export type ValuePattern =
  | string
  | number
  | boolean
  | null
  | { contains: string }
  | { oneOf: readonly (string | number | boolean)[] }
  | { min?: number; max?: number }
  | { some: EventPattern }
  | { not: ValuePattern }
  | { absent: true };

/** An event pattern: every field named must match (fields not named are not looked at). */
export type EventPattern = { readonly [field: string]: ValuePattern };

export type Check =
  | { event: EventPattern }
  | { events: readonly EventPattern[] }
  | { first: EventPattern; is: EventPattern }
  | { none: EventPattern; after?: EventPattern }
  | { count: EventPattern; min?: number; max?: number }
  | { counter: string; vm?: number; min?: number; max?: number }
  | { console: ValuePattern; vm?: number }
  | { state: string; vm?: number; exitCode?: number }
  | { cpu: Readonly<Record<string, ValuePattern>>; vm?: number }
  | { stop: string }
  | { bareMetal: 'same' | 'different'; vm?: number }
  | { largestCategory: string }
  | { cheaper: readonly (TechniqueId | StepSettings)[] }
  | { all: readonly Check[] }
  | { any: readonly Check[] };

/** The settings a step runs under: overrides of the scenario's own. */
export interface StepSettings {
  technique?: TechniqueId;
  isa?: (typeof VARIANTS)[number];
  preset?: (typeof PRESET_IDS)[number];
  paging?: (typeof PAGING_SETTINGS)[number];
  vendor?: (typeof VENDORS)[number];
  type?: 1 | 2;
  timeSlice?: number;
  exits?: { hlt?: boolean; io?: boolean; cr3?: boolean; invlpg?: boolean; exceptions?: number[] };
}

export interface LookForStep {
  readonly text: string;
  readonly check?: Check;
  readonly settings?: StepSettings;
}

export const MAX_STEPS_PER_SCENARIO = 32;
export const MAX_CHECK_DEPTH = 8;
export const MAX_CHECK_NODES = 200;
export const MAX_STEP_TEXT = 2000;

const CHECK_KEYS = [
  'event',
  'events',
  'first',
  'none',
  'count',
  'counter',
  'console',
  'state',
  'cpu',
  'stop',
  'bareMetal',
  'largestCategory',
  'cheaper',
  'all',
  'any',
] as const;

const VM_STATES = ['running', 'halted', 'powered-off', 'crashed'];
const STOPS = ['all-stopped', 'step-limit', 'breakpoint', 'error'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shortKey(k: string): string {
  const s = k.length > 40 ? `${k.slice(0, 40)}…` : k;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a key must not break the message into fake lines
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Validates `lookFor`: each problem names its path (`lookFor[2].check.events[1].kind`) and what was expected. */
export function validateLookFor(raw: unknown, errors: string[]): LookForStep[] {
  const steps: LookForStep[] = [];
  if (!Array.isArray(raw)) {
    errors.push('lookFor: expected a list of steps, each { "text": "…", "check": {…}, "settings": {…} }');
    return steps;
  }
  if (raw.length > MAX_STEPS_PER_SCENARIO) {
    errors.push(`lookFor: at most ${MAX_STEPS_PER_SCENARIO} steps, not ${raw.length}`);
    return steps;
  }
  raw.forEach((s, i) => {
    const path = `lookFor[${i}]`;
    if (!isObject(s)) {
      errors.push(`${path}: expected an object { "text": "…", "check": {…} }`);
      return;
    }
    const text = s.text;
    if (typeof text !== 'string' || text.length === 0) errors.push(`${path}.text: required, the step as Markdown`);
    else if (text.length > MAX_STEP_TEXT) errors.push(`${path}.text: longer than ${MAX_STEP_TEXT} characters`);
    for (const k of Object.keys(s)) {
      if (k !== 'text' && k !== 'check' && k !== 'settings')
        errors.push(`${path}.${shortKey(k)}: unknown field (a step has text, check, settings)`);
    }
    const before = errors.length;
    const budget = { nodes: 0 };
    if (s.check !== undefined) checkCheck(s.check, `${path}.check`, 1, budget, errors);
    if (budget.nodes > MAX_CHECK_NODES) errors.push(`${path}.check: more than ${MAX_CHECK_NODES} parts; split the step`);
    if (s.settings !== undefined) checkSettings(s.settings, `${path}.settings`, errors);
    if (errors.length === before && typeof text === 'string') {
      steps.push({
        text,
        ...(s.check !== undefined ? { check: s.check as Check } : {}),
        ...(s.settings !== undefined ? { settings: s.settings as StepSettings } : {}),
      });
    }
  });
  return steps;
}

function checkSettings(v: unknown, path: string, errors: string[]): void {
  if (!isObject(v)) {
    errors.push(`${path}: expected an object of overrides (technique, isa, preset, paging, vendor, type, timeSlice, exits)`);
    return;
  }
  const oneOf = (k: string, allowed: readonly string[]) => {
    if (v[k] !== undefined && !allowed.includes(v[k] as string)) {
      errors.push(`${path}.${k}: expected one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    }
  };
  oneOf('technique', TECHNIQUE_IDS);
  oneOf('isa', VARIANTS);
  oneOf('preset', PRESET_IDS);
  oneOf('paging', PAGING_SETTINGS);
  oneOf('vendor', VENDORS);
  if (v.type !== undefined && v.type !== 1 && v.type !== 2) errors.push(`${path}.type: expected 1 or 2`);
  const ts = v.timeSlice;
  if (ts !== undefined && (typeof ts !== 'number' || !Number.isInteger(ts) || ts < 1 || ts > 10_000_000)) {
    errors.push(`${path}.timeSlice: expected a whole number from 1 to 10,000,000`);
  }
  if (v.exits !== undefined) {
    if (!isObject(v.exits)) errors.push(`${path}.exits: expected an object`);
    else {
      for (const [k, x] of Object.entries(v.exits)) {
        if (['hlt', 'io', 'cr3', 'invlpg'].includes(k)) {
          if (typeof x !== 'boolean') errors.push(`${path}.exits.${k}: expected true or false`);
        } else if (k === 'exceptions') {
          if (!Array.isArray(x) || x.length > 32 || !x.every((n) => Number.isInteger(n) && n >= 0 && n <= 31)) {
            errors.push(`${path}.exits.exceptions: expected a list of exception vectors from 0 to 31`);
          }
        } else errors.push(`${path}.exits.${shortKey(k)}: unknown exit control (hlt, io, cr3, invlpg, exceptions)`);
      }
    }
  }
  for (const k of Object.keys(v)) {
    if (!['technique', 'isa', 'preset', 'paging', 'vendor', 'type', 'timeSlice', 'exits'].includes(k)) {
      errors.push(`${path}.${shortKey(k)}: unknown setting (technique, isa, preset, paging, vendor, type, timeSlice, exits)`);
    }
  }
}

function wholeOpt(o: Record<string, unknown>, k: string, path: string, errors: string[]): void {
  const v = o[k];
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) errors.push(`${path}.${k}: expected a whole number ≥ 0`);
}

function checkCheck(v: unknown, path: string, depth: number, budget: { nodes: number }, errors: string[]): void {
  budget.nodes++;
  if (budget.nodes > MAX_CHECK_NODES) return;
  if (depth > MAX_CHECK_DEPTH) {
    errors.push(`${path}: nested more than ${MAX_CHECK_DEPTH} levels deep`);
    return;
  }
  if (!isObject(v)) {
    errors.push(`${path}: expected a check object with one of ${CHECK_KEYS.map((k) => `"${k}"`).join(', ')}`);
    return;
  }
  const kind = CHECK_KEYS.filter((k) => k in v);
  if (kind.length !== 1) {
    errors.push(
      kind.length === 0
        ? `${path}: expected one of ${CHECK_KEYS.map((k) => `"${k}"`).join(', ')}`
        : `${path}: one kind of check per object, not ${kind.map((k) => `"${k}"`).join(' and ')} (use "all")`,
    );
    return;
  }
  const k = kind[0];
  const allowed: Record<string, string[]> = {
    first: ['first', 'is'],
    none: ['none', 'after'],
    count: ['count', 'min', 'max'],
    counter: ['counter', 'vm', 'min', 'max'],
    console: ['console', 'vm'],
    state: ['state', 'vm', 'exitCode'],
    cpu: ['cpu', 'vm'],
    bareMetal: ['bareMetal', 'vm'],
  };
  for (const f of Object.keys(v)) {
    if (!(allowed[k] ?? [k]).includes(f))
      errors.push(`${path}.${shortKey(f)}: not a field of a "${k}" check (${(allowed[k] ?? [k]).join(', ')})`);
  }
  if ('vm' in v) wholeOpt(v, 'vm', path, errors);
  const pat = (x: unknown, p: string) => checkEventPattern(x, p, depth + 1, budget, errors);
  switch (k) {
    case 'event':
      pat(v[k], `${path}.${k}`);
      break;
    case 'none':
      pat(v.none, `${path}.none`);
      if (v.after !== undefined) pat(v.after, `${path}.after`);
      break;
    case 'events': {
      const list = v.events;
      if (!Array.isArray(list) || list.length === 0) errors.push(`${path}.events: expected a list of event patterns, in order`);
      else
        list.forEach((x, i) => {
          pat(x, `${path}.events[${i}]`);
        });
      break;
    }
    case 'first':
      pat(v.first, `${path}.first`);
      if (v.is === undefined) errors.push(`${path}.is: required, the pattern the first matching event must also match`);
      else pat(v.is, `${path}.is`);
      break;
    case 'count':
      pat(v.count, `${path}.count`);
      wholeOpt(v, 'min', path, errors);
      wholeOpt(v, 'max', path, errors);
      break;
    case 'counter':
      if (typeof v.counter !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)?$/.test(v.counter)) {
        errors.push(`${path}.counter: expected a counter name (instructions, traps, vmExitsByReason.IO_INSTRUCTION, …)`);
      }
      wholeOpt(v, 'min', path, errors);
      wholeOpt(v, 'max', path, errors);
      break;
    case 'console':
      checkValuePattern(v.console, `${path}.console`, depth + 1, budget, errors);
      break;
    case 'state':
      if (!VM_STATES.includes(v.state as string))
        errors.push(`${path}.state: expected one of ${VM_STATES.map((s) => `"${s}"`).join(', ')}`);
      if (v.exitCode !== undefined && !Number.isInteger(v.exitCode)) errors.push(`${path}.exitCode: expected a whole number`);
      break;
    case 'cpu':
      if (!isObject(v.cpu) || Object.keys(v.cpu).length === 0) errors.push(`${path}.cpu: expected an object of registers and patterns`);
      else for (const [r, x] of Object.entries(v.cpu)) checkValuePattern(x, `${path}.cpu.${shortKey(r)}`, depth + 1, budget, errors);
      break;
    case 'stop':
      if (!STOPS.includes(v.stop as string)) errors.push(`${path}.stop: expected one of ${STOPS.map((s) => `"${s}"`).join(', ')}`);
      break;
    case 'bareMetal':
      if (v.bareMetal !== 'same' && v.bareMetal !== 'different') errors.push(`${path}.bareMetal: expected "same" or "different"`);
      break;
    case 'largestCategory':
      if (typeof v.largestCategory !== 'string' || v.largestCategory.length > 40)
        errors.push(`${path}.largestCategory: expected a cost category name`);
      break;
    case 'cheaper': {
      const list = v.cheaper;
      if (!Array.isArray(list) || list.length < 2 || list.length > 8) {
        errors.push(
          `${path}.cheaper: expected a list of 2 to 8 runs, cheapest first: technique ids (${TECHNIQUE_IDS.join(', ')}) or settings objects`,
        );
      } else {
        list.forEach((t, i) => {
          if (typeof t === 'string') {
            if (!TECHNIQUE_IDS.includes(t as TechniqueId))
              errors.push(`${path}.cheaper[${i}]: expected one of ${TECHNIQUE_IDS.join(', ')}`);
          } else checkSettings(t, `${path}.cheaper[${i}]`, errors);
        });
      }
      break;
    }
    case 'all':
    case 'any': {
      const list = v[k];
      if (!Array.isArray(list) || list.length === 0) errors.push(`${path}.${k}: expected a list of checks`);
      else
        list.forEach((x, i) => {
          checkCheck(x, `${path}.${k}[${i}]`, depth + 1, budget, errors);
        });
      break;
    }
  }
}

function checkEventPattern(v: unknown, path: string, depth: number, budget: { nodes: number }, errors: string[]): void {
  budget.nodes++;
  if (depth > MAX_CHECK_DEPTH) {
    errors.push(`${path}: nested more than ${MAX_CHECK_DEPTH} levels deep`);
    return;
  }
  if (!isObject(v)) {
    errors.push(`${path}: expected an event pattern, an object such as { "kind": "trap", "instruction": { "contains": "LIDT" } }`);
    return;
  }
  for (const [f, x] of Object.entries(v)) checkValuePattern(x, `${path}.${shortKey(f)}`, depth + 1, budget, errors);
}

function checkValuePattern(v: unknown, path: string, depth: number, budget: { nodes: number }, errors: string[]): void {
  budget.nodes++;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) errors.push(`${path}: expected a finite number`);
    return;
  }
  const expected = `${path}: expected a value, or one of { "contains": "…" }, { "oneOf": […] }, { "min": n, "max": n }, { "some": {…} }, { "not": … }, { "absent": true }`;
  if (!isObject(v)) {
    errors.push(expected);
    return;
  }
  const keys = Object.keys(v);
  if ('contains' in v) {
    if (keys.length !== 1 || typeof v.contains !== 'string' || v.contains.length > 200)
      errors.push(`${path}.contains: expected a string (alone)`);
  } else if ('oneOf' in v) {
    if (
      keys.length !== 1 ||
      !Array.isArray(v.oneOf) ||
      v.oneOf.length === 0 ||
      v.oneOf.length > 32 ||
      !v.oneOf.every((x) => ['string', 'number', 'boolean'].includes(typeof x))
    ) {
      errors.push(`${path}.oneOf: expected a list of 1 to 32 strings, numbers or booleans (alone)`);
    }
  } else if ('some' in v) {
    if (keys.length !== 1) errors.push(`${path}: "some" stands alone`);
    checkEventPattern(v.some, `${path}.some`, depth + 1, budget, errors);
  } else if ('not' in v) {
    if (keys.length !== 1) errors.push(`${path}: "not" stands alone`);
    if (depth > MAX_CHECK_DEPTH) errors.push(`${path}.not: nested more than ${MAX_CHECK_DEPTH} levels deep`);
    else checkValuePattern(v.not, `${path}.not`, depth + 1, budget, errors);
  } else if ('absent' in v) {
    if (keys.length !== 1 || v.absent !== true) errors.push(`${path}.absent: expected true (alone)`);
  } else if ('min' in v || 'max' in v) {
    for (const k of keys) {
      if (k !== 'min' && k !== 'max') errors.push(`${path}.${shortKey(k)}: a range has only min and max`);
      else if (typeof v[k] !== 'number' || !Number.isFinite(v[k])) errors.push(`${path}.${k}: expected a number`);
    }
  } else errors.push(expected);
}

// ---------------------------------------------------------------------------------------------------
// Evaluation, over a run already made (the shape of `run --json`, with its events).

export interface RunEvent {
  readonly kind: string;
  readonly step?: number;
  readonly [field: string]: unknown;
}

export interface CheckRun {
  readonly technique: string;
  readonly stop: { readonly reason: string };
  readonly vms: readonly {
    readonly state: string;
    readonly exitCode: number | null;
    readonly console: string;
    readonly cpu: Readonly<Record<string, number>>;
    readonly counters: Readonly<Record<string, unknown>>;
  }[];
  readonly counters: Readonly<Record<string, unknown>>;
  readonly cycles: { readonly total: number; readonly byCategory: Readonly<Record<string, number>> };
  readonly events: readonly RunEvent[];
}

/** Gives the run of the step's scenario under another technique (bare metal, or the ones `cheaper` names). */
export type RunUnder = (settings: StepSettings) => CheckRun | { skipped: string };

export interface CheckOutcome {
  readonly seen: boolean;
  /** The step (guest instructions retired) at which it was first seen; the end of the run for whole-run checks. */
  readonly step: number | null;
  /**
   * The event it was seen at (the run's own object, from `run.events`), when the check matched one: where
   * the page's "Show me" moves the run. Whole-run checks (counters, console, …) have none.
   */
  readonly event?: RunEvent;
  /** Why not, when not seen (for the lecturer who wrote it). */
  readonly why?: string;
}

function endStep(run: CheckRun): number {
  return Number(run.counters.instructions ?? 0);
}

export function matchValue(p: ValuePattern, v: unknown): boolean {
  if (p === null || typeof p !== 'object') return v === p;
  if ('contains' in p) return typeof v === 'string' && v.includes(p.contains);
  if ('oneOf' in p) return (p.oneOf as unknown[]).includes(v);
  if ('some' in p) return Array.isArray(v) && v.some((x) => typeof x === 'object' && x !== null && matchEvent(p.some, x as RunEvent));
  if ('absent' in p) return v === undefined;
  if ('not' in p) return !matchValue(p.not, v);
  if (typeof v !== 'number') return false;
  const r = p as { min?: number; max?: number };
  return (r.min === undefined || v >= r.min) && (r.max === undefined || v <= r.max);
}

export function matchEvent(p: EventPattern, e: RunEvent | Record<string, unknown>): boolean {
  for (const [f, x] of Object.entries(p)) if (!matchValue(x, (e as Record<string, unknown>)[f])) return false;
  return true;
}

function counterValue(counters: Readonly<Record<string, unknown>>, name: string): number {
  const [a, b] = name.split('.');
  const v = counters[a];
  if (b === undefined) return typeof v === 'number' ? v : 0;
  const sub = v && typeof v === 'object' ? (v as Record<string, unknown>)[b] : undefined;
  return typeof sub === 'number' ? sub : 0;
}

function describePattern(p: unknown): string {
  const s = JSON.stringify(p);
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}

/** Whether a run ended as bare metal ends it: every VM powered off or halted, the same console and exit code. */
export function sameAsBareMetal(run: CheckRun, bare: CheckRun, vm?: number): boolean {
  if (run.stop.reason !== 'all-stopped' || bare.stop.reason !== 'all-stopped') return false;
  const pick = <T>(l: readonly T[]) => (vm === undefined ? l : l.slice(vm, vm + 1));
  const a = pick(run.vms);
  const b = pick(bare.vms);
  if (a.length !== b.length || a.length === 0) return false;
  return a.every((x, i) => x.state === b[i].state && x.exitCode === b[i].exitCode && x.console === b[i].console);
}

export function evaluateCheck(check: Check, run: CheckRun, under: RunUnder): CheckOutcome {
  const c = check as Record<string, unknown>;
  const events = run.events;
  const yes = (step: number | null | undefined, event?: RunEvent): CheckOutcome => ({
    seen: true,
    step: step ?? endStep(run),
    ...(event ? { event } : {}),
  });
  const no = (why: string): CheckOutcome => ({ seen: false, step: null, why });
  const vmOf = (i: unknown) => (typeof i === 'number' ? run.vms[i] : undefined);
  if ('event' in c) {
    const e = events.find((x) => matchEvent(c.event as EventPattern, x));
    return e ? yes(e.step, e) : no(`no event matches ${describePattern(c.event)}`);
  }
  if ('events' in c) {
    let i = 0;
    let last: RunEvent | undefined;
    for (const [n, p] of (c.events as EventPattern[]).entries()) {
      while (i < events.length && !matchEvent(p, events[i])) i++;
      if (i >= events.length) return no(`events[${n}] ${describePattern(p)} does not follow the ones before it`);
      last = events[i++];
    }
    return yes(last?.step, last);
  }
  if ('first' in c) {
    const e = events.find((x) => matchEvent(c.first as EventPattern, x));
    if (!e) return no(`no event matches ${describePattern(c.first)}`);
    return matchEvent(c.is as EventPattern, e) ? yes(e.step, e) : no(`the first ${describePattern(c.first)} is ${describePattern(e)}`);
  }
  if ('none' in c) {
    let from = 0;
    if (c.after !== undefined) {
      from = events.findIndex((x) => matchEvent(c.after as EventPattern, x));
      if (from < 0) return no(`no event matches ${describePattern(c.after)}`);
    }
    const e = events.slice(from + (c.after !== undefined ? 1 : 0)).find((x) => matchEvent(c.none as EventPattern, x));
    return e ? no(`an event matches at step ${e.step}: ${describePattern(e)}`) : yes(null);
  }
  if ('count' in c) {
    const min = (c.min as number | undefined) ?? 1;
    const max = c.max as number | undefined;
    let n = 0;
    let at: RunEvent | undefined;
    for (const e of events) {
      if (!matchEvent(c.count as EventPattern, e)) continue;
      n++;
      if (n === min) at = e;
    }
    if (n < min || (max !== undefined && n > max)) return no(`${n} events match ${describePattern(c.count)}`);
    return min === 0 ? yes(null) : yes(at?.step, at);
  }
  if ('counter' in c) {
    const counters = c.vm === undefined ? run.counters : vmOf(c.vm)?.counters;
    if (!counters) return no(`no VM ${c.vm}`);
    const v = counterValue(counters, c.counter as string);
    const ok = (c.min === undefined || v >= (c.min as number)) && (c.max === undefined || v <= (c.max as number));
    return ok ? yes(null) : no(`${c.counter} is ${v}`);
  }
  if ('console' in c) {
    const vm = vmOf(c.vm ?? 0);
    if (!vm) return no(`no VM ${c.vm}`);
    return matchValue(c.console as ValuePattern, vm.console) ? yes(null) : no(`the console is ${describePattern(vm.console)}`);
  }
  if ('state' in c) {
    const vm = vmOf(c.vm ?? 0);
    if (!vm) return no(`no VM ${c.vm}`);
    if (vm.state !== c.state) return no(`the VM is ${vm.state}`);
    if (c.exitCode !== undefined && vm.exitCode !== c.exitCode) return no(`its exit code is ${vm.exitCode}`);
    const e = events.find((x) => x.kind === 'vm-state' && x.vm === (c.vm ?? 0) && x.state === c.state);
    return yes(e?.step, e);
  }
  if ('cpu' in c) {
    const vm = vmOf(c.vm ?? 0);
    if (!vm) return no(`no VM ${c.vm}`);
    for (const [r, p] of Object.entries(c.cpu as Record<string, ValuePattern>)) {
      if (!matchValue(p, vm.cpu[r])) return no(`${r} is ${vm.cpu[r]}`);
    }
    return yes(null);
  }
  if ('stop' in c) return run.stop.reason === c.stop ? yes(null) : no(`the run stopped by ${run.stop.reason}`);
  if ('bareMetal' in c) {
    const bare = under({ technique: 'native' });
    if ('skipped' in bare) return no(`bare metal cannot run it: ${bare.skipped}`);
    const same = sameAsBareMetal(run, bare, c.vm as number | undefined);
    return same === (c.bareMetal === 'same')
      ? yes(null)
      : no(same ? 'it ends exactly as on bare metal' : 'it does not end as on bare metal');
  }
  if ('largestCategory' in c) {
    const cats = Object.entries(run.cycles.byCategory).sort((a, b) => b[1] - a[1]);
    return cats[0]?.[0] === c.largestCategory ? yes(null) : no(`the largest category is ${cats[0]?.[0] ?? 'none'}`);
  }
  if ('cheaper' in c) {
    const list = c.cheaper as (TechniqueId | StepSettings)[];
    const bare = under({ technique: 'native' });
    let prev: { t: string; total: number } | undefined;
    for (const item of list) {
      const settings = typeof item === 'string' ? { technique: item } : item;
      const t = typeof item === 'string' ? item : JSON.stringify(item);
      const r = under(settings);
      if ('skipped' in r) return no(`${t} cannot run it: ${r.skipped}`);
      if (t !== 'native' && !('skipped' in bare) && !sameAsBareMetal(r, bare))
        return no(`${t} does not finish like bare metal: not comparable`);
      if (prev && !(prev.total < r.cycles.total))
        return no(`${prev.t} (${prev.total} cycles) is not cheaper than ${t} (${r.cycles.total})`);
      prev = { t, total: r.cycles.total };
    }
    return yes(null);
  }
  if ('all' in c) {
    // Seen at the latest part's step; its event is the latest event a part matched (whole-run parts have none).
    let step = 0;
    let event: RunEvent | undefined;
    for (const [i, x] of (c.all as Check[]).entries()) {
      const o = evaluateCheck(x, run, under);
      if (!o.seen) return no(`all[${i}]: ${o.why}`);
      step = Math.max(step, o.step ?? 0);
      if (o.event && (!event || (o.event.step ?? 0) >= (event.step ?? 0))) event = o.event;
    }
    return yes(step, event);
  }
  if ('any' in c) {
    const whys: string[] = [];
    let best: CheckOutcome | null = null;
    for (const x of c.any as Check[]) {
      const o = evaluateCheck(x, run, under);
      if (o.seen) {
        if (best === null || (o.step ?? 0) < (best.step ?? 0)) best = o;
      } else whys.push(o.why ?? '');
    }
    return best !== null ? yes(best.step ?? 0, best.event) : no(`none of: ${whys.join('; ')}`);
  }
  return no('not a check');
}
