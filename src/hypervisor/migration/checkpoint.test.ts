// Checkpoint files: versioned, and refused with a reason when corrupt, of an unknown version, or from
// another program or technique; hostile contents never reach the engine.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioFromSource, validateScenario } from '../../scenario/scenario';
import { prepare } from '../engine';
import {
  CHECKPOINT_VERSION,
  checkpointAt,
  decodeCheckpoint,
  encodeCheckpoint,
  restoreCheckpoint,
  resumeEngine,
  resumeFile,
  type VmCheckpoint,
} from '.';

const source = readFileSync(new URL('../../../programs/forkwait.s', import.meta.url), 'utf8');
const S = scenarioFromSource(source);

function take(technique: 'trap-and-emulate' | 'binary-translation' = 'binary-translation'): VmCheckpoint {
  const c = checkpointAt(S, 30_000, 0, { technique });
  if (c.kind !== 'checkpoint') throw new Error(c.kind);
  return c.checkpoint;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests edit arbitrary JSON
const edit = (c: VmCheckpoint, f: (d: Record<string, any>) => void): string => {
  const d = JSON.parse(encodeCheckpoint(c));
  f(d);
  return JSON.stringify(d);
};

describe('checkpoint files', () => {
  const c = take();

  it('are JSON with the memory in base64 and a version', () => {
    const d = JSON.parse(encodeCheckpoint(c));
    expect(d.format).toBe('virtlab-checkpoint');
    expect(d.version).toBe(CHECKPOINT_VERSION);
    expect(typeof d.machine.memory).toBe('string');
    expect(Buffer.from(d.machine.memory, 'base64').length).toBe(65536);
    expect(d.hypervisor.tc.blocks.length).toBeGreaterThan(0);
  });

  it('round-trip and resume exactly', () => {
    const r = resumeFile(encodeCheckpoint(c), { technique: 'binary-translation' });
    expect(r.kind).toBe('ready');
    if (r.kind !== 'ready') return;
    r.engine.runToEnd();
    const p = prepare(S, { technique: 'binary-translation' });
    if (p.kind !== 'ready') return;
    p.engine.runToEnd();
    expect(r.engine.result().vms).toEqual(p.engine.result().vms);
    expect(r.engine.result().cycles.total).toBe(p.engine.result().cycles.total);
  });

  const hostile: [string, string, RegExp][] = [
    ['not JSON', '{"format": "virtlab-checkpoint", ', /corrupt/],
    ['an array', '[]', /corrupt/],
    ['another format', edit(c, (d) => (d.format = 'virtlab-scenario')), /format/],
    ['an unknown version', edit(c, (d) => (d.version = 2)), /version 1, not 2/],
    ['memory too short', edit(c, (d) => (d.machine.memory = d.machine.memory.slice(0, 400))), /65,536 bytes/],
    ['memory not base64', edit(c, (d) => (d.machine.memory = '%%%')), /base64/],
    ['a register out of range', edit(c, (d) => (d.machine.regs[0] = 2 ** 40)), /regs/],
    ['too few registers', edit(c, (d) => d.machine.regs.pop()), /regs/],
    ['a bad state', edit(c, (d) => (d.machine.scalars.state = 'exploded')), /state/],
    ['a bad CPL', edit(c, (d) => (d.machine.scalars.cpl = 1)), /cpl/],
    ['a string PC', edit(c, (d) => (d.machine.scalars.pc = '0')), /pc/],
    ['a huge TLB entry', edit(c, (d) => (d.machine.tlbMap[0] = 1e9)), /tlbMap/],
    ['a bad shadow', edit(c, (d) => (d.hypervisor.shadow = [7])), /shadow/],
    ['a block past memory', edit(c, (d) => (d.hypervisor.tc.blocks[0].pa = 0xfffc)), /block/],
    ['a block with a bad kind', edit(c, (d) => (d.hypervisor.tc.blocks[0].instructions[0].kind = 'eval')), /translated instruction/],
    ['a vCPU without its flags', edit(c, (d) => delete d.hypervisor.vcpu.launched), /vcpu/],
    ['no scenario', edit(c, (d) => delete d.scenario), /scenario/],
    ['far too large', 'x'.repeat(5 * 1024 * 1024), /larger than/],
  ];
  it.each(hostile)('refuses %s, saying why', (_, text, why) => {
    const d = decodeCheckpoint(text);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reason).toMatch(why);
  });

  it('refuses a checkpoint of another program', () => {
    const r = resumeFile(
      edit(c, (d) => (d.program = '00000000')),
      { technique: 'binary-translation' },
    );
    expect(r.kind).toBe('refused');
    if (r.kind === 'refused') expect(r.reason).toMatch(/another program/);
    // The same with a scenario whose source was changed in the file.
    const other = edit(c, (d) => (d.scenario.vms[0].source = `${source}\n NOP\n`));
    const r2 = resumeFile(other, { technique: 'binary-translation' });
    expect(r2.kind).toBe('refused');
  });

  it('refuses a checkpoint of another technique, in the file or asked for', () => {
    const r = resumeFile(encodeCheckpoint(c), { technique: 'trap-and-emulate' });
    expect(r.kind).toBe('refused');
    if (r.kind === 'refused') expect(r.reason).toMatch(/binary-translation/);
    const p = prepare(S, { technique: 'trap-and-emulate' });
    if (p.kind !== 'ready') return;
    expect(restoreCheckpoint(p.engine, 0, c)).toMatch(/taken under binary-translation/);
  });

  it('drops counters it does not know and keeps the prototype intact', () => {
    const meter = encodeCheckpoint(c).replace('"meter":{', '"meter":{"__proto__":{"polluted":1},');
    expect(decodeCheckpoint(meter).ok).toBe(false);
    const text = encodeCheckpoint(c).replace('"counters":{', '"counters":{"__proto__":{"polluted":1},"stray":5,');
    expect(text).toContain('"stray":5');
    const d = decodeCheckpoint(text);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const r = resumeEngine(d.checkpoint, { technique: 'binary-translation' });
    expect(r.kind).toBe('ready');
    if (r.kind !== 'ready') return;
    const counters = r.engine.result().vms[0].counters as unknown as Record<string, unknown>;
    expect(counters.stray).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('are refused under native (bare metal has no hypervisor to save it)', () => {
    expect(checkpointAt(S, 10, 0, { technique: 'native' }).kind).toBe('refused');
  });
});

describe('the scenario fields', () => {
  it('checkpoints and migration are validated, naming the field', () => {
    const bad = validateScenario({
      vms: [{ source: 'HLT' }],
      checkpoints: [{ at: -1 }, { at: 5, restoreAt: 2 }, { at: 1, clone: 'yes' }],
      migration: { mode: 'teleport', bandwidth: 0, autoConverge: 1 },
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    for (const f of [
      'checkpoints[0].at',
      'checkpoints[1].restoreAt',
      'checkpoints[2].clone',
      'migration.mode',
      'migration.bandwidth',
      'migration.autoConverge',
    ])
      expect(bad.errors.join('\n')).toContain(f);
    const good = validateScenario({
      vms: [{ source: 'HLT' }],
      checkpoints: [{ at: 5, clone: true }],
      migration: { mode: 'post-copy', at: 10, latency: 50 },
    });
    expect(good.ok).toBe(true);
    if (good.ok) {
      expect(good.scenario.checkpoints).toEqual([{ at: 5, clone: true }]);
      expect(good.scenario.migration).toEqual({ mode: 'post-copy', at: 10, latency: 50 });
      expect(good.scenario.extra).toEqual({});
    }
  });
});
