// Xen's PV interface (docs/xen-interface.md): each hypercall and its errors on a bare vCPU, then whole
// guests under paravirtualization: events against a masked vCPU, CR2 in vcpu_info, user hypercalls,
// typed page tables, direct and bounced system calls, unmodified kernels.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../isa/assembler';
import { Machine } from '../../machine/machine';
import { validateScenario } from '../../scenario/scenario';
import type { TraceEvent } from '../../trace/events';
import { prepare, type RunResultJson } from '../engine';
import { HYPERCALL, XEN_ERRNO } from './abi';
import { serveHypercall } from './hypercalls';
import { newXenVcpu, type XenVcpu } from './state';

const { EPERM, ENOENT, EBUSY, EEXIST, EFAULT, EINVAL, ENOSYS, ESRCH } = XEN_ERRNO;

/** A vCPU with paging off (guest-physical = virtual) and Xen's state, to serve hypercalls on. */
function vcpu(): { m: Machine; x: XenVcpu; call: (n: number, ...args: number[]) => number } {
  const m = new Machine();
  const x = newXenVcpu();
  const call = (n: number, ...args: number[]) => {
    args.forEach((a, i) => {
      m.r[i + 1] = a;
    });
    serveHypercall({ m, xen: x, pv: true, words: true }, n);
    return m.r[0];
  };
  return { m, x, call };
}

const word = (m: Machine, pa: number) => m.mem[pa] | (m.mem[pa + 1] << 8) | (m.mem[pa + 2] << 16) | (m.mem[pa + 3] << 24);
function put(m: Machine, pa: number, ...words: number[]) {
  words.forEach((w, i) => {
    for (let b = 0; b < 4; b++) m.mem[pa + 4 * i + b] = (w >>> (8 * b)) & 0xff;
  });
}

