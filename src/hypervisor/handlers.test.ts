// The techniques as handlers, fed synthetic exits (as Firecracker's vcpu tests feed `handle_kvm_exit`):
// each exit kind gets the real system's answer, and the monitor alone records, counts and charges.
import { describe, expect, it } from 'vitest';
import { IF } from '../machine/alu';
import type { SystemInstruction } from '../machine/host';
import { CR0_PG } from '../machine/machine';
import { PRESETS } from '../trace/costs';
import type { TraceEvent } from '../trace/events';
import type { GuestExit } from './exits';
import { Monitor } from './monitor';
import type { RunConfig } from './technique';
import { binaryTranslationHandler } from './techniques/binary-translation';
import { effectiveExitControls, handleHardwareAssisted, hardwareAssistedHandler } from './techniques/hardware-assisted';
import { handleInterpreted } from './techniques/interpret';
import { handleParavirtualized } from './techniques/paravirtualization';
import { handleTrapAndEmulate, trapAndEmulateHandler } from './techniques/trap-and-emulate';
import { Vm } from './vm';

function config(over: Partial<RunConfig> = {}): RunConfig {
  return {
    isa: 'classic',
    preset: '2006',
    costs: PRESETS['2006'].costs,
    taggedTlb: false,
    nestedPagingAvailable: false,
    paging: 'auto',
    hypervisorType: 1,
    exits: {},
    timeSlice: 2000,
    vms: [{ name: 'vm1', image: new Uint8Array(8) }],
    ...over,
  };
}

const vmOf = (c = config()) => new Vm(0, 'vm1', c, c.costs);

function ins(name: SystemInstruction['name'], over: Partial<SystemInstruction> = {}): SystemInstruction {
  return { name, a: 8, b: 8, imm: 0, port: 0, src: 0, immediate: false, units: 1, ...over };
}
const system = (name: SystemInstruction['name'], over: Partial<SystemInstruction> = {}): GuestExit => ({
  kind: 'system',
  ins: ins(name, over),
});
const classic = (name: string) => ['CLI', 'STI', 'HLT', 'IN', 'OUT', 'LIDT', 'IRET', 'MOV TO CR', 'INVLPG', 'MOV TO KSP'].includes(name);

describe('trap-and-emulate handler', () => {
  it('traps privileged instructions and emulates them; I/O runs in the device model inside the trap', () => {
    const vm = vmOf();
    expect(handleTrapAndEmulate(vm, system('CLI'), classic)).toMatchObject({
      via: { kind: 'trap', cause: 'privileged' },
      action: { do: 'emulate' },
    });
    expect(handleTrapAndEmulate(vm, system('OUT'), classic)).toMatchObject({ via: { kind: 'trap' }, action: { do: 'device' } });
  });

  it('runs PUSHF, POPF, SMSW and SIDT directly on classic (no trap: the Popek–Goldberg violation)', () => {
    const vm = vmOf();
    for (const n of ['PUSHF', 'POPF', 'SMSW', 'SIDT'] as const)
      expect(handleTrapAndEmulate(vm, system(n), classic)).toMatchObject({ via: { kind: 'none' }, action: { do: 'direct', realCpl: 3 } });
  });

  it('reflects system calls and exceptions through the guest IDT, and injects ticks', () => {
    const vm = vmOf();
    const d = (cause: 'software' | 'exception' | 'timer'): GuestExit => ({ kind: 'delivery', vector: 128, cause, returnPc: 0 });
    expect(handleTrapAndEmulate(vm, d('software'), classic)).toMatchObject({
      via: { cause: 'software-interrupt' },
      action: { do: 'reflect' },
    });
    expect(handleTrapAndEmulate(vm, d('exception'), classic)).toMatchObject({ via: { cause: 'exception' }, action: { do: 'reflect' } });
    expect(handleTrapAndEmulate(vm, d('timer'), classic)).toMatchObject({ via: { kind: 'none' }, action: { do: 'inject' } });
  });

  it('keeps a tick pending while vIF = 0', () => {
    const vm = vmOf();
    vm.machine.flags &= ~IF;
    expect(handleTrapAndEmulate(vm, { kind: 'timer' }, classic).action).toEqual({ do: 'pend', window: false });
    vm.machine.flags |= IF;
    expect(handleTrapAndEmulate(vm, { kind: 'timer' }, classic).action).toEqual({ do: 'inject-on-entry' });
  });

  it('takes a hidden fault only for a page the guest maps and the shadow lacks', () => {
    const vm = vmOf();
    const miss = (pte: number): GuestExit => ({ kind: 'tlb-miss', page: 3, pte, access: 'read' });
    expect(handleTrapAndEmulate(vm, miss(0x3007), classic)).toMatchObject({
      via: { cause: 'hidden-fault' },
      action: { do: 'fill-shadow', page: 3 },
    });
    expect(handleTrapAndEmulate(vm, miss(0), classic).action).toEqual({ do: 'walk', refs: 1 });
    vm.shadow[3] = 1;
    expect(handleTrapAndEmulate(vm, miss(0x3007), classic).action).toEqual({ do: 'walk', refs: 1 });
  });
});

