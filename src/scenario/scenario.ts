// The scenario file of interfaces.md: parsing, validation with messages that name the field, and
// defaults. Untrusted input: nothing in it is ever executed; unknown fields are kept and ignored.

import {
  type HypervisorType,
  PAGING_SETTINGS,
  type PagingSetting,
  PRESET_IDS,
  type PresetId,
  TECHNIQUE_IDS,
  type TechniqueId,
  VENDORS,
  type Vendor,
} from '../config';
import { VARIANTS, type Variant } from '../isa/table';
import { COST_NAMES } from '../trace/costs';
import { type LookForStep, validateLookFor } from './checks';
import { SYSTEMS, systemById } from './systems';

export const SCENARIO_FORMAT = 'virtlab-scenario';
export const SCENARIO_VERSION = 1;
export const DEFAULT_MAX_STEPS = 10_000_000;
export const DEFAULT_TIME_SLICE = 2000;
export const MAX_VMS = 8;
export const MAX_SOURCE_CHARS = 256 * 1024;
/**
 * How deeply a field this version does not know may nest (objects and lists). Unknown fields are kept and
 * written back; a value nested thousands deep would overflow the stack of whatever copies or prints it.
 */
export const MAX_UNKNOWN_DEPTH = 64;

/** True when `v` nests objects or lists more than `max` deep (counted without recursion). */
export function nestsDeeperThan(v: unknown, max: number): boolean {
  const todo: [unknown, number][] = [[v, 0]];
  while (todo.length) {
    const [x, d] = todo.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (d + 1 > max) return true;
    for (const child of Array.isArray(x) ? x : Object.values(x)) {
      if (typeof child === 'object' && child !== null) todo.push([child, d + 1]);
    }
  }
  return false;
}

/** A value as an error message shows it: short, and never by walking a deep structure. */
function describe(v: unknown): string {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : typeof v;
}