describe("Xen's hypercalls on the vCPU", () => {
  it('an unknown number is -ENOSYS; the result is in R0 and the PC moves past the VMCALL', () => {
    const { m, call } = vcpu();
    expect(call(2)).toBe(-ENOSYS); // set_gdt: not served
    expect(call(99)).toBe(-ENOSYS);
    expect(m.pc).toBe(16);
  });

  it('set_trap_table copies trap_info entries up to the one with address 0; stack_switch takes (ss, esp)', () => {
    const { m, x, call } = vcpu();
    m.mem.set([14, 0, 0x19, 0xe0], 0x100);
    put(m, 0x104, 0x500);
    m.mem.set([0x80, 3, 0x19, 0xe0], 0x108);
    put(m, 0x10c, 0x600, 0, 0);
    expect(call(HYPERCALL.set_trap_table, 0x100)).toBe(0);
    expect(x.traps[14]).toBe(0x500);
    expect([x.traps[0x80], x.trapFlags[0x80]]).toEqual([0x600, 3]);
    expect(call(HYPERCALL.set_trap_table, 0x20000)).toBe(-EFAULT);
    expect(call(HYPERCALL.stack_switch, 0xe021, 0xe000)).toBe(0);
    expect(m.ksp).toBe(0xe000);
    expect(call(HYPERCALL.set_trap_table, 0)).toBe(0);
    expect(x.traps[14]).toBe(0);
  });

  it('mmuext_op NEW_BASEPTR types the table; mmu_update validates a batch and stops at the first refusal', () => {
    const { m, x, call } = vcpu();
    put(m, 0x1000, 0x0003, 0x1001); // page 0 → frame 0, page 1 → frame 1 read-only (the table's own frame)
    put(m, 0x100, 5, 0x1000, 0); // MMUEXT_NEW_BASEPTR 0x1000
    expect(call(HYPERCALL.mmuext_op, 0x100, 1, 0, 0x7ff0)).toBe(0);
    expect(m.cr0 >>> 31).toBe(1);
    expect(x.pageTable[1]).toBe(1);
    // Three requests: frame 4 (fine), frame 1 writable (the page table: refused), frame 5 (never reached).
    put(m, 0x200, 0x1000 + 16, 0, 0x4003, 0, 0x1000 + 20, 0, 0x1003, 0, 0x1000 + 24, 0, 0x5003, 0);
    expect(call(HYPERCALL.mmu_update, 0x200, 3, 0x300, 0x7ff0)).toBe(-EBUSY);
    expect(word(m, 0x300)).toBe(1);
    expect([word(m, 0x1010), word(m, 0x1014), word(m, 0x1018)]).toEqual([0x4003, 0, 0]);
    // A frame that is not the VM's; a word outside the VM; another domain; an unknown command.
    put(m, 0x200, 0x1000 + 16, 0, 0x10003, 0);
    expect(call(HYPERCALL.mmu_update, 0x200, 1, 0, 0x7ff0)).toBe(-EPERM);
    put(m, 0x200, 0x10000, 0, 0x4003, 0);
    expect(call(HYPERCALL.mmu_update, 0x200, 1, 0, 0x7ff0)).toBe(-EINVAL);
    expect(call(HYPERCALL.mmu_update, 0x200, 1, 0, 1)).toBe(-ESRCH);
    put(m, 0x200, 0x1000 + 16 + 3, 0, 0x4003, 0);
    expect(call(HYPERCALL.mmu_update, 0x200, 1, 0, 0x7ff0)).toBe(-ENOSYS);
    // A word in a frame that is no page table is written as is (do_mmu_update's PGT_writable_page case).
    put(m, 0x200, 0x2000, 0, 0x1003, 0);
    expect(call(HYPERCALL.mmu_update, 0x200, 1, 0, 0x7ff0)).toBe(0);
    expect(word(m, 0x2000)).toBe(0x1003);
    // A base whose table maps itself writable is refused whole.
    put(m, 0x2000, 0x0003, 0x2003, 0);
    put(m, 0x100, 5, 0x2000, 0);
    expect(call(HYPERCALL.mmuext_op, 0x100, 1, 0, 0x7ff0)).toBe(-EINVAL);
    expect(m.cr3).toBe(0x1000);
    put(m, 0x100, 42, 0, 0);
    expect(call(HYPERCALL.mmuext_op, 0x100, 1, 0, 0x7ff0)).toBe(-ENOSYS);
  });

  it('update_va_mapping validates the entry of an address in the current table', () => {
    const { m, call } = vcpu();
    put(m, 0x1000, 0x0003, 0x1001);
    expect(call(HYPERCALL.update_va_mapping, 0x4000, 0x4003, 0, 0)).toBe(-EINVAL); // paging off: no table
    put(m, 0x100, 5, 0x1000, 0);
    call(HYPERCALL.mmuext_op, 0x100, 1, 0, 0x7ff0);
    expect(call(HYPERCALL.update_va_mapping, 0x4000, 0x4003, 0, 2)).toBe(0);
    expect(word(m, 0x1010)).toBe(0x4003);
    expect(call(HYPERCALL.update_va_mapping, 0x5000, 0x1003, 0, 0)).toBe(-EBUSY);
  });

  it('multicall runs every entry, writes each result back, and counts as one crossing', () => {
    const { m, call } = vcpu();
    const list = 0x400;
    put(m, 0x500, 0x41424344);
    put(m, list, HYPERCALL.console_io, 0, 0, 4, 0x500); // console_io(CONSOLEIO_write, 4, 0x500)
    put(m, list + 32, 77, 0); // unknown: -ENOSYS, and the batch goes on
    put(m, list + 64, HYPERCALL.xen_version, 0, 0);
    put(m, list + 96, HYPERCALL.multicall, 0, list, 1); // no nesting
    expect(call(HYPERCALL.multicall, list, 4)).toBe(0);
    expect(m.console).toBe('DCBA');
    expect([word(m, list + 4), word(m, list + 36), word(m, list + 68), word(m, list + 100)]).toEqual([0, -ENOSYS, (3 << 16) | 0, -EINVAL]);
  });

  it('console_io writes a buffer; sched_op shuts down with a reason; unknown commands are -ENOSYS', () => {
    const { m, call } = vcpu();
    m.mem.set([104, 105], 0x300);
    expect(call(HYPERCALL.console_io, 0, 2, 0x300)).toBe(0);
    expect(call(HYPERCALL.console_io, 1, 2, 0x300)).toBe(-ENOSYS);
    expect(call(HYPERCALL.sched_op, 9, 0)).toBe(-ENOSYS);
    expect(call(HYPERCALL.xen_version, 5, 0)).toBe(-ENOSYS);
    put(m, 0x310, 7);
    call(HYPERCALL.sched_op, 2, 0x310);
    expect([m.console, m.state, m.exitCode]).toEqual(['hi', 'powered-off', 7]);
  });

  it('vcpu_op registers vcpu_info once, masked; event_channel_op binds VIRQ_TIMER and refuses what Xen refuses', () => {
    const { m, x, call } = vcpu();
    put(m, 0x100, 3, 0, 0, 0);
    expect(call(HYPERCALL.vcpu_op, 10, 1, 0x100)).toBe(-ENOENT);
    expect(call(HYPERCALL.vcpu_op, 99, 0, 0x100)).toBe(-ENOSYS);
    expect(call(HYPERCALL.vcpu_op, 10, 0, 0x100)).toBe(0);
    expect(x.vcpuInfo).toBe(0x3000);
    expect(m.mem[0x3001]).toBe(1); // evtchn_upcall_mask
    expect(call(HYPERCALL.vcpu_op, 10, 0, 0x100)).toBe(-EINVAL);
    put(m, 0x200, 0, 0, 0);
    expect(call(HYPERCALL.event_channel_op, 1, 0x200)).toBe(0);
    expect(word(m, 0x208)).toBe(1); // the port
    expect(call(HYPERCALL.event_channel_op, 1, 0x200)).toBe(-EEXIST);
    put(m, 0x210, 30, 0, 0);
    expect(call(HYPERCALL.event_channel_op, 1, 0x210)).toBe(-EINVAL);
    put(m, 0x220, 1);
    expect(call(HYPERCALL.event_channel_op, 4, 0x220)).toBe(-EINVAL); // a VIRQ channel cannot be sent to
    // An IPI channel can: its port becomes pending in shared_info and vcpu_info.
    put(m, 0x230, 0, 0);
    expect(call(HYPERCALL.event_channel_op, 7, 0x230)).toBe(0);
    put(m, 0x240, word(m, 0x234));
    expect(call(HYPERCALL.event_channel_op, 4, 0x240)).toBe(0);
    expect(word(m, 0x3800)).toBe(1 << word(m, 0x234));
    expect([m.mem[0x3000], word(m, 0x3004)]).toEqual([1, 1]);
    expect(call(HYPERCALL.event_channel_op, 99, 0x240)).toBe(-ENOSYS);
  });

  it('long work preempts itself: the VMCALL runs again with what is left (hypercall continuations)', () => {
    const { m, call } = vcpu();
    m.mem.fill(65, 0x1000, 0x1000 + 1200);
    expect(call(HYPERCALL.console_io, 0, 1200, 0x1000)).toBe(0); // R0 untouched (0), but not done:
    expect([m.pc, m.r[2], m.r[3], m.console.length]).toEqual([0, 1200 - 512, 0x1000 + 512, 512]);
    serveHypercall({ m, xen: newXenVcpu(), pv: true, words: false }, HYPERCALL.console_io);
    serveHypercall({ m, xen: newXenVcpu(), pv: true, words: false }, HYPERCALL.console_io);
    expect([m.pc, m.console.length]).toEqual([8, 1200]);
    // A multicall of 100 entries runs 64 per crossing, then continues from the 65th.
    const list = 0x4000;
    for (let i = 0; i < 100; i++) put(m, list + 32 * i, HYPERCALL.xen_version, 1, 0);
    m.pc = 0;
    m.r[1] = list;
    m.r[2] = 100;
    serveHypercall({ m, xen: newXenVcpu(), pv: true, words: false }, HYPERCALL.multicall);
    expect([m.pc, m.r[1], m.r[2]]).toEqual([0, list + 64 * 32, 36]);
    serveHypercall({ m, xen: newXenVcpu(), pv: true, words: false }, HYPERCALL.multicall);
    expect([m.pc, m.r[0], word(m, list + 99 * 32 + 4)]).toEqual([8, 0, (3 << 16) | 0]);
  });

  it('an HVM guest (hardware-assisted VMCALL) has no PV calls, and none from user mode', () => {
    const m = new Machine();
    const x = newXenVcpu();
    m.r[1] = 0;
    serveHypercall({ m, xen: x, pv: false, words: false }, HYPERCALL.mmu_update);
    expect(m.r[0]).toBe(-ENOSYS);
    m.cpl = 3;
    serveHypercall({ m, xen: x, pv: false, words: false }, HYPERCALL.xen_version);
    expect(m.r[0]).toBe(-EPERM);
  });
});