describe('hardware-assisted handler', () => {
  const shadow = effectiveExitControls('shadow', {});
  const nested = effectiveExitControls('nested', {});

  it('exits only on what the controls select', () => {
    const vm = vmOf();
    expect(handleHardwareAssisted(vm, system('CLI'), shadow, false).via.kind).toBe('none');
    expect(handleHardwareAssisted(vm, system('HLT'), shadow, false)).toMatchObject({ via: { reason: 'HLT' }, action: { do: 'block' } });
    expect(handleHardwareAssisted(vm, system('HLT'), { ...shadow, hlt: false }, false).via.kind).toBe('none');
    expect(handleHardwareAssisted(vm, system('OUT'), shadow, false)).toMatchObject({
      via: { reason: 'IO_INSTRUCTION' },
      action: { do: 'device' },
    });
    expect(handleHardwareAssisted(vm, system('MOV TO CR', { a: 3 }), shadow, false).via).toMatchObject({ reason: 'CR_ACCESS' });
    expect(handleHardwareAssisted(vm, system('MOV TO CR', { a: 3 }), nested, true).via.kind).toBe('none');
    expect(handleHardwareAssisted(vm, system('MOV TO CR', { a: 3 }), { ...nested, cr3: true }, true).via).toMatchObject({
      reason: 'CR_ACCESS',
    });
    expect(handleHardwareAssisted(vm, system('VMCALL', { imm: 9 }), shadow, false)).toMatchObject({
      via: { reason: 'VMCALL' },
      action: { do: 'hypercall', number: 9 },
    });
  });

  it('delivers system calls inside the guest with no exit; exceptions in the bitmap exit and are injected', () => {
    const vm = vmOf();
    const d = (vector: number, cause: 'software' | 'exception'): GuestExit => ({ kind: 'delivery', vector, cause, returnPc: 0 });
    expect(handleHardwareAssisted(vm, d(128, 'software'), shadow, false)).toMatchObject({
      via: { kind: 'none' },
      action: { do: 'deliver' },
    });
    expect(handleHardwareAssisted(vm, d(14, 'exception'), shadow, false)).toMatchObject({
      via: { reason: 'EXCEPTION' },
      action: { do: 'inject' },
    });
    expect(handleHardwareAssisted(vm, d(14, 'exception'), nested, true).via.kind).toBe('none');
  });

  it('asks for an interrupt window while vIF = 0, and takes no external-interrupt exit while blocked in HLT', () => {
    const vm = vmOf();
    vm.machine.flags &= ~IF;
    expect(handleHardwareAssisted(vm, { kind: 'timer' }, shadow, false)).toMatchObject({
      via: { reason: 'EXTERNAL_INTERRUPT' },
      action: { do: 'pend', window: true },
    });
    vm.vcpu.windowArmed = true;
    expect(handleHardwareAssisted(vm, { kind: 'delivery', vector: 32, cause: 'timer', returnPc: 0 }, shadow, false).via).toMatchObject({
      reason: 'INTERRUPT_WINDOW',
    });
    vm.vcpu.blocked = true;
    expect(handleHardwareAssisted(vm, { kind: 'timer' }, shadow, false).via.kind).toBe('none');
  });

  it('maps each unmapped guest frame of a two-dimensional walk with its own EPT violation', () => {
    const vm = vmOf();
    vm.machine.cr0 = CR0_PG;
    vm.machine.cr3 = 0x9000;
    const miss: GuestExit = { kind: 'tlb-miss', page: 2, pte: 0x5007, access: 'read' };
    expect(handleHardwareAssisted(vm, miss, nested, true).action).toEqual({ do: 'map-ept', frame: 9 });
    vm.ept[9] = 1;
    expect(handleHardwareAssisted(vm, miss, nested, true).action).toEqual({ do: 'map-ept', frame: 5 });
    vm.ept[5] = 1;
    expect(handleHardwareAssisted(vm, miss, nested, true).action).toEqual({ do: 'walk', refs: 3 });
  });
});

