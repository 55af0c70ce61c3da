// `hardware-assisted` (Intel VT-x with KVM): the guest runs in VMX non-root mode at its own CPL, on
// virtual state held in the VMCS. Only what the exit controls select leaves the guest (a VM exit);
// the hypervisor handles it and resumes the guest (a VM entry, which the monitor records whenever the
// guest resumes). Memory: shadow page tables (first-generation VT-x) or nested paging (EPT) with a
// two-dimensional walk.
import { effectiveExitControls } from '../../../config';
import { formatInstruction } from '../../../isa/disassembler';
import { decode } from '../../../isa/encoding';
import { VECTOR_NAMES } from '../../../isa/table';
import { IF } from '../../../machine/alu';
import { CR0_PG } from '../../../machine/machine';
import { EXIT_REASONS, type ExitReasonName, type GuestExit, type Outcome, RESUME, unreachable, type Via } from '../../exits';
import type { Handler } from '../../handler';
import type { VmcsView } from '../../inspection';
import { Monitor } from '../../monitor';
import type { ExitControls, PagingMode, RunConfig, Technique } from '../../technique';
import { HYPERVISOR_IDT, type Vm } from '../../vm';

export { effectiveExitControls };

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase()}`;

const NONE: Via = { kind: 'none' };
const exitVia = (reason: ExitReasonName): Via => ({ kind: 'vm-exit', reason });
const EXIT: { readonly [R in ExitReasonName]: Via } = Object.fromEntries(
  (Object.keys(EXIT_REASONS) as ExitReasonName[]).map((r) => [r, exitVia(r)]),
) as { [R in ExitReasonName]: Via };

const EXECUTE: Outcome = { via: NONE, action: { do: 'execute' } };
const EXECUTE_IO: Outcome = { via: NONE, action: { do: 'execute', charge: 'portIo' } };
const EXECUTE_IRET: Outcome = { via: NONE, action: { do: 'execute', charge: 'iret' } };
const HLT: Outcome = { via: EXIT.HLT, action: { do: 'block' } };
const IO: Outcome = { via: EXIT.IO_INSTRUCTION, action: { do: 'device' } };
const CR_ACCESS: Outcome = { via: EXIT.CR_ACCESS, action: { do: 'emulate' } };
const INVLPG: Outcome = { via: EXIT.INVLPG, action: { do: 'emulate' } };
const INJECT: Outcome = { via: NONE, action: { do: 'inject', cost: 'inject' } };
const WINDOW_INJECT: Outcome = { via: EXIT.INTERRUPT_WINDOW, action: { do: 'inject', cost: 'inject' } };
const EXCEPTION_INJECT: Outcome = { via: EXIT.EXCEPTION, action: { do: 'inject', cost: 'inject' } };
const DELIVER: Outcome = { via: NONE, action: { do: 'deliver', charge: 'exceptionDelivery' } };
const EXTERNAL_PEND: Outcome = { via: EXIT.EXTERNAL_INTERRUPT, action: { do: 'pend', window: true } };
const EXTERNAL_INJECT: Outcome = { via: EXIT.EXTERNAL_INTERRUPT, action: { do: 'inject-on-entry' } };
const SHADOW_WRITE: Outcome = { via: EXIT.EXCEPTION, action: { do: 'shadow-write' } };
const WALK_SHADOW: Outcome = { via: NONE, action: { do: 'walk', refs: 1 } };
const WALK_2D: Outcome = { via: NONE, action: { do: 'walk', refs: 3 } };
const TRIPLE_FAULT: Outcome = { via: EXIT.TRIPLE_FAULT, action: { do: 'stop' } };

/** Hardware assistance's answer to one exit, given the exit controls and the paging in use. */
export function handleHardwareAssisted(vm: Vm, exit: GuestExit, c: ExitControls, nested: boolean): Outcome {
  const m = vm.machine;
  switch (exit.kind) {
    case 'system': {
      const ins = exit.ins;
      switch (ins.name) {
        case 'HLT':
          // The vCPU blocks in the hypervisor until its next interrupt: the VM entry comes with the
          // injection (a halted VM with vIF = 0 is never entered again).
          return c.hlt ? HLT : EXECUTE;
        case 'IN':
        case 'OUT':
          // The device model runs inside the exit, before the VM entry.
          return c.io ? IO : EXECUTE_IO;
        case 'MOV TO CR':
          if (ins.a === 2) return EXECUTE;
          if (!nested || (ins.a === 3 && c.cr3)) return CR_ACCESS;
          return EXECUTE;
        case 'INVLPG':
          return c.invlpg ? INVLPG : EXECUTE;
        case 'IRET':
          return EXECUTE_IRET;
        case 'VMCALL':
          return { via: EXIT.VMCALL, action: { do: 'hypercall', number: ins.imm } };
        default:
          // CLI, STI, POPF, PUSHF, SMSW, SIDT, LIDT, MOV KSP, MOV from CR, INT: run directly on the VMCS state.
          return EXECUTE;
      }
    }
    case 'delivery':
      if (exit.cause === 'timer') return vm.vcpu.windowArmed ? WINDOW_INJECT : INJECT;
      if (exit.cause === 'exception' && c.exceptions.includes(exit.vector)) return EXCEPTION_INJECT;
      // Delivered by the CPU inside non-root mode, through the guest's IDT: no exit at all.
      return DELIVER;
    case 'timer':
      // A vCPU blocked by HLT is not in the guest: the interrupt wakes it, and is injected on entry.
      if (vm.vcpu.blocked) return RESUME;
      // vIF = 0: keep it pending and ask for an exit as soon as the guest can take it.
      return m.flags & IF ? EXTERNAL_INJECT : EXTERNAL_PEND;
    case 'tlb-miss': {
      if (!nested) {
        if ((exit.pte & 1) === 1 && !vm.shadow[exit.page]) return { via: EXIT.EXCEPTION, action: { do: 'fill-shadow', page: exit.page } };
        return WALK_SHADOW;
      }
      // Two-dimensional walk: the guest's PTE, then the EPT for the page table and for the page. Each
      // guest frame not mapped yet is an EPT violation; the guest retries the access after the entry.
      if (m.cr0 & CR0_PG) {
        const f = (m.cr3 >>> 12) & 15;
        if (!vm.ept[f]) return { via: EXIT.EPT_VIOLATION, action: { do: 'map-ept', frame: f } };
      }
      if (exit.pte & 1) {
        const f = (exit.pte >>> 12) & 15;
        if (!vm.ept[f]) return { via: EXIT.EPT_VIOLATION, action: { do: 'map-ept', frame: f } };
      }
      return WALK_2D;
    }
    case 'watched-write':
      return SHADOW_WRITE;
    case 'stopped':
      return m.state === 'crashed' ? TRIPLE_FAULT : RESUME;
    case 'indirect-branch':
      return RESUME;
    default:
      return unreachable(exit);
  }
}

/** The exit qualification, in words. */
export function qualificationOf(
  vm: Vm,
  exit: GuestExit,
  o: Outcome,
  nested: boolean,
  l = { cr2: vm.machine.cr2, reg: regOf(vm, exit) },
): string {
  const m = vm.machine;
  if (o.via.kind !== 'vm-exit') return '';
  switch (o.via.reason) {
    case 'IO_INSTRUCTION': {
      const ins = (exit as Extract<GuestExit, { kind: 'system' }>).ins;
      return `port ${hex(ins.name === 'IN' ? ins.imm : ins.port)}, ${ins.name === 'IN' ? 'in' : 'out'}`;
    }
    case 'CR_ACCESS': {
      const ins = (exit as Extract<GuestExit, { kind: 'system' }>).ins;
      return nested ? 'MOV to CR3 (CR3-load exiting is on)' : `MOV to CR${ins.a}`;
    }
    case 'INVLPG':
      return `address ${hex(l.reg)}`;
    case 'VMCALL':
      return `hypercall ${(exit as Extract<GuestExit, { kind: 'system' }>).ins.imm}`;
    case 'INTERRUPT_WINDOW':
      return 'the guest can take interrupts again';
    case 'EXTERNAL_INTERRUPT':
      return 'timer';
    case 'EPT_VIOLATION':
      return `guest-physical frame ${(o.action as { frame: number }).frame} not mapped yet`;
    case 'TRIPLE_FAULT':
      return m.crashReason;
    case 'EXCEPTION':
      if (exit.kind === 'delivery') {
        const v = exit.vector;
        return `${VECTOR_NAMES[v] ?? v}${v === 14 ? ` at ${hex(l.cr2)}` : ''}: the guest's own fault`;
      }
      if (exit.kind === 'tlb-miss') return `#PF at ${hex(exit.page << 12)}: hidden (no shadow entry yet)`;
      if (exit.kind === 'watched-write') return `#PF at ${hex(exit.pa)}: store to a write-protected guest page table`;
      return '';
    case 'HLT':
      return '';
    default:
      return '';
  }
}