// ---- whole guests ------------------------------------------------------------------------------------

function runPv(source: string, technique: 'paravirtualization' | 'hardware-assisted' = 'paravirtualization') {
  const a = assemble(source);
  if (a.diagnostics.some((d) => d.severity === 'error')) throw new Error(JSON.stringify(a.diagnostics));
  const s = validateScenario({ vms: [{ name: 'vm1', source }], technique, preset: 'modern', maxSteps: 100_000 });
  if (!s.ok) throw new Error(s.errors.join('\n'));
  const p = prepare(s.scenario);
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  p.engine.recordEvents(false);
  p.engine.runToEnd();
  const r: RunResultJson = p.engine.result();
  return { vm: r.vms[0], events: p.engine.events as readonly TraceEvent[], cycles: r.cycles, symbols: a.symbols };
}

/** A kernel prologue: trap table (#GP, #PF, 0x80 as a DPL-3 trap gate, 0x81 DPL 3), kernel stack. */
const PROLOGUE = `
        JMP start
        .org 0x40
start:  MOV R1, traps
        VMCALL 0                    ; set_trap_table
        MOV R1, 0xE021
        MOV R2, 0xE000
        VMCALL 3                    ; stack_switch
`;
const TRAPS = `
        .align 4
traps:  .byte 13, 0, 0x19, 0xE0
        .word on_gp
        .byte 0x80, 3, 0x19, 0xE0
        .word on_syscall
        .byte 0x81, 3, 0x19, 0xE0
        .word on_syscall
        .word 0, 0
off:    .word 0
`;
const TO_USER = `
        PUSH 0x9000
        PUSH 3
        PUSH 0x200
        PUSH user
        VMCALL 23                   ; iret to user mode
`;