describe('paravirtualization and interpretation handlers', () => {
  it('paravirtualization: hypercalls, #GP for an unmodified privileged instruction at real CPL 1, the fast system-call path', () => {
    const vm = vmOf();
    expect(handleParavirtualized(vm, system('VMCALL', { imm: 3 }), classic)).toMatchObject({
      via: { kind: 'hypercall' },
      action: { number: 3 },
    });
    expect(handleParavirtualized(vm, system('CLI'), classic).action).toEqual({ do: 'raise', vector: 13 });
    // INT 0x80 bounces through Xen until it is registered as a DPL-3 trap gate (int80_direct_trap).
    const int: GuestExit = { kind: 'delivery', vector: 128, cause: 'software', returnPc: 0 };
    expect(handleParavirtualized(vm, int, classic)).toMatchObject({ via: { kind: 'trap' }, action: { do: 'bounce' } });
    vm.vcpu.xen.traps[0x80] = 0x400;
    vm.vcpu.xen.trapFlags[0x80] = 3;
    expect(handleParavirtualized(vm, int, classic)).toMatchObject({ via: { kind: 'none' }, action: { do: 'int80' } });
    vm.vcpu.xen.trapFlags[0x80] = 3 | 4; // TI_IF: an interrupt gate is not installed directly
    expect(handleParavirtualized(vm, int, classic).action).toEqual({ do: 'bounce' });
    // The timer is an event: VIRQ_TIMER on its channel.
    expect(handleParavirtualized(vm, { kind: 'timer' }, classic).action).toEqual({ do: 'virq', virq: 0 });
  });

  it('interpretation: nothing ever leaves the guest', () => {
    const vm = vmOf();
    const exits: GuestExit[] = [
      system('CLI'),
      system('OUT'),
      { kind: 'delivery', vector: 14, cause: 'exception', returnPc: 0 },
      { kind: 'timer' },
      { kind: 'tlb-miss', page: 0, pte: 7, access: 'read' },
      { kind: 'watched-write', pa: 0, size: 4 },
      { kind: 'stopped' },
    ];
    for (const e of exits) expect(handleInterpreted(vm, e).via.kind).toBe('none');
  });
});

