// Hardware assistance as KVM drives it (arch/x86/kvm/vmx/vmx.c, x86.c), flow by flow.
import { describe, expect, it } from 'vitest';
import { scenarioFromSource, validateScenario } from '../scenario/scenario';
import type { TraceEvent } from '../trace/events';
import { prepare } from './engine';
import type { Monitor } from './monitor';

function run(src: string, opts: { paging?: 'shadow' | 'nested'; preset?: '2006' | 'modern' } = {}) {
  const p = prepare(scenarioFromSource(src), {
    technique: 'hardware-assisted',
    preset: opts.preset ?? (opts.paging === 'nested' ? 'modern' : '2006'),
    paging: opts.paging ?? 'shadow',
  });
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  p.engine.recordEvents(false);
  p.engine.runToEnd();
  return { result: p.engine.result(), events: [...p.engine.events] as TraceEvent[] };
}

const exits = (events: TraceEvent[]) => events.flatMap((e) => (e.kind === 'vm-exit' ? [e.reasonName] : []));

/** Drops to user mode, whose code is `user`; the kernel's #GP handler powers off with R0. */
const userMode = (user: string) => `
  LIDT idt
  MOV R1, 0x8000
  MOV KSP, R1
  PUSH 0x7000
  PUSH 3
  PUSH 0x200
  PUSH user
  IRET
user: ${user}
gp: OUT 0xF4, R0
  .align 4
idt: .space 4 * 13
  .word gp
`;

describe('hardware-assisted as KVM runs it', () => {
  it('enters first with VMLAUNCH after setting the VMCS up, and with VMRESUME after every exit', () => {
    const { events } = run('  OUT 0xE9, 65\n  OUT 0xE9, 66\n  OUT 0xF4, 0\n');
    const entries = events.filter((e) => e.kind === 'vm-entry').map((e) => (e.kind === 'vm-entry' ? e.instruction : ''));
    expect(entries[0]).toBe('VMLAUNCH');
    expect(entries.slice(1).every((x) => x === 'VMRESUME')).toBe(true);
    const setup = events
      .slice(
        0,
        events.findIndex((e) => e.kind === 'vm-entry'),
      )
      .map((e) => (e.kind === 'vmx' ? e.name : e.kind));
    expect(setup.slice(0, 3)).toEqual(['VMXON', 'VMCLEAR', 'VMPTRLD']);
    expect(setup.filter((x) => x === 'VMWRITE').length).toBeGreaterThan(5);
    // The last exit (OUT 0xF4 powers off) has no entry after it: entries = exits (one launch, no resume at the end).
    expect(entries.length).toBe(events.filter((e) => e.kind === 'vm-exit').length);
  });

  it('refuses a VMCALL from guest user mode: R0 ← −1 (−KVM_EPERM), no hypercall made', () => {
    // VMCALL 9 is shutdown: from CPL 3 it must not power the VM off.
    const { result, events } = run(userMode('  VMCALL 9\n  MOV R0, R0\n  CLI'));
    const vm = result.vms[0];
    expect(vm.exitCode).toBe(-1 | 0); // the #GP handler (CLI at CPL 3) powers off with R0 = −1
    expect(vm.counters.hypercalls).toBe(0);
    expect(events.some((e) => e.kind === 'hypercall')).toBe(false);
    expect(exits(events)).toContain('VMCALL');
  });

  it('exits on a CR3 store without EPT (the guest must never see the shadow root) and gets its own CR3', () => {
    const src = '  MOV R1, 0x9000\n  MOV CR3, R1\n  MOV R2, CR3\n  OUT 0xF4, R2\n';
    const shadow = run(src);
    expect(shadow.result.vms[0].exitCode).toBe(0x9000);
    const cr = shadow.events.filter((e) => e.kind === 'vm-exit' && e.reasonName === 'CR_ACCESS');
    expect(cr.map((e) => (e.kind === 'vm-exit' ? e.qualification : ''))).toEqual([
      'MOV to CR3 (CR3-load exiting: switch shadow tables)',
      'MOV from CR3 (CR3-store exiting: the guest gets its own CR3, not the shadow root)',
    ]);
    expect(exits(run(src, { paging: 'nested' }).events)).not.toContain('CR_ACCESS');
  });

  it('exits on a CR0 write that changes PG, with EPT too (KVM owns CR0.PG); not on one that keeps it', () => {
    const src = `
  MOV R1, 0x9000
  MOV R2, 0x0007          ; identity-map pages 0-15
map: STORE [R1], R2
  ADD R2, 0x1000
  ADD R1, 4
  CMP R1, 0x9040
  JNZ map
  MOV R1, 0x9000
  MOV CR3, R1
  MOV R4, 0x80000000
  MOV CR0, R4             ; PG 0 → 1: exit
  MOV CR0, R4             ; PG stays 1: no exit
  OUT 0xF4, 0
`;
    const { events, result } = run(src, { paging: 'nested' });
    expect(result.vms[0].state).toBe('powered-off');
    expect(events.filter((e) => e.kind === 'vm-exit' && e.reasonName === 'CR_ACCESS').length).toBe(1);
  });

  it('intercepts #UD (always in the exception bitmap) and re-injects it into the guest', () => {
    const src =
      '  LIDT idt\n  .byte 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF\nud: OUT 0xF4, 6\n  .align 4\nidt: .space 4 * 6\n  .word ud\n';
    for (const paging of ['shadow', 'nested'] as const) {
      const { events, result } = run(src, { paging });
      expect(result.vms[0].exitCode).toBe(6);
      const i = events.findIndex((e) => e.kind === 'vm-exit' && e.reasonName === 'EXCEPTION' && e.qualification.startsWith('#UD'));
      expect(i).toBeGreaterThanOrEqual(0);
      expect(events.slice(i).find((e) => e.kind === 'inject')).toMatchObject({ vector: 6 });
    }
  });

  it('an exit during event delivery (a hidden fault pushing the frame) reports IDT-vectoring information and re-injects the event', () => {
    // Paging on, identity map; the kernel stack's page is touched first by the system call's frame.
    const src = `
  MOV R1, 0x9000
  MOV R2, 0x0007          ; identity-map pages 0-15
map: STORE [R1], R2
  ADD R2, 0x1000
  ADD R1, 4
  CMP R1, 0x9040
  JNZ map
  MOV R1, 0x9000
  MOV CR3, R1
  MOV R4, 0x80000000
  MOV CR0, R4
  LIDT idt
  MOV R1, 0xE000
  MOV KSP, R1
  PUSH 0x7000
  PUSH 3
  PUSH 0x200
  PUSH user
  IRET
user: INT 0x80
sys: OUT 0xF4, 0
  .align 4
idt: .space 4 * 128
  .word sys
`;
    const { events, result } = run(src);
    expect(result.vms[0].state).toBe('powered-off');
    const vectoring = events.find((e) => e.kind === 'vmx' && e.field === 'IDT_VECTORING_INFO_FIELD' && e.value !== 0);
    // Valid (bit 31), software interrupt (type 4), vector 128.
    expect(vectoring).toMatchObject({ value: (0x80000000 | (4 << 8) | 128) >>> 0 });
    const after = events.slice(events.indexOf(vectoring!));
    const reinject = after.findIndex((e) => e.kind === 'vmx' && e.field === 'VM_ENTRY_INTR_INFO_FIELD');
    expect(after[reinject]).toMatchObject({ value: (0x80000000 | (4 << 8) | 128) >>> 0 });
    expect(after[reinject + 1]).toMatchObject({ kind: 'inject', vector: 128 });
    expect(after[reinject + 2]).toMatchObject({ kind: 'vm-entry' });
  });
});

