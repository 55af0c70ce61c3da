// `hardware-assisted` (Intel VT-x with KVM): the guest runs in VMX non-root mode at its own CPL, on
// virtual state held in the VMCS. Only what the exit controls select leaves the guest (a VM exit);
// the hypervisor handles it and resumes the guest (a VM entry, which the monitor records whenever the
// guest resumes). Memory: shadow page tables (first-generation VT-x) or nested paging (EPT) with a
// two-dimensional walk.
import { effectiveExitControls } from '../../../config';
import { PAGE_INDEX_MASK, PAGE_SHIFT, PTE_P } from '../../../isa/constants';
import { formatInstruction } from '../../../isa/disassembler';
import { decode } from '../../../isa/encoding';
import { VECTOR_NAMES } from '../../../isa/table';
import { IF } from '../../../machine/alu';
import { CR0_PG } from '../../../machine/machine';
import { EXIT_REASONS, type ExitReasonName, type GuestExit, type Outcome, perPage, RESUME, unreachable, type Via } from '../../exits';
import type { Handler } from '../../handler';
import type { VmcsView } from '../../inspection';
import { Monitor } from '../../monitor';
import type { ExitControls, PagingMode, RunConfig, Technique } from '../../technique';
import { HYPERVISOR_IDT, shadowRoot, type Vm } from '../../vm';
import { eventInj, KVM_SVM_HANDLERS, svmExitCode, svmExitReads, svmExitWrites, svmSetupSteps, vmcbFields } from './svm';
import { exitReads, exitWrites, intrInfo, KVM_HANDLERS, setupSteps, type VmxContext, vmcsFields } from './vmx';

