// Exact flows: the sequence of hypervisor events a student sees must be the real system's.
import { describe, expect, it } from 'vitest';
import { scenarioFromSource } from '../scenario/scenario';
import type { TraceEvent } from '../trace/events';
import { prepare } from './engine';
import type { TechniqueId } from './technique';

/** A kernel that drops to user mode; the user makes one system call; the kernel returns with IRET. */
const SYSCALL = `
  LIDT idt
  MOV R1, 0x8000
  MOV KSP, R1
  PUSH 0x7000
  PUSH 3
  PUSH 0x200
  PUSH user
  IRET
user: INT 0x80
  OUT 0xF4, 0           ; a privileged instruction in user mode: #GP, the kernel powers off
handler: MOV R2, 1
  IRET
gp: OUT 0xF4, R2
  .align 4
idt: .space 4 * 13
  .word gp
  .space 4 * 114
  .word handler
`;

/** The timer fires while IF = 0; the interrupt must be taken right after STI. */
const PENDING = `
  LIDT idt
  OUT 0x40, 3           ; a tick every 3 instructions
  NOP
  NOP
  NOP
  NOP
sti: STI
after: NOP
  NOP
tick: OUT 0xF4, 0
  .align 4
idt: .space 4 * 32
  .word tick
`;

function events(src: string, technique: TechniqueId): TraceEvent[] {
  const p = prepare(scenarioFromSource(src), { technique, preset: '2006', trace: false });
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  p.engine.recordEvents(false);
  p.engine.runToEnd();
  return [...p.engine.events];
}

/** Hypervisor events, leaving out shadow-paging hidden faults (first touches of a page, not part of the flow). */
function hv(e: TraceEvent, i: number, all: TraceEvent[]): boolean {
  if (!['trap', 'emulate', 'reflect', 'inject', 'vm-exit', 'vm-entry', 'hypercall'].includes(e.kind)) return false;
  if (e.kind === 'trap' && e.cause.startsWith('hidden')) return false;
  if (e.kind === 'vm-exit' && e.qualification.includes('hidden')) return false;
  if (e.kind === 'vm-entry' && all[i - 1]?.kind === 'hidden-fault') return false;
  return true;
}

function describeEvent(e: TraceEvent): string {
  switch (e.kind) {
    case 'trap':
      return `trap(${e.cause})`;
    case 'emulate':
      return `emulate(${e.instruction})`;
    case 'reflect':
    case 'inject':
      return `${e.kind}(${e.vector})`;
    case 'vm-exit':
      return `vm-exit(${e.reasonName})`;
    default:
      return e.kind;
  }
}