function regOf(vm: Vm, exit: GuestExit): number {
  return exit.kind === 'system' ? vm.machine.r[(exit.ins.name === 'INVLPG' ? exit.ins.a : exit.ins.b) & 7] : 0;
}

export function hardwareAssistedHandler(config: RunConfig, paging: PagingMode): Handler {
  const nested = paging === 'nested';
  const controls = effectiveExitControls(paging, config.exits);
  return {
    id: 'hardware-assisted',
    paging,
    realMmu: true,
    realCpl: (vm) => vm.machine.cpl, // non-root mode runs the guest at its own CPL
    handle: (vm, exit) => handleHardwareAssisted(vm, exit, controls, nested),
    qualification: (vm, exit, o) => qualificationOf(vm, exit, o, nested),
    realState: (vm) => ({
      cpl: vm.machine.cpl,
      interruptsEnabled: (vm.machine.flags & IF) !== 0,
      mode: 'non-root',
      cr3: nested ? 'the guest page table (EPT translates its frames)' : `shadow table of ${vm.name}`,
      idtr: vm.machine.idtr >>> 0,
    }),
    vmcs: (vm) => vmcsOf(vm, controls, nested),
  };
}

function vmcsOf(vm: Vm, controls: ExitControls, nested: boolean): VmcsView {
  const m = vm.machine;
  const l = vm.lastExit;
  let exit: VmcsView['exit'] = null;
  if (l.reason && l.exit && l.action) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setInt32(0, l.insLo, true);
    new DataView(bytes.buffer).setInt32(4, l.insHi, true);
    const d = decode(bytes, 0);
    exit = {
      reason: EXIT_REASONS[l.reason],
      reasonName: l.reason,
      qualification: qualificationOf(vm, l.exit, { via: { kind: 'vm-exit', reason: l.reason }, action: l.action }, nested, l),
      instruction: d ? formatInstruction(d) : '(undefined instruction)',
    };
  }
  return {
    guest: {
      PC: m.pc >>> 0,
      SP: m.r[7] >>> 0,
      FLAGS: m.flags >>> 0,
      CPL: m.cpl,
      CR0: m.cr0 >>> 0,
      CR3: m.cr3 >>> 0,
      IDTR: m.idtr >>> 0,
      KSP: m.ksp >>> 0,
    },
    host: { CR3: "the hypervisor's page table", IDTR: HYPERVISOR_IDT >>> 0, SP: 'the hypervisor stack', PC: 'the VM-exit handler' },
    controls: { ...controls, externalInterrupt: true, interruptWindow: vm.vcpu.windowArmed },
    exit,
  };
}

export function resolvePaging(config: RunConfig): PagingMode {
  if (config.paging === 'auto') return config.nestedPagingAvailable ? 'nested' : 'shadow';
  return config.paging;
}

export const hardwareAssisted: Technique = {
  id: 'hardware-assisted',
  refuse(config) {
    if (config.paging === 'nested' && !config.nestedPagingAvailable) {
      return 'nested paging (EPT) arrived with Nehalem in 2008: the 2006 preset has none (use shadow paging)';
    }
    return undefined;
  },
  create(config) {
    return new Monitor(config, hardwareAssistedHandler(config, resolvePaging(config)));
  },
};
