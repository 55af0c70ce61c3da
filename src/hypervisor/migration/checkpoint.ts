// Checkpoint, restore and clone of one VM (virtualization.md, "Checkpoint, restore, clone and live
// migration"): a VM's whole state (vCPU and virtual state, memory, devices and timer, pending interrupts, and
// the technique's own state: shadow tables, EPT, translation cache, VMCS state) as plain data, and a
// versioned file of it (JSON, memory in base64) that is refused with a reason when it is corrupt, of an
// unknown version, or taken from another program or technique.
//
// Followed: QEMU's savevm/loadvm (a versioned stream, refused on a version or device mismatch: vmstate's
// version_id checks) and `xl save`/`xl restore` (the domain's memory and vCPU context); VMware's "linked
// clone" for clone (same state, new VM, its own memory).
//
// A checkpoint is the VM's own slice of `Monitor.snapshot()`: the machine (machine/snapshot.ts) and the
// per-VM hypervisor state. Plain data only (numbers, strings, arrays), so that it crosses a worker boundary
// with structuredClone or as JSON unchanged.
import { CR0_PG } from '../../isa/constants';
import { restore as restoreMachine } from '../../machine/snapshot';
import { type Counters, emptyCounters, type VmState } from '../../trace/events';
import type { Engine } from '../engine';
import type { Monitor } from '../monitor';
import type { Block } from '../translation-cache';
import type { LastExit, Vcpu, Vm } from '../vm';

export const CHECKPOINT_FORMAT = 'virtlab-checkpoint';
export const CHECKPOINT_VERSION = 1;
/** A checkpoint file is a few hundred KiB at most; anything much larger is not one. */
export const MAX_CHECKPOINT_CHARS = 4 * 1024 * 1024;

const SCALAR_NUMBERS = [
  'pc',
  'flags',
  'cpl',
  'cr0',
  'cr2',
  'cr3',
  'idtr',
  'ksp',
  'exitCode',
  'ticks',
  'timerPeriod',
  'timerNext',
  'tlbNext',
  'retired',
  'interrupts',
  'exceptions',
  'ioCount',
  'tlbMisses',
] as const;
const SCALAR_BOOLEANS = ['waiting', 'stiShadow', 'irqPending'] as const;
const VM_STATES: readonly VmState[] = ['running', 'halted', 'powered-off', 'crashed'];
const VCPU_BOOLEANS = ['windowArmed', 'blocked', 'outside', 'trapTable', 'privilegeFault', 'launched'] as const;

/** One VM's state at a moment of the run, as plain data (the engine API; the page may hold it as it is). */
export interface VmCheckpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  /** FNV-1a (32 bits, hex) of the VM's assembled image: a checkpoint only fits the program it came from. */
  readonly program: string;
  readonly technique: string;
  readonly isa: string;
  readonly preset: string;
  readonly paging: string;
  readonly vendor: string;
  readonly vm: number;
  readonly name: string;
  /** Guest instructions retired by the whole run when it was taken, and the host cycles then. */
  readonly steps: number;
  readonly time: number;
  /** The scenario it came from (so that `resume` can rebuild the run), as scenario JSON. */
  readonly scenario: unknown;
  readonly machine: {
    readonly scalars: Record<string, number | boolean | string>;
    readonly console: string;
    readonly consoleDropped: number;
    readonly regs: number[];
    readonly tlbMap: number[];
    readonly tlbSlots: number[];
    readonly watch: number[];
    readonly meter: Record<string, number>;
    /** The 64 KiB of guest-physical memory, base64. */
    readonly memory: string;
  };
  readonly hypervisor: {
    readonly counters: Record<string, unknown>;
    readonly fidelity: unknown[];
    readonly shadow: number[];
    readonly ept: number[];
    readonly vcpu: Record<string, unknown>;
    readonly lastExit: Record<string, unknown>;
    readonly callouts: number;
    /** The translation cache; `calloutStores`: the stores adaptive translation turned into callouts. */
    readonly tc: { translated: number; invalidations: number; blocks: unknown[]; calloutStores?: number[] } | null;
    /** The cached shadow tables (shadow.ts), most recently used first: their keys and filled entries. */
    readonly shadowRoots?: { key: number; filled: number[] }[];
  };
}