describe('the monitor applies outcomes in one place', () => {
  function monitorWith(handler: ReturnType<typeof trapAndEmulateHandler>, c = config()) {
    const mon = new Monitor(c, handler);
    const events: TraceEvent[] = [];
    mon.setEvents({ push: (e) => events.push(e) }, false);
    return { mon, vm: mon.guests[0], events };
  }

  it('a trap is counted, charged and recorded once, then the emulation', () => {
    const { mon, vm, events } = monitorWith(trapAndEmulateHandler('classic'));
    const done = mon.system(vm.machine, ins('CLI'));
    expect(done).toBe(false); // the machine now performs CLI on the virtual state: the emulation
    expect(events.map((e) => e.kind)).toEqual(['trap', 'emulate']);
    expect(vm.counters.traps).toBe(1);
    expect(vm.counters.emulated).toBe(1);
    expect(vm.machine.meter.counts.trapRoundTrip).toBe(1);
    expect(vm.machine.meter.counts.emulate).toBe(1);
  });

  it('a VM exit is followed by its VM entry without the technique pairing them', () => {
    const c = config();
    const { mon, vm, events } = monitorWith(hardwareAssistedHandler(c, 'shadow'), c);
    vm.machine.r[1] = 0x9000;
    vm.machine.cr0 = 0x80000000 | 0; // guest paging on: a new guest table gets a shadow of its own
    mon.system(vm.machine, ins('MOV TO CR', { a: 3, b: 1 }));
    // KVM's handle_cr: exit reason, vectoring and qualification read; kvm_set_cr3 switches the shadow
    // root (GUEST_CR3 written); the instruction skipped; VMRESUME.
    const seen = events.map((e) => (e.kind === 'vmx' ? `${e.name} ${e.field}` : e.kind));
    expect(seen).toEqual([
      'vm-exit',
      'VMREAD VM_EXIT_REASON',
      'VMREAD IDT_VECTORING_INFO_FIELD',
      'VMREAD EXIT_QUALIFICATION',
      'tlb-flush',
      'emulate',
      'shadow-update',
      'VMWRITE GUEST_CR3',
      'VMREAD VM_EXIT_INSTRUCTION_LEN',
      'VMWRITE GUEST_RIP',
      'vm-entry',
    ]);
    expect(events.at(-1)).toMatchObject({ kind: 'vm-entry', instruction: 'VMRESUME' });
    expect(events.find((e) => e.kind === 'vmx' && e.field === 'EXIT_QUALIFICATION')).toMatchObject({ value: 3 | (1 << 8) });
    expect(vm.counters.vmExits).toBe(1);
    expect(vm.counters.vmExitsByReason).toEqual({ CR_ACCESS: 1 });
  });

  it('an exit that injects on entry enters the guest only with the injection', () => {
    const c = config();
    const { mon, vm, events } = monitorWith(hardwareAssistedHandler(c, 'shadow'), c);
    vm.machine.flags |= IF;
    mon.timerFired(vm.machine);
    const kinds = () => events.filter((e) => e.kind !== 'vmx').map((e) => e.kind);
    expect(kinds()).toEqual(['vm-exit', 'tlb-flush']);
    mon.delivering(vm.machine, 32, 'timer', 0);
    expect(kinds().slice(2)).toEqual(['inject', 'vm-entry']);
    // vmx_inject_irq: VM_ENTRY_INTR_INFO_FIELD = valid | external interrupt | vector 32.
    expect(events.filter((e) => e.kind === 'vmx').at(-1)).toMatchObject({ field: 'VM_ENTRY_INTR_INFO_FIELD', value: 0x80000020 });
  });

  it('builds no event and formats no text when nobody listens, but counts and charges the same', () => {
    const c = config();
    const quiet = new Monitor(c, hardwareAssistedHandler(c, 'shadow'));
    const { mon: loud } = monitorWith(hardwareAssistedHandler(c, 'shadow'), c);
    for (const mon of [quiet, loud]) {
      const m = mon.guests[0].machine;
      m.r[1] = 0x9000;
      mon.system(m, ins('MOV TO CR', { a: 3, b: 1 }));
      mon.tlbMiss(m, 2, 0x2007, 'read');
    }
    expect(quiet.guests[0].counters).toEqual(loud.guests[0].counters);
    expect(quiet.cycles()).toEqual(loud.cycles());
  });

  it('gives each VM its own translation cache', () => {
    const src = config({
      vms: [
        { name: 'a', image: new Uint8Array(8) },
        { name: 'b', image: new Uint8Array(8) },
      ],
    });
    const mon = new Monitor(src, binaryTranslationHandler('classic'));
    expect(mon.guests[0].tc).not.toBeNull();
    expect(mon.guests[0].tc).not.toBe(mon.guests[1].tc);
  });
});