export { effectiveExitControls };

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase()}`;

const NONE: Via = { kind: 'none' };
const exitVia = (reason: ExitReasonName): Via => ({ kind: 'vm-exit', reason });
const EXIT: { readonly [R in ExitReasonName]: Via } = Object.fromEntries(
  (Object.keys(EXIT_REASONS) as ExitReasonName[]).map((r) => [r, exitVia(r)]),
) as { [R in ExitReasonName]: Via };

/** Intel's basic exit reason numbers with their names, built once (no array per exit). */
const INTEL_CODES = Object.fromEntries((Object.keys(EXIT_REASONS) as ExitReasonName[]).map((r) => [r, [EXIT_REASONS[r], r] as const])) as {
  readonly [R in ExitReasonName]: readonly [number, string];
};
const FILL_SHADOW = perPage((page) => ({ via: EXIT.EXCEPTION, action: { do: 'fill-shadow', page } }));
const MAP_EPT = perPage((frame) => ({ via: EXIT.EPT_VIOLATION, action: { do: 'map-ept', frame } }));

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
const CPUID_EXIT: Outcome = { via: EXIT.CPUID, action: { do: 'emulate' } };
const VMCALL_REFUSED: Outcome = { via: EXIT.VMCALL, action: { do: 'refuse-hypercall' } };
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
          // CR0: KVM owns every bit but TS and WP (CR0_GUEST_HOST_MASK): a write that changes PG exits,
          // with EPT too (SDM §25.6.6: a MOV to CR0 exits when an owned bit differs from the read shadow).
          if (ins.a === 0) return ((m.r[ins.b] ^ m.cr0) & CR0_PG) !== 0 ? CR_ACCESS : EXECUTE;
          // CR3: CR3-load exiting, on without EPT (the guest must never load the shadow root's place).
          if (ins.a === 3) return c.cr3 ? CR_ACCESS : EXECUTE;
          return EXECUTE;
        case 'MOV FROM CR':
          // CR3-store exiting, on without EPT: the guest must never see the shadow root GUEST_CR3 holds.
          return ins.b === 3 && c.cr3 ? CR_ACCESS : EXECUTE;
        case 'INVLPG':
          return c.invlpg ? INVLPG : EXECUTE;
        case 'IRET':
          return EXECUTE_IRET;
        case 'CPUID':
          // CPUID always exits (SDM §25.1.2: unconditionally); kvm_emulate_cpuid answers from the VM's table.
          return CPUID_EXIT;
        case 'VMCALL':
          // VMCALL always exits; kvm_emulate_hypercall refuses it from guest CPL > 0 (−KVM_EPERM).
          if (m.cpl !== 0) return VMCALL_REFUSED;
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
        if ((exit.pte & 1) === 1 && !vm.shadow[exit.page]) return FILL_SHADOW(exit.page);
        return WALK_SHADOW;
      }
      // Two-dimensional walk: the guest's PTE, then the EPT for the page table and for the page. Each
      // guest frame not mapped yet is an EPT violation; the guest retries the access after the entry.
      if (m.cr0 & CR0_PG) {
        const f = (m.cr3 >>> PAGE_SHIFT) & PAGE_INDEX_MASK;
        if (!vm.ept[f]) return MAP_EPT(f);
      }
      if (exit.pte & PTE_P) {
        const f = (exit.pte >>> PAGE_SHIFT) & PAGE_INDEX_MASK;
        if (!vm.ept[f]) return MAP_EPT(f);
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
      if (ins.name === 'MOV FROM CR') return `MOV from CR${ins.b} (CR3-store exiting: the guest gets its own CR3, not the shadow root)`;
      if (ins.a === 0) return 'MOV to CR0 changes PG (KVM owns CR0.PG: intercepted)';
      return nested ? 'MOV to CR3 (CR3-load exiting is on)' : 'MOV to CR3 (CR3-load exiting: switch shadow tables)';
    }
    case 'INVLPG':
      return `address ${hex(l.reg)}`;
    case 'VMCALL':
      return o.action.do === 'refuse-hypercall'
        ? `from guest CPL ${m.cpl}: refused, R0 ← −1 (−KVM_EPERM)`
        : `hypercall ${(exit as Extract<GuestExit, { kind: 'system' }>).ins.imm}`;
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
      if (exit.kind === 'tlb-miss') return `#PF at ${hex(exit.page << PAGE_SHIFT)}: hidden (no shadow entry yet)`;
      if (exit.kind === 'watched-write') return `#PF at ${hex(exit.pa)}: store to a write-protected guest page table`;
      return '';
    case 'HLT':
    case 'CPUID':
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
  const amd = config.vendor === 'amd';
  const controls = effectiveExitControls(paging, config.exits);
  const x: VmxContext = {
    controls,
    nested,
    vpid: config.taggedTlb,
    guestCr3: (vm) => (nested ? vm.machine.cr3 >>> 0 : shadowRoot(vm)),
    exceptionBitmap: () => controls.exceptions.reduce((b, v) => b | (1 << v), 0) >>> 0,
  };
  return {
    id: 'hardware-assisted',
    paging,
    realMmu: true,
    vmx: amd
      ? {
          setup: (vm) => svmSetupSteps(vm, x),
          reads: (vm, exit, o, vectoring) => svmExitReads(vm, exit, o, vectoring),
          writes: (vm, exit, o, pc) => svmExitWrites(vm, exit, o, pc, x),
          injection: eventInj,
          exitCode: (reason, exit) => svmExitCode(reason, exit),
          entry: () => 'VMRUN',
          injectionField: 'control.EVENTINJ',
          writeName: 'VMCB write',
        }
      : {
          setup: (vm) => setupSteps(vm, x),
          reads: (vm, exit, o, vectoring) => exitReads(vm, exit, o, vectoring, x),
          writes: (vm, exit, o, pc) => exitWrites(vm, exit, o, pc, x),
          injection: intrInfo,
          exitCode: (reason) => INTEL_CODES[reason],
          entry: (first) => (first ? 'VMLAUNCH' : 'VMRESUME'),
          injectionField: 'VM_ENTRY_INTR_INFO_FIELD',
          writeName: 'VMWRITE',
        },
    exitHandler: (reason) => (amd ? KVM_SVM_HANDLERS : KVM_HANDLERS)[reason],
    // With HLT exiting off the guest's HLT halts the CPU in non-root mode: it keeps the CPU.
    yields: () => controls.hlt,
    realCpl: (vm) => vm.machine.cpl, // non-root mode runs the guest at its own CPL
    handle: (vm, exit) => handleHardwareAssisted(vm, exit, controls, nested),
    qualification: (vm, exit, o) => qualificationOf(vm, exit, o, nested),
    realState: (vm) => ({
      cpl: vm.machine.cpl,
      interruptsEnabled: (vm.machine.flags & IF) !== 0,
      mode: 'non-root',
      cr3: nested ? `the guest page table (${amd ? 'NPT' : 'EPT'} translates its frames)` : `shadow table of ${vm.name}`,
      idtr: vm.machine.idtr >>> 0,
    }),
    vmcs: (vm) => vmcsOf(vm, controls, nested, x, amd),
  };
}