export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  try {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

function monitorOf(engine: Engine): Monitor {
  return engine.run as unknown as Monitor;
}

/** The checkpoint of VM `index` now. `scenario` is the scenario JSON the engine was prepared from. */
export function takeCheckpoint(engine: Engine, index: number, scenario: unknown): VmCheckpoint {
  const monitor = monitorOf(engine);
  const vm = monitor.guests[index];
  if (!vm) throw new Error(`there is no VM ${index}`);
  const m = vm.machine;
  const scalars: Record<string, number | boolean | string> = {};
  for (const k of SCALAR_NUMBERS) scalars[k] = m[k];
  for (const k of SCALAR_BOOLEANS) scalars[k] = m[k];
  scalars.state = m.state;
  scalars.crashReason = m.crashReason;
  const tc = vm.tc ? vm.tc.save() : null;
  const checkpoint: VmCheckpoint = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    program: fnv1a(engine.config.vms[index].image),
    technique: engine.technique,
    isa: engine.config.isa,
    preset: engine.config.preset,
    paging: engine.run.paging,
    vendor: engine.config.vendor ?? 'intel',
    vm: index,
    name: vm.name,
    steps: engine.run.steps(),
    time: monitor.now(),
    scenario,
    machine: {
      scalars,
      console: m.console,
      consoleDropped: m.consoleOut.dropped,
      regs: [...m.r],
      tlbMap: [...m.tlbMap],
      tlbSlots: [...m.tlbSlots],
      // Only the technique's page-table watch: a migration's dirty-log protection is not the VM's state.
      watch: [...m.watch].map((w) => w & 1),
      meter: { ...m.meter.counts },
      memory: toBase64(m.mem),
    },
    hypervisor: structuredClone({
      counters: vm.counters as unknown as Record<string, unknown>,
      fidelity: vm.fidelity as unknown[],
      shadow: [...vm.shadow],
      ept: [...vm.ept],
      vcpu: vm.vcpu as unknown as Record<string, unknown>,
      lastExit: vm.lastExit as unknown as Record<string, unknown>,
      callouts: vm.callouts,
      tc: tc
        ? {
            translated: tc.translated,
            invalidations: tc.invalidations,
            blocks: tc.blocks as unknown[],
            calloutStores: tc.calloutStores ?? [],
          }
        : null,
      shadowRoots: vm.shadowRoots.map((r) => ({ key: r.key, filled: [...r.filled] })),
    }),
  };
  if (monitor.listening) monitor.note(vm, { kind: 'checkpoint', name: vm.name, host: 'host A', pages: 16 });
  return checkpoint;
}

/** Why `c` cannot be restored into VM `index` of this engine, or null. */
export function refuseRestore(engine: Engine, index: number, c: VmCheckpoint): string | null {
  const vm = monitorOf(engine).guests[index];
  if (!vm) return `there is no VM ${index} to restore into`;
  if (c.technique !== engine.technique)
    return `the checkpoint was taken under ${c.technique}, not ${engine.technique}: a technique's own state (shadow tables, EPT, translation cache, VMCS) does not carry over`;
  if (c.isa !== engine.config.isa) return `the checkpoint was taken with the ${c.isa} instruction set, not ${engine.config.isa}`;
  if (c.paging !== engine.run.paging) return `the checkpoint was taken with ${c.paging} paging, not ${engine.run.paging}`;
  if (c.vendor !== (engine.config.vendor ?? 'intel'))
    return `the checkpoint was taken on ${c.vendor} hardware, not ${engine.config.vendor}`;
  if (c.program !== fnv1a(engine.config.vms[index].image))
    return 'the checkpoint comes from another program (its program fingerprint differs)';
  return null;
}

/**
 * Puts VM `index` back to checkpoint `c` (or starts a clone from it: the same state in another VM's frames).
 * Returns the refusal reason, or null when done. Counters and cycles are the checkpoint's for a restore; a
 * clone starts its own counters from the checkpoint's too (it is the same machine, copied).
 */
