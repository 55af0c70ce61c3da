// The Checkpoints panel's rows and the timeline's marks, from the worker's own summaries of a real run.
import { describe, expect, it } from 'vitest';
import { prepare } from '../../../hypervisor/engine';
import { PlannedRun } from '../../../hypervisor/migration/planned-run';
import { type Scenario, scenarioFromSource, scenarioToJson } from '../../../scenario/scenario';
import { summaries } from '../../../worker/plan';
import { checkpointRows, kib, timelineMarks } from './checkpoint-rows';

const PROGRAM = `        MOV R1, 0
loop:   INC R1
        STORE [0x3000], R1
        JMP loop
`;

function run(): PlannedRun {
  const s: Scenario = { ...scenarioFromSource(PROGRAM), technique: 'trap-and-emulate' };
  const p = prepare(s, {});
  if (p.kind !== 'ready') throw new Error(p.kind);
  return new PlannedRun(p.engine, scenarioToJson(s), [{ vm: 0, at: 500 }], null);
}

describe('the Checkpoints panel', () => {
  it('lists each checkpoint with its moment, VM and the size of what it saved; only taken ones restore', () => {
    const r = run();
    r.advance(100);
    let rows = checkpointRows(summaries(r, ['vm1']), 100);
    expect(rows[0]).toMatchObject({ name: 'Checkpoint 1', moment: 'step 500', vm: 'vm1', canRestore: false, canDownload: false });
    expect(rows[0].size).toBe('not taken yet at this moment of the run');
    r.advance(900);
    const slot = r.take(0);
    rows = checkpointRows(summaries(r, ['vm1']), 1000);
    expect(rows).toHaveLength(2);
    expect(rows[slot]).toMatchObject({ moment: 'step 1,000', canRestore: true, canDownload: true, canClone: true, canDelete: true });
    // 64 KiB of memory in base64 is 87,384 characters; the vCPU, devices and technique state are small.
    expect(rows[0].size).toMatch(/^vCPU \d+ B · memory 16 pages \(85 KiB in base64\) · devices [\d.]+ (B|KiB) · technique [\d.]+ (B|KiB)$/);
    r.advance(200);
    expect(r.restore(0)).toBeNull();
    rows = checkpointRows(summaries(r, ['vm1']), 1200);
    expect(rows[0].note).toBe('restored at step 1,200');
    expect(timelineMarks(summaries(r, ['vm1']))).toEqual({ taken: [500, 1000], restored: [1200] });
  });

  it('a checkpoint opened from a file is restorable but not the scenario’s (no clone, no delete)', () => {
    const r = run();
    r.advance(600);
    const data = r.checkpoints[0].data;
    if (!data) throw new Error('not taken');
    r.open(data);
    const rows = checkpointRows(summaries(r, ['vm1']), 600);
    expect(rows[1]).toMatchObject({
      moment: 'step 500 of its own run',
      note: 'opened from a file',
      canRestore: true,
      canClone: false,
      canDelete: false,
    });
    expect(timelineMarks(summaries(r, ['vm1'])).taken).toEqual([500]);
  });

  it('sizes read as people read them', () => {
    expect(kib(512)).toBe('512 B');
    expect(kib(87384)).toBe('85 KiB');
    expect(kib(2048)).toBe('2.0 KiB');
  });
});

describe('a restore the scenario plans', () => {
  it('is "to be restored" until the run reaches it', () => {
    const list = [{ index: 0, vm: 0, vmName: 'vm1', at: 50, restoreAt: 120, origin: 'scenario' as const, taken: true }];
    expect(checkpointRows(list, 100)[0].note).toBe('to be restored at step 120');
    expect(checkpointRows(list, 120)[0].note).toBe('restored at step 120');
  });
});