/** A field name from the file, as an error message shows it. */
function key(k: string): string {
  const short = k.length > 40 ? `${k.slice(0, 40)}…` : k;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a key must not break the message into fake lines
  return short.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface ScenarioVm {
  readonly name: string;
  readonly source: string;
}

export interface Scenario {
  readonly format: typeof SCENARIO_FORMAT;
  readonly version: number;
  readonly title: string;
  readonly notes: string;
  readonly isa: Variant;
  readonly technique: TechniqueId;
  readonly preset: PresetId;
  readonly costs: Readonly<Record<string, number>>;
  readonly hypervisor: {
    readonly type: HypervisorType;
    /** Whose hardware assistance (interfaces.md: `intel`, the default, or `amd`). */
    readonly vendor?: Vendor;
    readonly paging: PagingSetting;
    readonly exits: {
      readonly hlt?: boolean;
      readonly io?: boolean;
      readonly cr3?: boolean;
      readonly invlpg?: boolean;
      readonly exceptions?: readonly number[];
    };
    readonly timeSlice: number;
  };
  readonly vms: readonly ScenarioVm[];
  readonly breakpoints: readonly { readonly vm: number; readonly line: number }[];
  readonly maxSteps: number;
  /**
   * The real product it stands in for (an id of `virtlab systems`); it set the defaults of technique, type
   * and preset. Like `lookFor`, parsed here and also kept as written in `extra`, so that whatever keeps a
   * scenario's unknown fields (the page, old code) writes these back unchanged too.
   */
  readonly system?: string;
  /** The "what to look for" steps, each with its check (docs/checks.md). */
  readonly lookFor?: readonly LookForStep[];
  /**
   * Checkpoints of the run (virtualization.md, "Checkpoint, restore, clone and live migration"): VM `vm`'s
   * state saved at step `at`; put back at step `restoreAt` (it runs on exactly as the first time), or started
   * as a new VM beside its original (`clone`).
   */
  readonly checkpoints?: readonly ScenarioCheckpoint[];
  /** A live migration of one VM from host A to host B (absent: none). */
  readonly migration?: ScenarioMigration;
  /** Fields this version does not know, kept so that saving does not lose them. */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface ScenarioCheckpoint {
  readonly vm?: number;
  readonly at: number;
  readonly restoreAt?: number;
  readonly clone?: boolean;
}

export const MIGRATION_MODES = ['pre-copy', 'post-copy', 'stop-and-copy'] as const;

/** interfaces.md's `migration` field: the method, when, and the link; the rest defaults to Xen's and QEMU's rules. */
export interface ScenarioMigration {
  readonly mode: (typeof MIGRATION_MODES)[number];
  readonly vm?: number;
  readonly at?: number;
  /** Pages per 1,000 host cycles. */
  readonly bandwidth?: number;
  /** Host cycles for a message to cross the link. */
  readonly latency?: number;
  readonly maxRounds?: number;
  readonly maxFactor?: number;
  readonly stopPages?: number;
  /** Host cycles; 0 or absent: no limit. */
  readonly maxDowntime?: number;
  readonly autoConverge?: boolean;
  readonly dirtyLog?: 'auto' | 'pml' | 'write-protect';
}

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

const KNOWN = new Set([
  'format',
  'version',
  'title',
  'notes',
  'isa',
  'technique',
  'preset',
  'costs',
  'hypervisor',
  'vms',
  'breakpoints',
  'maxSteps',
  'checkpoints',
  'migration',
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/** A scenario with every default, running `source` in one VM. */
export function scenarioFromSource(source: string, name = 'vm1'): Scenario {
  const r = validateScenario({ vms: [{ name, source }] });
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.scenario;
}

export function parseScenarioText(text: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`not valid JSON: ${(e as Error).message}`] };
  }
  return validateScenario(data);
}

/** Validates already-parsed JSON; every problem is reported, each naming its field. */
export function validateScenario(data: unknown): ParseResult {
  const errors: string[] = [];
  if (!isObject(data)) return { ok: false, errors: ['a scenario is a JSON object with at least "vms"'] };
  const str = (k: string, def: string, max = 100_000): string => {
    const v = own(data, k);
    if (v === undefined) return def;
    if (typeof v !== 'string') errors.push(`${k}: expected a string`);
    else if (v.length > max) errors.push(`${k}: longer than ${max} characters`);
    else return v;
    return def;
  };
  const oneOf = <T extends string>(k: string, allowed: readonly T[], def: T, obj = data, path = k): T => {
    const v = own(obj, k);
    if (v === undefined) return def;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    errors.push(`${path}: expected one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return def;
  };
  const format = own(data, 'format');
  if (format !== undefined && format !== SCENARIO_FORMAT) errors.push(`format: expected "${SCENARIO_FORMAT}"`);
  const version = own(data, 'version');
  if (version !== undefined && version !== SCENARIO_VERSION) {
    errors.push(`version: this VirtLab reads scenario version ${SCENARIO_VERSION}, not ${describe(version)}`);
  }
  const title = str('title', '', 500);
  const notes = str('notes', '');
  const rawSystem = own(data, 'system');
  const system = rawSystem === undefined ? undefined : typeof rawSystem === 'string' ? systemById(rawSystem) : undefined;
  if (rawSystem !== undefined && !system) {
    const known = SYSTEMS.find((x) => x.id === rawSystem);
    errors.push(
      known
        ? `system: ${known.name} is not a virtual machine, so no scenario can run on it (${known.simplifies})`
        : `system: expected the id of a real system (virtlab systems lists them), not ${describe(rawSystem)}`,
    );
  }
  const isa = oneOf('isa', VARIANTS, system?.isa ?? 'classic');
  const technique = oneOf('technique', TECHNIQUE_IDS, system?.technique ?? 'native');
  const preset = oneOf('preset', PRESET_IDS, system?.preset ?? 'modern');

  const costs: Record<string, number> = {};
  const rawCosts = own(data, 'costs');
  if (rawCosts !== undefined) {
    if (!isObject(rawCosts)) errors.push('costs: expected an object of cost overrides');
    else {
      for (const [k, v] of Object.entries(rawCosts)) {
        if (!(COST_NAMES as string[]).includes(k)) errors.push(`costs.${key(k)}: unknown cost (known: ${COST_NAMES.join(', ')})`);
        else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) errors.push(`costs.${key(k)}: expected a number ≥ 0`);
        else costs[k] = v;
      }
    }
  }

  const hvRaw = own(data, 'hypervisor');
  const defaultType: HypervisorType = system?.type === 2 ? 2 : 1;
  let hv: Scenario['hypervisor'] = { type: defaultType, paging: 'auto', exits: {}, timeSlice: DEFAULT_TIME_SLICE };
  if (hvRaw !== undefined) {
    if (!isObject(hvRaw)) errors.push('hypervisor: expected an object');
    else {
      const type = own(hvRaw, 'type');
      if (type !== undefined && type !== 1 && type !== 2) errors.push('hypervisor.type: expected 1 or 2');
      const paging = oneOf('paging', PAGING_SETTINGS, 'auto', hvRaw, 'hypervisor.paging');
      const vendor = oneOf('vendor', VENDORS, 'intel', hvRaw, 'hypervisor.vendor');
      const ts = own(hvRaw, 'timeSlice');
      if (ts !== undefined && (typeof ts !== 'number' || !Number.isInteger(ts) || ts < 1 || ts > 10_000_000)) {
        errors.push('hypervisor.timeSlice: expected a whole number of guest instructions from 1 to 10,000,000');
      }
      const exits: Record<string, unknown> = {};
      const ex = own(hvRaw, 'exits');
      if (ex !== undefined) {
        if (!isObject(ex)) errors.push('hypervisor.exits: expected an object');
        else {
          for (const k of ['hlt', 'io', 'cr3', 'invlpg']) {
            const v = own(ex, k);
            if (v === undefined) continue;
            if (typeof v !== 'boolean') errors.push(`hypervisor.exits.${k}: expected true or false`);
            else exits[k] = v;
          }
          const vec = own(ex, 'exceptions');
          if (vec !== undefined) {
            if (!Array.isArray(vec) || !vec.every((n) => Number.isInteger(n) && n >= 0 && n <= 31)) {
              errors.push('hypervisor.exits.exceptions: expected a list of exception vectors from 0 to 31');
            } else exits.exceptions = [...vec];
          }
        }
      }
      hv = {
        type: type === 2 ? 2 : type === 1 ? 1 : defaultType,
        paging,
        ...(vendor === 'amd' ? { vendor } : {}),
        exits: exits as Scenario['hypervisor']['exits'],
        timeSlice: typeof ts === 'number' && errors.length === 0 ? ts : DEFAULT_TIME_SLICE,
      };
    }
  }

  const vms: ScenarioVm[] = [];
  const rawVms = own(data, 'vms');
  if (!Array.isArray(rawVms) || rawVms.length === 0) {
    errors.push('vms: required, a list of one VM or more, each with "source"');
  } else if (rawVms.length > MAX_VMS) {
    errors.push(`vms: at most ${MAX_VMS} VMs, not ${rawVms.length}`);
  } else {
    rawVms.forEach((vm, i) => {
      if (!isObject(vm)) {
        errors.push(`vms[${i}]: expected an object with "source"`);
        return;
      }
      const source = own(vm, 'source');
      const name = own(vm, 'name');
      if (typeof source !== 'string') errors.push(`vms[${i}].source: required, the VM's assembly as a string`);
      else if (source.length > MAX_SOURCE_CHARS) errors.push(`vms[${i}].source: longer than ${MAX_SOURCE_CHARS} characters`);
      if (name !== undefined && (typeof name !== 'string' || name.length === 0 || name.length > 40)) {
        errors.push(`vms[${i}].name: expected a name of 1 to 40 characters`);
      }
      vms.push({ name: typeof name === 'string' && name ? name : `vm${i + 1}`, source: typeof source === 'string' ? source : '' });
    });
  }

  const breakpoints: { vm: number; line: number }[] = [];
  const rawBp = own(data, 'breakpoints');
  if (rawBp !== undefined) {
    if (!Array.isArray(rawBp)) errors.push('breakpoints: expected a list of { "vm": n, "line": n }');
    else {
      rawBp.forEach((bp, i) => {
        const vm = isObject(bp) ? own(bp, 'vm') : undefined;
        const line = isObject(bp) ? own(bp, 'line') : undefined;
        if (!Number.isInteger(vm) || (vm as number) < 0 || (vm as number) >= Math.max(vms.length, 1)) {
          errors.push(`breakpoints[${i}].vm: expected the index of a VM (0 to ${Math.max(vms.length - 1, 0)})`);
        } else if (!Number.isInteger(line) || (line as number) < 1) {
          errors.push(`breakpoints[${i}].line: expected a line number from 1`);
        } else breakpoints.push({ vm: vm as number, line: line as number });
      });
    }
  }

  const ms = own(data, 'maxSteps');
  let maxSteps = DEFAULT_MAX_STEPS;
  if (ms !== undefined) {
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > 1e12) errors.push('maxSteps: expected a whole number from 1');
    else maxSteps = ms;
  }

  const rawLookFor = own(data, 'lookFor');
  const lookFor = rawLookFor === undefined ? undefined : validateLookFor(rawLookFor, errors);
  const checkpoints = parseCheckpoints(own(data, 'checkpoints'), vms.length, errors);
  const migration = parseMigration(own(data, 'migration'), vms.length, errors);

  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (KNOWN.has(k)) continue;
    if ((k === 'lookFor' || k === 'system') && errors.length) continue;
    if (nestsDeeperThan(v, MAX_UNKNOWN_DEPTH)) {
      errors.push(
        `${key(k)}: an unknown field nested more than ${MAX_UNKNOWN_DEPTH} levels deep (unknown fields are kept as they are, so they must stay shallower); remove it or flatten it`,
      );
    } else Object.defineProperty(extra, k, { value: v, enumerable: true, writable: true, configurable: true });
  }

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    scenario: {
      format: SCENARIO_FORMAT,
      version: SCENARIO_VERSION,
      title,
      notes,
      isa,
      technique,
      preset,
      costs,
      hypervisor: hv,
      vms,
      breakpoints,
      maxSteps,
      ...(system ? { system: system.id } : {}),
      ...(lookFor ? { lookFor } : {}),
      ...(checkpoints ? { checkpoints } : {}),
      ...(migration ? { migration } : {}),
      extra,
    },
  };
}