export function restoreCheckpoint(
  engine: Engine,
  index: number,
  c: VmCheckpoint,
  how: 'restore' | 'clone' = 'restore',
  /**
   * The page keeps the host's clock: the VM's own count of retired instructions (VirtLab's step count, the
   * timeline) goes on from now rather than back to the checkpoint's, as a real host's time goes on after
   * `virsh restore`. Nothing the guest sees depends on it (its timer counts `ticks`, which are restored).
   */
  keepClock = false,
): string | null {
  const refusal = how === 'restore' ? refuseRestore(engine, index, c) : refuseClone(engine, index, c);
  if (refusal) return refusal;
  const monitor = monitorOf(engine);
  const vm = monitor.guests[index];
  const m = vm.machine;
  const clock = m.retired;
  const memory = fromBase64(c.machine.memory) as Uint8Array;
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < memory.length; i += 1024) chunks.push(memory.slice(i, i + 1024));
  restoreMachine(m, {
    scalars: c.machine.scalars as never,
    console: c.machine.console,
    consoleDropped: c.machine.consoleDropped,
    regs: Int32Array.from(c.machine.regs),
    tlbMap: Int32Array.from(c.machine.tlbMap),
    tlbSlots: Int32Array.from(c.machine.tlbSlots),
    watch: Uint8Array.from(c.machine.watch),
    meter: Object.fromEntries(Object.keys(m.meter.counts).map((k) => [k, Number(c.machine.meter[k] ?? 0)])),
    chunks,
  });
  if (keepClock) m.retired = clock;
  // Decoded instructions and code pages of the machine before are not the checkpoint's.
  m.xop.fill(-1);
  m.codeChunks.fill(0);
  const h = structuredClone(c.hypervisor);
  // Only the counters this VirtLab knows (a file is untrusted: no stray keys reach the report).
  const counters = emptyCounters();
  for (const k of Object.keys(counters) as (keyof Counters)[]) {
    const v = h.counters[k];
    if (typeof counters[k] === 'number' && typeof v === 'number') (counters[k] as number) = v;
    else if (typeof counters[k] === 'object' && typeof v === 'object' && v !== null)
      for (const [name, n] of Object.entries(v))
        if (typeof n === 'number')
          Object.defineProperty(counters[k], name, { value: n, enumerable: true, writable: true, configurable: true });
  }
  vm.counters = counters;
  vm.fidelity = h.fidelity as Vm['fidelity'];
  vm.shadow = Uint8Array.from(h.shadow);
  vm.shadowRoots = h.shadowRoots?.length
    ? h.shadowRoots.map((r) => ({ key: r.key, filled: Uint8Array.from(r.filled) }))
    : [{ key: vm.machine.cr0 & CR0_PG ? vm.machine.cr3 >>> 0 : -1, filled: vm.shadow }];
  vm.shadow = vm.shadowRoots[0].filled;
  vm.ept = Uint8Array.from(h.ept);
  vm.vcpu = h.vcpu as unknown as Vcpu;
  vm.lastExit = h.lastExit as unknown as LastExit;
  vm.callouts = h.callouts;
  if (vm.tc && h.tc) vm.tc.load(h.tc as { translated: number; invalidations: number; blocks: Block[]; calloutStores?: number[] });
  engine.checkpointRestored();
  if (monitor.listening)
    monitor.note(
      vm,
      how === 'restore' ? { kind: 'restore', name: vm.name, host: 'host A' } : { kind: 'clone', from: c.name, name: vm.name },
    );
  return null;
}

/** A clone may go into another VM slot (its own frames) running the same program under the same technique. */
function refuseClone(engine: Engine, index: number, c: VmCheckpoint): string | null {
  const vm = monitorOf(engine).guests[index];
  if (!vm) return `there is no VM ${index} to start the clone in`;
  if (engine.technique === 'native') return 'bare metal runs one machine: a clone needs a hypervisor';
  const r = refuseRestore(engine, index, c);
  return r;
}

// ---- the file ------------------------------------------------------------------------------------------------

export function encodeCheckpoint(c: VmCheckpoint): string {
  return `${JSON.stringify(c)}\n`;
}

export type Decoded = { ok: true; checkpoint: VmCheckpoint } | { ok: false; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, lo = -0x80000000, hi = 0xffffffff): v is number =>
  Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
const intArray = (v: unknown, n: number, lo: number, hi: number): boolean =>
  Array.isArray(v) && v.length === n && v.every((x) => isInt(x, lo, hi));