describe('exact flows', () => {
  it('a system call under trap-and-emulate: trap → reflect → guest kernel → trap on IRET → emulate', () => {
    const list = events(SYSCALL, 'trap-and-emulate').filter(hv).map(describeEvent);
    const i = list.indexOf('trap(INT 128: a system call)');
    expect(i).toBeGreaterThan(0);
    expect(list.slice(i, i + 4)).toEqual([
      'trap(INT 128: a system call)',
      'reflect(128)',
      'trap(#GP: privileged instruction at real CPL 3)',
      'emulate(IRET)',
    ]);
    // The user's OUT: the CPU's #GP at virtual CPL 3 is reflected into the guest kernel.
    expect(list.slice(i + 4, i + 6)).toEqual(['trap(#GP in the guest)', 'reflect(13)']);
  });

  it('a system call under hardware assistance causes no VM exit', () => {
    const all = events(SYSCALL, 'hardware-assisted');
    const int = all.findIndex((e) => e.kind === 'interrupt' && e.vector === 0x80);
    expect(int).toBeGreaterThan(0);
    const iret = all.findIndex((e, k) => k > int && e.kind === 'interrupt' && e.vector === 13);
    expect(all.slice(int, iret).filter((e, k, a) => e.kind === 'vm-exit' && hv(e, k, a))).toEqual([]);
  });

  it("a timer tick while vIF = 0 is delivered once STI's shadow ends (trap-and-emulate)", () => {
    const all = events(PENDING, 'trap-and-emulate');
    const list = all.filter(hv).map(describeEvent);
    expect(list).toContain('trap(timer interrupt)');
    const sti = list.indexOf('emulate(STI)');
    expect(sti).toBeGreaterThan(list.indexOf('trap(timer interrupt)'));
    // The shadowed instruction runs (a further tick may reach the hypervisor meanwhile: ticks do not queue).
    const inj = list.indexOf('inject(32)', sti);
    expect(list.slice(sti + 1, inj).every((x) => x === 'trap(timer interrupt)')).toBe(true);
    const inject = all.find((e) => e.kind === 'inject');
    expect(inject?.pc).toBe(8 * 8); // the instruction after STI ran first (x86's STI shadow)
  });

  it("a timer tick while vIF = 0 is delivered once STI's shadow ends (hardware-assisted: interrupt window)", () => {
    const all = events(PENDING, 'hardware-assisted');
    const list = all.filter(hv).map(describeEvent);
    const ext = list.indexOf('vm-exit(EXTERNAL_INTERRUPT)');
    expect(ext).toBeGreaterThanOrEqual(0);
    expect(list[ext + 1]).toBe('vm-entry');
    const win = list.indexOf('vm-exit(INTERRUPT_WINDOW)');
    expect(win).toBeGreaterThan(ext);
    expect(list.slice(win, win + 3)).toEqual(['vm-exit(INTERRUPT_WINDOW)', 'inject(32)', 'vm-entry']);
    expect(all.find((e) => e.kind === 'inject')?.pc).toBe(8 * 8);
  });

  it('hardware-assisted I/O: the device model runs inside the exit, before the VM entry', () => {
    const kinds = events("  OUT 0xE9, 'x'\n  OUT 0xF4, 0\n", 'hardware-assisted')
      .filter(
        (e) =>
          !(e.kind === 'vm-exit' && e.reasonName === 'EXCEPTION') &&
          e.kind !== 'hidden-fault' &&
          e.kind !== 'shadow-update' &&
          e.kind !== 'tlb-flush',
      )
      .map((e) => (e.kind === 'vm-exit' ? `vm-exit(${e.reasonName})` : e.kind === 'vmx' ? `${e.name} ${e.field}` : e.kind));
    const i = kinds.indexOf('vm-exit(IO_INSTRUCTION)');
    // KVM: vmx_vcpu_run reads the exit reason and IDT-vectoring information; handle_io reads the exit
    // qualification, runs the device model (kvm_fast_pio), and kvm_skip_emulated_instruction advances GUEST_RIP.
    expect(kinds.slice(i, i + 11)).toEqual([
      'vm-exit(IO_INSTRUCTION)',
      'VMREAD VM_EXIT_REASON',
      'VMREAD IDT_VECTORING_INFO_FIELD',
      'VMREAD EXIT_QUALIFICATION',
      'emulate',
      'io',
      'console',
      'VMREAD VM_EXIT_INSTRUCTION_LEN',
      'VMWRITE GUEST_RIP',
      'vm-entry',
      'vm-exit(IO_INSTRUCTION)',
    ]);
  });

  it('hardware-assisted HLT: the blocked vCPU takes no external-interrupt exit; its tick is injected on entry', () => {
    const src = '  LIDT idt\n  OUT 0x40, 20\n  STI\n  HLT\ntick: OUT 0xF4, 0\n  .align 4\nidt: .space 4 * 32\n  .word tick\n';
    const list = events(src, 'hardware-assisted').filter(hv).map(describeEvent);
    const h = list.indexOf('vm-exit(HLT)');
    expect(list.slice(h, h + 4)).toEqual(['vm-exit(HLT)', 'emulate(HLT)', 'inject(32)', 'vm-entry']);
  });
});

describe('x86 interrupt rules under every technique', () => {
  const TECHNIQUES: TechniqueId[] = ['interpret', 'trap-and-emulate', 'binary-translation', 'hardware-assisted'];
  const run = (src: string, technique: TechniqueId) => {
    const p = prepare(scenarioFromSource(src), { technique, preset: '2006' });
    if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
    p.engine.runToEnd();
    return p.engine.result().vms[0];
  };
  const STI_CLI =
    '  LIDT idt\n  OUT 0x40, 2\n  NOP\n  NOP\n  NOP\n  STI\n  CLI\n  OUT 0xF4, 7\ntick: OUT 0xF4, 1\n  .align 4\nidt: .space 4 * 32\n  .word tick\n';
  const DOUBLE = '  LIDT idt\n  MOV R0, 0\ndiv: DIV R0, R0\n  .align 4\nidt: .space 4 * 8\n  .word df\ndf: POP R1\n  OUT 0xF4, R1\n';
  for (const t of TECHNIQUES) {
    it(`${t}: STI; CLI keeps the tick pending (STI shadow), and a failed delivery is a #DF`, () => {
      expect(run(STI_CLI, t).exitCode).toBe(7);
      expect(run(DOUBLE, t).exitCode).toBe(16);
      expect(run('  MOV R0, 0\n  DIV R0, R0\n', t)).toMatchObject({ state: 'crashed' });
    });
  }
});
