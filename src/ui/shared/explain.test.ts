import { describe, expect, it } from 'vitest';
import { EVENT_KINDS, TECHNIQUE_IDS, type TraceEvent } from '../../protocol/messages';
import { explain } from './explain';

const base = { vm: 0, pc: 0x40, time: 10, step: 3 };

describe('explanations', () => {
  it('say why a trap happened and what the hypervisor does, in the spec’s words', () => {
    const e: TraceEvent = {
      ...base,
      kind: 'trap',
      cause: '#GP: privileged instruction at real CPL 3',
      instruction: 'IRET',
      realCpl: 3,
      virtualCpl: 0,
      action: 'emulate IRET on the vCPU',
    };
    const x = explain(e, 'trap-and-emulate');
    expect(x.why).toContain('real CPL 3');
    expect(x.did).toContain('emulate IRET');
  });

  it('call a fidelity violation what it is', () => {
    const x = explain({ ...base, kind: 'fidelity-violation', instruction: 'POPF', expected: 'IF=1', actual: 'IF=0' }, 'trap-and-emulate');
    expect(x.summary).toBe('POPF: expected IF=1, got IF=0');
    expect(x.did).toContain('Popek–Goldberg');
  });

  it('explain a system call under hardware assistance as needing no exit', () => {
    const x = explain({ ...base, kind: 'interrupt', vector: 128, name: 'INT 128', cause: 'software', returnPc: 0x48 }, 'hardware-assisted');
    expect(x.did).toContain('no VM exit');
  });

  it('give every kind a summary, a why and a what-then under every technique', () => {
    const samples: Record<string, TraceEvent> = {
      instruction: { ...base, kind: 'instruction', text: 'NOP', cpl: 0 },
      interrupt: { ...base, kind: 'interrupt', vector: 32, name: 'timer', cause: 'timer', returnPc: 0 },
      trap: { ...base, kind: 'trap', cause: 'c', instruction: 'HLT', realCpl: 3, virtualCpl: 0, action: 'a' },
      emulate: { ...base, kind: 'emulate', instruction: 'CLI', effect: 'vIF ← 0' },
      reflect: { ...base, kind: 'reflect', vector: 13, name: '#GP' },
      inject: { ...base, kind: 'inject', vector: 32, name: 'timer' },
      'vm-exit': { ...base, kind: 'vm-exit', reason: 12, reasonName: 'HLT', qualification: '' },
      'vm-entry': { ...base, kind: 'vm-entry' },
      vmx: { ...base, kind: 'vmx', name: 'VMREAD', field: 'VM_EXIT_REASON', value: 12 },
      hypercall: { ...base, kind: 'hypercall', number: 2, name: 'irq_disable', args: [0, 0, 0], result: 0 },
      translate: { ...base, kind: 'translate', block: 8, instructions: 3, replaced: 1, code: [] },
      'tc-hit': { ...base, kind: 'tc-hit', block: 8 },
      'tc-invalidate': { ...base, kind: 'tc-invalidate', block: 8 },
      'world-switch': { ...base, kind: 'world-switch', from: 'vm1', to: 'vm2' },
      'shadow-update': { ...base, kind: 'shadow-update', page: 3, detail: 'd' },
      'hidden-fault': { ...base, kind: 'hidden-fault', address: 0x3000 },
      'ept-update': { ...base, kind: 'ept-update', frame: 3, hostFrame: 21 },
      'tlb-flush': { ...base, kind: 'tlb-flush', scope: 'all', why: 'w' },
      io: { ...base, kind: 'io', port: 0xe9, value: 65, direction: 'out' },
      console: { ...base, kind: 'console', text: 'A' },
      'fidelity-violation': { ...base, kind: 'fidelity-violation', instruction: 'SMSW', expected: '0', actual: '3' },
      'vm-state': { ...base, kind: 'vm-state', state: 'crashed', reason: 'triple fault' },
      checkpoint: { ...base, kind: 'checkpoint' },
      restore: { ...base, kind: 'restore' },
      'migrate-round': { ...base, kind: 'migrate-round', round: 1, pages: 16 },
      clone: { ...base, kind: 'clone', from: 'vm1', name: 'vm1-clone' },
      'dirty-log': { ...base, kind: 'dirty-log', page: 3, how: 'h' },
      'stop-and-copy': { ...base, kind: 'stop-and-copy', pages: 2, reason: 'r' },
      'migrate-resume': { ...base, kind: 'migrate-resume', host: 'host B', downtime: 1200 },
      'network-fault': { ...base, kind: 'network-fault', page: 3, access: 'read' },
    };
    for (const kind of EVENT_KINDS) {
      for (const t of TECHNIQUE_IDS) {
        const x = explain(samples[kind], t);
        expect(x.summary.length, kind).toBeGreaterThan(0);
        expect(x.why.length, kind).toBeGreaterThan(0);
        expect(x.did.length, kind).toBeGreaterThan(0);
      }
    }
  });

  it('speak of the machine, not a guest or a VM, on bare metal', () => {
    // The kinds of event a bare-metal run has (virtlab run @bare-metal --trace).
    const native: TraceEvent[] = [
      { ...base, kind: 'instruction', text: 'NOP', cpl: 0 },
      { ...base, kind: 'interrupt', vector: 128, name: 'INT 128', cause: 'software', returnPc: 0x48 },
      { ...base, kind: 'interrupt', vector: 32, name: 'timer', cause: 'timer', returnPc: 0 },
      { ...base, kind: 'io', port: 0xe9, value: 65, direction: 'out' },
      { ...base, kind: 'console', text: 'A' },
      { ...base, kind: 'tlb-flush', scope: 'all', why: 'CR3 was loaded' },
      { ...base, kind: 'vm-state', state: 'powered-off', exitCode: 0 },
      { ...base, kind: 'vm-state', state: 'crashed', reason: 'triple fault' },
    ];
    for (const e of native) {
      const x = explain(e, 'native');
      expect(`${x.summary} ${x.why} ${x.did}`, e.kind).not.toMatch(/guest|\bVMs?\b|hypervisor|vCPU|vIF/i);
    }
    expect(explain(native[7], 'native').did).toBe('The machine stops: nothing else runs on it.');
    expect(explain(native[7], 'hardware-assisted').did).toBe('It stops alone; any other VM goes on.');
  });

  it("speak AMD-V's words for an AMD run: #VMEXIT codes, the VMCB, VMRUN, guest mode", () => {
    const base = { vm: 0, pc: 16, time: 1, step: 2 };
    const exit = explain({ ...base, kind: 'vm-exit', reason: 0x72, reasonName: 'CPUID', qualification: '' }, 'hardware-assisted', 'amd');
    expect(exit.why).toContain('#VMEXIT code 0x72');
    expect(exit.why).not.toMatch(/Intel|VMX|non-root/);
    expect(exit.did).toContain('VMCB');
    const entry = explain({ ...base, kind: 'vm-entry', instruction: 'VMRUN' }, 'hardware-assisted', 'amd');
    expect(entry.did).toContain('VMRUN loaded the guest state from the VMCB');
    const vmx = explain({ ...base, kind: 'vmx', name: 'VMCB read', field: 'control.EXITCODE', value: 0x72 }, 'hardware-assisted', 'amd');
    expect(vmx.why).toContain('VMCB');
    expect(vmx.why).not.toContain('VMCS');
    // Intel's stay as they were.
    expect(explain({ ...base, kind: 'vm-exit', reason: 10, reasonName: 'CPUID', qualification: '' }, 'hardware-assisted').why).toContain(
      'Intel reason 10',
    );
  });
});