const shortString = (v: unknown, max = 10_000): v is string => typeof v === 'string' && v.length <= max;

/**
 * Reads a checkpoint file. Untrusted: every field is checked for its type and range before anything uses it;
 * the reason names the first thing wrong.
 */
export function decodeCheckpoint(text: string): Decoded {
  const bad = (reason: string): Decoded => ({ ok: false, reason: `not a usable checkpoint: ${reason}` });
  if (text.length > MAX_CHECKPOINT_CHARS) return bad(`larger than ${MAX_CHECKPOINT_CHARS} characters`);
  let d: unknown;
  try {
    d = JSON.parse(text);
  } catch {
    return bad('the file is corrupt (not valid JSON)');
  }
  if (!isObject(d)) return bad('the file is corrupt (not a JSON object)');
  if (d.format !== CHECKPOINT_FORMAT) return bad(`format: expected "${CHECKPOINT_FORMAT}"`);
  if (d.version !== CHECKPOINT_VERSION)
    return {
      ok: false,
      reason: `this VirtLab reads checkpoint version ${CHECKPOINT_VERSION}, not ${JSON.stringify(d.version)?.slice(0, 20)}`,
    };
  for (const k of ['program', 'technique', 'isa', 'preset', 'paging', 'vendor', 'name'] as const)
    if (!shortString(d[k], 100)) return bad(`${k}: expected a short string`);
  if (!isInt(d.vm, 0, 7)) return bad('vm: expected a VM index from 0 to 7');
  if (typeof d.steps !== 'number' || !Number.isSafeInteger(d.steps) || d.steps < 0) return bad('steps: expected a whole number');
  if (typeof d.time !== 'number' || !Number.isFinite(d.time) || d.time < 0) return bad('time: expected a number of cycles');
  if (!isObject(d.scenario)) return bad('scenario: expected the scenario it came from');
  const m = d.machine;
  if (!isObject(m)) return bad('machine: expected an object');
  const s = m.scalars;
  if (!isObject(s)) return bad('machine.scalars: expected an object');
  for (const k of SCALAR_NUMBERS)
    if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) return bad(`machine.scalars.${k}: expected a number`);
  for (const k of ['pc', 'flags', 'cr0', 'cr2', 'cr3', 'idtr', 'ksp', 'exitCode'] as const)
    if (!isInt(s[k])) return bad(`machine.scalars.${k}: expected a 32-bit value`);
  if (s.cpl !== 0 && s.cpl !== 3) return bad('machine.scalars.cpl: expected 0 or 3');
  if (!isInt(s.tlbNext, 0, 7)) return bad('machine.scalars.tlbNext: expected 0 to 7');
  for (const k of SCALAR_BOOLEANS) if (typeof s[k] !== 'boolean') return bad(`machine.scalars.${k}: expected true or false`);
  if (!VM_STATES.includes(s.state as VmState)) return bad(`machine.scalars.state: expected one of ${VM_STATES.join(', ')}`);
  if (!shortString(s.crashReason, 1000)) return bad('machine.scalars.crashReason: expected a string');
  if (!shortString(m.console, 1_000_000)) return bad('machine.console: expected a string');
  if (!isInt(m.consoleDropped, 0, Number.MAX_SAFE_INTEGER)) return bad('machine.consoleDropped: expected a whole number');
  if (!intArray(m.regs, 9, -0x80000000, 0x7fffffff)) return bad('machine.regs: expected 9 signed 32-bit registers');
  if (!intArray(m.tlbMap, 16, -1, 0xffff)) return bad('machine.tlbMap: expected 16 TLB entries');
  if (!intArray(m.tlbSlots, 8, -1, 15)) return bad('machine.tlbSlots: expected 8 TLB slots');
  if (!intArray(m.watch, 16, 0, 1)) return bad('machine.watch: expected 16 flags');
  if (!isObject(m.meter) || !Object.values(m.meter).every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0))
    return bad('machine.meter: expected counts of charged costs');
  if (typeof m.memory !== 'string') return bad('machine.memory: expected base64');
  const memory = fromBase64(m.memory);
  if (!memory) return bad('machine.memory: corrupt base64');
  if (memory.length !== 0x10000) return bad(`machine.memory: expected 65,536 bytes, not ${memory.length}`);
  const h = d.hypervisor;
  if (!isObject(h)) return bad('hypervisor: expected an object');
  if (!isObject(h.counters) || !Object.values(h.counters).every((v) => typeof v === 'number' || isObject(v)))
    return bad('hypervisor.counters: expected counters');
  for (const v of Object.values(h.counters))
    if (isObject(v) && !Object.values(v).every((n) => typeof n === 'number')) return bad('hypervisor.counters: expected counts');
  if (!Array.isArray(h.fidelity) || h.fidelity.length > 100_000 || !h.fidelity.every(isObject))
    return bad('hypervisor.fidelity: expected a list');
  if (!intArray(h.shadow, 16, 0, 1)) return bad('hypervisor.shadow: expected 16 flags');
  if (!intArray(h.ept, 16, 0, 1)) return bad('hypervisor.ept: expected 16 flags');
  if (h.shadowRoots !== undefined) {
    if (!Array.isArray(h.shadowRoots) || h.shadowRoots.length > 16) return bad('hypervisor.shadowRoots: expected a short list');
    for (const r of h.shadowRoots)
      if (!isObject(r) || !isInt(r.key, -1, 0xffff) || !intArray(r.filled, 16, 0, 1))
        return bad('hypervisor.shadowRoots: a cached shadow table is malformed');
  }
  const v = h.vcpu;
  if (!isObject(v)) return bad('hypervisor.vcpu: expected an object');
  for (const k of VCPU_BOOLEANS) if (typeof v[k] !== 'boolean') return bad(`hypervisor.vcpu.${k}: expected true or false`);
  if (!isInt(v.vectoring)) return bad('hypervisor.vcpu.vectoring: expected a number');
  const l = h.lastExit;
  if (!isObject(l)) return bad('hypervisor.lastExit: expected an object');
  if (l.reason !== null && !shortString(l.reason, 40)) return bad('hypervisor.lastExit.reason: expected an exit reason name');
  for (const k of ['pc', 'insLo', 'insHi', 'cr2', 'reg'] as const)
    if (!isInt(l[k])) return bad(`hypervisor.lastExit.${k}: expected a number`);
  // The last exit's decoded form is shown by the Inspector only: a file's is not trusted, it is dropped.
  l.exit = null;
  l.action = null;
  if (!isInt(h.callouts, 0, Number.MAX_SAFE_INTEGER)) return bad('hypervisor.callouts: expected a whole number');
  if (h.tc !== null) {
    const tc = h.tc;
    if (!isObject(tc) || !isInt(tc.translated, 0, Number.MAX_SAFE_INTEGER) || !isInt(tc.invalidations, 0, Number.MAX_SAFE_INTEGER))
      return bad('hypervisor.tc: expected the translation cache');
    if (!Array.isArray(tc.blocks) || tc.blocks.length > 8192) return bad('hypervisor.tc.blocks: expected a list of blocks');
    if (
      tc.calloutStores !== undefined &&
      !(Array.isArray(tc.calloutStores) && tc.calloutStores.length <= 0x10000 && tc.calloutStores.every((a) => isInt(a, 0, 0xffff)))
    )
      return bad('hypervisor.tc.calloutStores: expected a list of addresses');
    for (const b of tc.blocks) {
      if (!isObject(b) || !isInt(b.pc) || !isInt(b.pa, 0, 0xffff) || b.mode !== 'kernel')
        return bad('hypervisor.tc.blocks: a block is malformed');
      const ins = b.instructions;
      if (!Array.isArray(ins) || ins.length === 0 || ins.length > 32 || (b.pa as number) + 8 * ins.length > 0x10000)
        return bad('hypervisor.tc.blocks: a block has a bad length');
      for (const x of ins)
        if (
          !isObject(x) ||
          !isInt(x.address) ||
          !shortString(x.original, 200) ||
          !shortString(x.becomes, 500) ||
          !['kept', 'inline', 'callout', 'device', 'lookup'].includes(x.kind as string)
        )
          return bad('hypervisor.tc.blocks: a translated instruction is malformed');
    }
  }
  return { ok: true, checkpoint: d as unknown as VmCheckpoint };
}