describe('a PV guest under Xen', () => {
  it('system calls on 0x80 go straight to the kernel; on 0x81 they bounce through Xen (one trap each)', () => {
    const { vm } = runPv(`${PROLOGUE}${TO_USER}
on_syscall:
        INC R5
        VMCALL 23
on_gp:  MOV R1, 2
        MOV R2, off
        VMCALL 29
user:   INT 0x80
        INT 0x80
        INT 0x80
        INT 0x81
        INT 0x81
        CLI                         ; user mode: #GP, bounced to on_gp, which shuts down
${TRAPS}`);
    expect(vm.state).toBe('powered-off');
    expect(vm.cpu.R5).toBe(5);
    // Two bounced INT 0x81 and the CLI's #GP: three traps; the three INT 0x80 made none.
    expect(vm.counters.traps).toBe(3);
    expect(vm.counters.reflected).toBe(3);
  });

  it('a hypercall from guest user mode is a #GP reflected into the guest kernel', () => {
    const { vm, symbols } = runPv(`${PROLOGUE}${TO_USER}
on_syscall:
        VMCALL 23
on_gp:  LOAD R4, [SP]               ; where the #GP came from
        MOV R1, 2
        MOV R2, off
        VMCALL 29
user:   MOV R1, 2
        MOV R2, off
user_call:
        VMCALL 29                   ; sched_op(SCHEDOP_shutdown) from CPL 3: refused
${TRAPS}`);
    expect(vm.state).toBe('powered-off');
    expect(vm.counters.hypercallsByName.sched_op).toBe(1); // the kernel's, not the user's
    expect(vm.counters.traps).toBe(1);
    expect(vm.cpu.R4).toBe(symbols.user_call); // the #GP's return address: the user's VMCALL itself
  });

  it('a masked vCPU keeps VIRQ_TIMER pending and gets it on unmask, through the xen_version hypercall', () => {
    const { vm, events } = runPv(`
        JMP start
        .org 0x40
start:  MOV R1, 10
        MOV R2, 0
        MOV R3, info
        VMCALL 24                   ; VCPUOP_register_vcpu_info: vcpu_info at 0x3000, masked
        MOV R2, callback
        VMCALL 4                    ; set_callbacks
        MOV R1, 1
        MOV R2, bind
        VMCALL 32                   ; EVTCHNOP_bind_virq(VIRQ_TIMER)
        MOV R1, 200
        MOV R2, 0
        VMCALL 15                   ; set_timer_op(tick 200)
        MOV R4, 200
spin:   DEC R4
        JNZ spin                    ; the timeout comes here, masked
        LOADB R6, [0x3000]          ; evtchn_upcall_pending: 1
        MOV R3, R5                  ; upcalls so far: 0
        MOV R0, 0
        STOREB [0x3001], R0         ; unmask (xen_irq_enable)…
        MOV R1, 0
        VMCALL 17                   ; …and xen_force_evtchn_callback
after:  MOV R1, 2
        MOV R2, off
        VMCALL 29
callback:
        INC R5
        LOAD R4, [SP]               ; the upcall's return address
        MOV R0, 0
        STOREB [0x3000], R0
        VMCALL 23
        .align 4
info:   .word 3, 0, 0, 0
bind:   .word 0, 0, 0
off:    .word 0
`);
    expect(vm.state).toBe('powered-off');
    expect([vm.cpu.R6, vm.cpu.R3, vm.cpu.R5]).toEqual([1, 0, 1]);
    const kinds = events.filter((e) => e.kind === 'hypercall' || e.kind === 'inject' || e.kind === 'trap');
    const timer = kinds.findIndex((e) => e.kind === 'trap' && e.cause === 'timer interrupt');
    const version = kinds.findIndex((e) => e.kind === 'hypercall' && e.name === 'xen_version');
    const upcall = kinds.findIndex((e) => e.kind === 'inject');
    expect(timer).toBeGreaterThanOrEqual(0);
    expect(timer < version && version < upcall).toBe(true);
    expect(upcall).toBe(version + 1);
  });

  it('a PV page-fault handler reads the faulting address from vcpu_info.arch.cr2', () => {
    const { vm } = runPv(`
        JMP start
        .org 0x40
start:  MOV R1, traps
        VMCALL 0
        MOV R1, 10
        MOV R2, 0
        MOV R3, info
        VMCALL 24                   ; vcpu_info at 0x9000
        MOV R1, op
        MOV R2, 1
        MOV R3, 0
        MOV R4, 0x7FF0
        VMCALL 26                   ; MMUEXT_NEW_BASEPTR 0x1000
        LOAD R0, [0x5678]           ; page 5 is not present
        MOV R1, 2
        MOV R2, off
        VMCALL 29
on_pf:  LOAD R6, [0x9008]           ; arch.cr2
        LOAD R0, [SP]
        ADD R0, 8
        STORE [SP], R0
        VMCALL 23
        .align 4
traps:  .byte 14, 0, 0x19, 0xE0
        .word on_pf
        .word 0, 0
info:   .word 9, 0, 0, 0
op:     .word 5, 0x1000, 0
off:    .word 0
        .org 0x1000
        .word 0x0003, 0x1001
        .org 0x1000 + 4 * 9
        .word 0x9003
        .org 0x1000 + 4 * 15
        .word 0xF003
`);
    expect(vm.state).toBe('powered-off');
    expect(vm.cpu.R6).toBe(0x5678);
  });

  it('a direct store to a page table is validated: a valid entry is written, a writable mapping of the table is a #PF', () => {
    const { vm } = runPv(`
        JMP start
        .org 0x40
start:  MOV R1, traps
        VMCALL 0
        MOV R1, op
        MOV R2, 1
        MOV R3, 0
        MOV R4, 0x7FF0
        VMCALL 26                   ; NEW_BASEPTR 0x1000
        MOV R0, 0x4003
        STORE [0x1010], R0          ; page 4 → frame 4: validated, written
        MOV R0, 0x1003
        STORE [0x1014], R0          ; page 5 → frame 1 (the table) writable: refused
        LOAD R5, [0x1014]
        LOAD R6, [0x1010]
        MOV R1, 2
        MOV R2, off
        VMCALL 29
on_pf:  MOV R4, CR2                 ; a move from CR2: emulated by Xen (emulate_privileged_op)
        LOAD R0, [SP]
        ADD R0, 8
        STORE [SP], R0
        VMCALL 23
        .align 4
traps:  .byte 14, 0, 0x19, 0xE0
        .word on_pf
        .word 0, 0
op:     .word 5, 0x1000, 0
off:    .word 0
        .org 0x1000
        .word 0x0003, 0x1001
        .org 0x1000 + 4 * 15
        .word 0xF003
`);
    expect(vm.state).toBe('powered-off');
    expect([vm.cpu.R4, vm.cpu.R5, vm.cpu.R6]).toEqual([0x1014, 0, 0x4003]);
    // Two page-table stores and one MOV from CR2 trapped; the refused store's #PF is no extra trap.
    expect(vm.counters.traps).toBe(3);
  });

  it('CLI and STI of a PV kernel are stores: no hypercall, no trap, the cost of a store', () => {
    const { vm, cycles } = runPv(`
        MOV R1, 10
        MOV R2, 0
        MOV R3, info
        VMCALL 24
        MOV R4, 100
        MOV R1, 1
        MOV R0, 0
loop:   STOREB [0x3001], R1         ; CLI
        STOREB [0x3001], R0         ; STI (nothing pending)
        DEC R4
        JNZ loop
        MOV R1, 2
        MOV R2, off
        VMCALL 29
        .align 4
info:   .word 3, 0, 0, 0
off:    .word 0
`);
    expect(vm.counters.hypercalls).toBe(2);
    expect(vm.counters.traps).toBe(0);
    expect(cycles.byCategory.hypercall).toBe(2 * 1250);
  });

  it('an unmodified kernel: port I/O and moves from CR are emulated; LIDT and HLT are a #GP, and with no trap table the domain crashes', () => {
    const io = runPv(`
        MOV R0, CR0
        OUT 0xE9, 'A'
        OUT 0xF4, 0
`);
    expect([io.vm.state, io.vm.console, io.vm.counters.traps, io.vm.counters.emulated]).toEqual(['powered-off', 'A', 3, 3]);
    for (const ins of ['LIDT R0', 'HLT', 'STI', 'MOV CR3, R0']) {
      const { vm } = runPv(`  ${ins}\n`);
      expect(vm.state, ins).toBe('crashed');
      expect(vm.crashReason, ins).toMatch(/no trap handler registered for vector 13/);
    }
  });

  it('hardware assistance serves the same numbers through VMCALL exits', () => {
    const { vm } = runPv(
      `  MOV R1, 0
  MOV R2, 2
  MOV R3, text
  VMCALL 18
  MOV R1, 2
  MOV R2, off
  VMCALL 29
text: .ascii "ok"
  .align 4
off: .word 0
`,
      'hardware-assisted',
    );
    expect([vm.state, vm.console, vm.counters.vmExitsByReason.VMCALL]).toEqual(['powered-off', 'ok', 2]);
  });
});

describe('time travel under Xen', () => {
  it('seeking back and forth through upcalls, blocking and timeouts gives exactly the state and events of that moment', async () => {
    const { readFileSync } = await import('node:fs');
    const { scenarioFromSource } = await import('../../scenario/scenario');
    const src = readFileSync(new URL('../../../programs/pv-timer.s', import.meta.url), 'utf8');
    const engineFor = () => {
      const p = prepare(scenarioFromSource(src), { technique: 'paravirtualization', preset: '2006' });
      if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
      p.engine.recordEvents(false);
      p.engine.checkpointInterval = 97;
      return p.engine;
    };
    const strip = (r: RunResultJson) => JSON.stringify({ ...r, events: undefined });
    for (const [a, b] of [
      [1400, 300],
      [200, 1500],
      [900, 901],
      [1550, 60],
    ]) {
      const straight = engineFor();
      straight.seek(b);
      const travelled = engineFor();
      travelled.seek(a);
      travelled.runToEnd();
      travelled.seek(Math.min(a, b) >> 1);
      travelled.seek(b);
      expect({ result: strip(travelled.result()), events: JSON.stringify(travelled.events) }).toEqual({
        result: strip(straight.result()),
        events: JSON.stringify(straight.events),
      });
    }
  });
});