const whole = (v: unknown, lo: number, hi: number): v is number => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;

function parseCheckpoints(raw: unknown, nVms: number, errors: string[]): ScenarioCheckpoint[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length > 16) {
    errors.push('checkpoints: expected a list of at most 16 { "vm": n, "at": step, "restoreAt": step, "clone": true }');
    return undefined;
  }
  const out: ScenarioCheckpoint[] = [];
  raw.forEach((c, i) => {
    if (!isObject(c)) {
      errors.push(`checkpoints[${i}]: expected an object with "at"`);
      return;
    }
    const vm = own(c, 'vm');
    const at = own(c, 'at');
    const restoreAt = own(c, 'restoreAt');
    const clone = own(c, 'clone');
    if (vm !== undefined && !whole(vm, 0, Math.max(nVms - 1, 0)))
      errors.push(`checkpoints[${i}].vm: expected the index of a VM (0 to ${Math.max(nVms - 1, 0)})`);
    if (!whole(at, 0, 1e12)) errors.push(`checkpoints[${i}].at: required, the step (guest instructions) to take it at`);
    if (restoreAt !== undefined && (!whole(restoreAt, 0, 1e12) || (whole(at, 0, 1e12) && restoreAt < at)))
      errors.push(`checkpoints[${i}].restoreAt: expected a step at or after "at"`);
    if (clone !== undefined && typeof clone !== 'boolean') errors.push(`checkpoints[${i}].clone: expected true or false`);
    if (clone === true && restoreAt !== undefined) errors.push(`checkpoints[${i}]: either "restoreAt" or "clone", not both`);
    out.push({
      ...(typeof vm === 'number' ? { vm } : {}),
      at: at as number,
      ...(typeof restoreAt === 'number' ? { restoreAt } : {}),
      ...(clone === true ? { clone } : {}),
    });
  });
  if (nVms + out.filter((c) => c.clone).length > MAX_VMS) errors.push(`checkpoints: the clones would make more than ${MAX_VMS} VMs`);
  return out;
}

