import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../protocol/messages';
import { arrowOf, lanesOf, xOf } from './sequence-lanes';

const base = { vm: 0, pc: 0, time: 0, step: 0 };

describe('the sequence view’s lanes', () => {
  it('has a host OS lane only for a type 2 hypervisor, host B only with a migration, no hypervisor on bare metal', () => {
    expect(lanesOf('trap-and-emulate', 1, false)).toEqual(['user', 'kernel', 'hypervisor', 'hardware']);
    expect(lanesOf('hardware-assisted', 2, false)).toEqual(['user', 'kernel', 'hypervisor', 'host', 'hardware']);
    expect(lanesOf('paravirtualization', 1, true)).toEqual(['user', 'kernel', 'hypervisor', 'hardware', 'host-b']);
    expect(lanesOf('native', 2, false)).toEqual(['user', 'kernel', 'hardware']);
  });

  it('draws a system call’s trap from user to the hypervisor and its reflect into the kernel; a kernel trap from the kernel', () => {
    const trap: TraceEvent = {
      ...base,
      kind: 'trap',
      cause: 'INT 128: a system call',
      instruction: 'INT 128',
      realCpl: 3,
      virtualCpl: 3,
      action: 'reflect vector 128 through the guest’s IDT',
    };
    expect(arrowOf(trap, 'trap-and-emulate')).toEqual({ from: 'user', to: 'hypervisor', label: 'trap' });
    expect(arrowOf({ ...trap, virtualCpl: 0 }, 'trap-and-emulate').from).toBe('kernel');
    expect(arrowOf({ ...base, kind: 'reflect', vector: 128, name: 'INT 128' }, 'trap-and-emulate')).toEqual({
      from: 'hypervisor',
      to: 'kernel',
      label: 'reflect',
    });
    expect(arrowOf({ ...base, kind: 'emulate', instruction: 'LIDT', effect: 'x' }, 'trap-and-emulate')).toEqual({
      from: 'hypervisor',
      to: 'hypervisor',
      label: 'emulate',
    });
  });

  it('draws exits from the guest (whose ring the event does not record) and entries back, hypercalls from the kernel', () => {
    const exit: TraceEvent = { ...base, kind: 'vm-exit', reason: 30, reasonName: 'IO_INSTRUCTION', qualification: 'port 0xE9' };
    expect(arrowOf(exit, 'hardware-assisted')).toEqual({ from: 'guest', to: 'hypervisor', label: 'VM exit' });
    expect(arrowOf({ ...base, kind: 'vm-entry', instruction: 'VMRESUME' }, 'hardware-assisted')).toEqual({
      from: 'hypervisor',
      to: 'guest',
      label: 'VM entry',
    });
    const call: TraceEvent = { ...base, kind: 'hypercall', number: 1, name: 'mmu_update', args: [], result: 0 };
    expect(arrowOf(call, 'paravirtualization')).toEqual({ from: 'kernel', to: 'hypervisor', label: 'hypercall' });
  });

  it('draws world switches to and from the host OS by the names the event gives, and a timer from the hardware', () => {
    expect(arrowOf({ ...base, kind: 'world-switch', from: 'hypervisor', to: 'host OS (I/O)' }, 'hardware-assisted')).toMatchObject({
      from: 'hypervisor',
      to: 'host',
    });
    expect(arrowOf({ ...base, kind: 'world-switch', from: 'host OS', to: 'hypervisor' }, 'hardware-assisted')).toMatchObject({
      from: 'host',
      to: 'hypervisor',
    });
    expect(arrowOf({ ...base, kind: 'world-switch', from: 'vm1', to: 'vm2' }, 'trap-and-emulate')).toMatchObject({
      from: 'guest',
      to: 'guest',
    });
    const tick: TraceEvent = { ...base, kind: 'interrupt', vector: 32, name: 'timer', cause: 'timer', returnPc: 0 };
    expect(arrowOf(tick, 'native')).toEqual({ from: 'hardware', to: 'kernel', label: 'interrupt' });
  });

  it('sends a migration’s rounds to host B and brings post-copy’s faults back; PML logs in the CPU', () => {
    expect(arrowOf({ ...base, kind: 'migrate-round', round: 1, pages: 16 }, 'hardware-assisted')).toMatchObject({
      from: 'hypervisor',
      to: 'host-b',
    });
    expect(arrowOf({ ...base, kind: 'network-fault', page: 3, access: 'read' }, 'hardware-assisted')).toMatchObject({
      from: 'host-b',
      to: 'hypervisor',
    });
    const pml: TraceEvent = { ...base, kind: 'dirty-log', page: 2, how: 'Intel PML: the CPU logs the page in the PML buffer, no exit' };
    expect(arrowOf(pml, 'hardware-assisted').to).toBe('hardware');
    expect(arrowOf({ ...pml, how: 'EPT write protection: an EPT violation exit, mark_page_dirty' }, 'hardware-assisted').to).toBe(
      'hypervisor',
    );
  });

  it('places the guest between its user and kernel lanes', () => {
    const lanes = lanesOf('hardware-assisted', 1, false);
    expect(xOf('user', lanes)).toBeCloseTo(1 / 8);
    expect(xOf('guest', lanes)).toBeCloseTo(2 / 8);
    expect(xOf('hypervisor', lanes)).toBeCloseTo(5 / 8);
  });
});