describe('HLT and blocking: one host clock', () => {
  const BUSY = '  MOV R1, 0\nloop: INC R1\n  CMP R1, 20000\n  JNZ loop\n  OUT 0xF4, 0\n';
  const IDLE = `
  LIDT idt
  OUT 0x40, 500          ; a tick every 500 instructions of host time
  STI
idle: HLT
  JMP idle
tick: INC R5
  IRET
  .align 4
idt: .space 4 * 32
  .word tick
`;

  for (const technique of ['trap-and-emulate', 'binary-translation', 'hardware-assisted'] as const) {
    it(`${technique}: an idle VM beside a busy one costs the busy one nothing, and wakes on its own timer`, () => {
      const runWith = (vms: { name: string; source: string }[]) => {
        const s = validateScenario({ technique, preset: 'modern', maxSteps: 200_000, vms });
        if (!s.ok) throw new Error(s.errors.join('\n'));
        const p = prepare(s.scenario);
        if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
        // Stop when the busy VM is done (the idle one would idle forever).
        const busy = (p.engine.run as Monitor).guests[0].machine;
        while (busy.state === 'running' && p.engine.run.run(50) !== 'all-stopped');
        return p.engine.run.vms();
      };
      const alone = runWith([{ name: 'busy', source: BUSY }])[0];
      const [busy, idle] = runWith([
        { name: 'busy', source: BUSY },
        { name: 'idle', source: IDLE },
      ]);
      expect(busy.counters.instructions).toBe(alone.counters.instructions);
      expect(busy.exitCode).toBe(0);
      // The idle VM ran only its tick handler, once per tick of host time (about 60,000 / 500 of them).
      expect(idle.cpu.R5).toBeGreaterThanOrEqual(100);
      expect(idle.cpu.R5).toBeLessThanOrEqual(130);
      expect(idle.counters.instructions).toBeLessThan(busy.counters.instructions / 20);
    });
  }
});