function parseMigration(raw: unknown, nVms: number, errors: string[]): ScenarioMigration | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    errors.push('migration: expected an object with "mode"');
    return undefined;
  }
  const mode = own(raw, 'mode');
  if (!(MIGRATION_MODES as readonly unknown[]).includes(mode))
    errors.push(`migration.mode: expected one of ${MIGRATION_MODES.map((m) => `"${m}"`).join(', ')}`);
  const out: Record<string, unknown> = { mode };
  const num = (k: string, lo: number, hi: number, int: boolean) => {
    const v = own(raw, k);
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v)))
      errors.push(`migration.${k}: expected ${int ? 'a whole number' : 'a number'} from ${lo} to ${hi}`);
    else out[k] = v;
  };
  num('vm', 0, Math.max(nVms - 1, 0), true);
  num('at', 0, 1e12, true);
  num('bandwidth', 0.001, 1000, false);
  num('latency', 0, 1e9, true);
  num('maxRounds', 1, 1000, true);
  num('maxFactor', 1, 100, false);
  num('stopPages', 0, 16, true);
  num('maxDowntime', 0, 1e12, true);
  const ac = own(raw, 'autoConverge');
  if (ac !== undefined) {
    if (typeof ac !== 'boolean') errors.push('migration.autoConverge: expected true or false');
    else out.autoConverge = ac;
  }
  const dl = own(raw, 'dirtyLog');
  if (dl !== undefined) {
    if (dl !== 'auto' && dl !== 'pml' && dl !== 'write-protect')
      errors.push('migration.dirtyLog: expected "auto", "pml" or "write-protect"');
    else out.dirtyLog = dl;
  }
  return out as unknown as ScenarioMigration;
}

/** The scenario as JSON text (unknown fields kept). */
export function scenarioToJson(s: Scenario): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.extra)) {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  const known = {
    format: s.format,
    version: s.version,
    title: s.title,
    notes: s.notes,
    isa: s.isa,
    technique: s.technique,
    preset: s.preset,
    costs: s.costs,
    hypervisor: s.hypervisor,
    vms: s.vms,
    breakpoints: s.breakpoints,
    maxSteps: s.maxSteps,
    ...(s.checkpoints ? { checkpoints: s.checkpoints } : {}),
    ...(s.migration ? { migration: s.migration } : {}),
  };
  for (const [k, v] of Object.entries(known)) out[k] = v;
  return out;
}