function vmcsOf(vm: Vm, controls: ExitControls, nested: boolean, x: VmxContext, amd: boolean): VmcsView {
  const m = vm.machine;
  const l = vm.lastExit;
  let exit: VmcsView['exit'] = null;
  if (l.reason && l.exit && l.action) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setInt32(0, l.insLo, true);
    new DataView(bytes.buffer).setInt32(4, l.insHi, true);
    const d = decode(bytes, 0);
    exit = {
      ...(amd
        ? { reason: svmExitCode(l.reason, l.exit)[0], reasonName: svmExitCode(l.reason, l.exit)[1] }
        : { reason: EXIT_REASONS[l.reason], reasonName: l.reason }),
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
      // With shadow paging GUEST_CR3 holds the shadow root; the guest's own CR3 lives in the hypervisor.
      CR3: x.guestCr3(vm),
      IDTR: m.idtr >>> 0,
      KSP: m.ksp >>> 0,
    },
    host: { CR3: "the hypervisor's page table", IDTR: HYPERVISOR_IDT >>> 0, SP: 'the hypervisor stack', PC: 'the VM-exit handler' },
    controls: { ...controls, externalInterrupt: true, interruptWindow: vm.vcpu.windowArmed },
    exit,
    vendor: amd ? 'amd' : 'intel',
    fields: amd ? vmcbFields(vm, x) : vmcsFields(vm, x),
    touched: touchedBy(vm, x, amd),
  };
}

/** The fields the last exit's handler read and wrote (what the Inspector highlights). */
function touchedBy(vm: Vm, x: VmxContext, amd: boolean): { read: string[]; written: string[] } {
  const l = vm.lastExit;
  if (!l.reason || !l.exit || !l.action) return { read: [], written: [] };
  const o: Outcome = { via: { kind: 'vm-exit', reason: l.reason }, action: l.action };
  const reads = amd ? svmExitReads(vm, l.exit, o, 0) : exitReads(vm, l.exit, o, 0, x);
  const writes = amd ? svmExitWrites(vm, l.exit, o, l.pc, x) : exitWrites(vm, l.exit, o, l.pc, x);
  const isRead = (n: string) => n === 'VMREAD' || n === 'VMCB read';
  return {
    read: [...new Set([...reads, ...writes].filter((s) => isRead(s.name)).map((s) => s.field))],
    written: [...new Set(writes.filter((s) => !isRead(s.name) && s.field).map((s) => s.field))],
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
      return config.vendor === 'amd'
        ? "nested paging (NPT, AMD's RVI) arrived with Barcelona in 2007: the 2006 preset has none (use shadow paging)"
        : 'nested paging (EPT) arrived with Nehalem in 2008: the 2006 preset has none (use shadow paging)';
    }
    return undefined;
  },
  create(config) {
    return new Monitor(config, hardwareAssistedHandler(config, resolvePaging(config)));
  },
};
