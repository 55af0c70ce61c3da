import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../protocol/messages';
import { chainOf, durationFor, layerAfter, transitionOf } from './machine-animation';

const base = { vm: 0, pc: 0, time: 0, step: 0 };
const names = (n: string) => ['vm1', 'vm2'].indexOf(n);

describe('transitions between layers', () => {
  it('draws a trap from the guest layer the CPU was in to the hypervisor, and a reflection back into the kernel', () => {
    const trap: TraceEvent = {
      ...base,
      kind: 'trap',
      cause: 'INT 128: a system call',
      instruction: 'INT 128',
      realCpl: 3,
      virtualCpl: 3,
      action: 'reflect',
    };
    expect(transitionOf(trap, 'trap-and-emulate', 'kernel', names)).toMatchObject({ from: 'vm0-user', to: 'hypervisor', label: 'trap' });
    const reflect: TraceEvent = { ...base, kind: 'reflect', vector: 128, name: 'INT 128' };
    expect(transitionOf(reflect, 'trap-and-emulate', 'user', names)).toMatchObject({ from: 'hypervisor', to: 'vm0-kernel' });
    expect(layerAfter(reflect, 'user')).toBe('kernel');
  });

  it('draws VM exits and entries, hypercalls and world switches between the right layers', () => {
    const exit: TraceEvent = { ...base, vm: 1, kind: 'vm-exit', reason: 30, reasonName: 'IO_INSTRUCTION', qualification: 'port 0xE9' };
    expect(transitionOf(exit, 'hardware-assisted', 'user', names)).toMatchObject({ from: 'vm1-user', to: 'hypervisor', label: 'VM exit' });
    const entry: TraceEvent = { ...base, kind: 'vm-entry' };
    expect(transitionOf(entry, 'hardware-assisted', 'kernel', names)).toMatchObject({ from: 'hypervisor', to: 'vm0-kernel' });
    const call: TraceEvent = { ...base, kind: 'hypercall', number: 0, name: 'console_write', args: [65, 0, 0], result: 0 };
    expect(transitionOf(call, 'paravirtualization', 'kernel', names)).toMatchObject({ from: 'vm0-kernel', to: 'hypervisor' });
    const ws: TraceEvent = { ...base, kind: 'world-switch', from: 'vm1', to: 'vm2' };
    expect(transitionOf(ws, 'trap-and-emulate', 'kernel', names)).toMatchObject({ from: 'vm0-kernel', to: 'vm1-kernel' });
    const host: TraceEvent = { ...base, kind: 'world-switch', from: 'hypervisor', to: 'host OS (I/O)' };
    expect(transitionOf(host, 'hardware-assisted', 'kernel', names)).toMatchObject({ from: 'hypervisor', to: 'host' });
  });

  it('marks a fidelity violation as an alarm in place, and leaves frequent events undrawn', () => {
    const v: TraceEvent = { ...base, kind: 'fidelity-violation', instruction: 'POPF', expected: 'IF=1', actual: 'IF=0' };
    expect(transitionOf(v, 'trap-and-emulate', 'kernel', names)).toMatchObject({ from: 'vm0-kernel', to: 'vm0-kernel', alarm: true });
    const c: TraceEvent = { ...base, kind: 'console', text: 'x' };
    expect(transitionOf(c, 'native', 'kernel', names)).toBeNull();
  });

  it('plays slowly when alone, quickly when transitions pile up', () => {
    expect(durationFor(1)).toBeGreaterThanOrEqual(800);
    expect(durationFor(10)).toBeLessThan(durationFor(3));
  });

  it('calls an event out with its chain: trap → reflect, exit → handler → entry, hypercall → return', () => {
    const trap: TraceEvent = {
      ...base,
      kind: 'trap',
      cause: 'INT 128: a system call',
      instruction: 'INT 128',
      realCpl: 3,
      virtualCpl: 3,
      action: 'reflect vector 128 through the guest’s IDT',
    };
    expect(chainOf(trap, 'trap-and-emulate')).toEqual({ steps: ['trap', 'reflect'], at: 0 });
    expect(chainOf({ ...trap, action: 'emulate LIDT on the vCPU' }, 'trap-and-emulate')).toEqual({ steps: ['trap', 'emulate'], at: 0 });
    expect(chainOf({ ...trap, action: 'fill the shadow entry from the guest PTE' }, 'trap-and-emulate')?.steps).toEqual([
      'trap',
      'hidden fault',
    ]);
    expect(chainOf({ ...base, kind: 'reflect', vector: 128, name: 'INT 128' }, 'trap-and-emulate')).toEqual({
      steps: ['trap', 'reflect'],
      at: 1,
    });
    const exit: TraceEvent = {
      ...base,
      kind: 'vm-exit',
      reason: 30,
      reasonName: 'IO_INSTRUCTION',
      qualification: 'port 0xE9',
      handler: 'handle_io: x',
    };
    expect(chainOf(exit, 'hardware-assisted')).toEqual({ steps: ['exit', 'handle_io', 'entry'], at: 0 });
    expect(chainOf({ ...base, kind: 'vm-entry' }, 'hardware-assisted')?.at).toBe(2);
    const call: TraceEvent = { ...base, kind: 'hypercall', number: 1, name: 'mmu_update', args: [], result: 0 };
    expect(chainOf(call, 'paravirtualization')).toEqual({ steps: ['hypercall mmu_update', 'return 0'], at: 0 });
    expect(chainOf({ ...base, kind: 'console', text: 'x' }, 'native')).toBeNull();
  });
});
