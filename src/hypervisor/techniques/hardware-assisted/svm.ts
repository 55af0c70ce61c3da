// The hypervisor's side of AMD-V, as KVM runs it (arch/x86/kvm/svm/svm.c): one VMCB per vCPU (a control
// area with the intercepts, EXITCODE, EXITINFO1/2, EXITINTINFO, EVENTINJ, NP_ENABLE, ASID, and a save
// area with the guest state), VMRUN for every entry, #VMEXIT codes from Linux's
// arch/x86/include/uapi/asm/svm.h (names without the SVM_EXIT_ prefix). The VMCB is ordinary memory:
// KVM reads and writes its fields with loads and stores, not with instructions like VMREAD; the trace
// shows those accesses as `vmx` events named "VMCB read" / "VMCB write". Encodings: AMD APM Vol. 2 §15.
import { VECTOR_NAMES } from '../../../isa/table';
import { CR0_PG } from '../../../machine/machine';
import type { ExitReasonName, GuestExit, Outcome, VmxStep } from '../../exits';
import type { Vm } from '../../vm';
import type { VmcsField, VmxContext } from './vmx';

/** SVM_EXIT_* codes (svm.h). */
const SVM = {
  READ_CR3: 0x003,
  WRITE_CR0: 0x010,
  WRITE_CR3: 0x013,
  EXCP_BASE: 0x040,
  INTR: 0x060,
  VINTR: 0x064,
  CPUID: 0x072,
  HLT: 0x078,
  INVLPG: 0x079,
  IOIO: 0x07b,
  SHUTDOWN: 0x07f,
  VMMCALL: 0x081,
  NPF: 0x400,
} as const;

/** The exception mnemonic for EXCP_<mnemonic> (svm.h's SVM_EXIT_REASONS: "DE excp", "PF excp", …). */
function excpName(vector: number): string {
  const n = VECTOR_NAMES[vector];
  return n?.startsWith('#') ? `EXCP_${n.slice(1)}` : `EXCP_${vector}`;
}

/** The #VMEXIT code and name for an exit of VirtLab's model. */
// Each reason's code and name, built once (no array per exit).
const INTR_CODE = [SVM.INTR, 'INTR'] as const;
const SHUTDOWN_CODE = [SVM.SHUTDOWN, 'SHUTDOWN'] as const;
const VINTR_CODE = [SVM.VINTR, 'VINTR'] as const;
const CPUID_CODE = [SVM.CPUID, 'CPUID'] as const;
const HLT_CODE = [SVM.HLT, 'HLT'] as const;
const INVLPG_CODE = [SVM.INVLPG, 'INVLPG'] as const;
const VMMCALL_CODE = [SVM.VMMCALL, 'VMMCALL'] as const;
const READ_CR3_CODE = [SVM.READ_CR3, 'READ_CR3'] as const;
const WRITE_CR0_CODE = [SVM.WRITE_CR0, 'WRITE_CR0'] as const;
const WRITE_CR3_CODE = [SVM.WRITE_CR3, 'WRITE_CR3'] as const;
const IOIO_CODE = [SVM.IOIO, 'IOIO'] as const;
const NPF_CODE = [SVM.NPF, 'NPF'] as const;
const EXCP_CODES: (readonly [number, string])[] = [];

export function svmExitCode(reason: ExitReasonName, exit: GuestExit): readonly [number, string] {
  switch (reason) {
    case 'EXCEPTION': {
      const v = exit.kind === 'delivery' ? exit.vector : 14; // shadow paging's hidden and write-protection faults are #PF
      return (EXCP_CODES[v] ??= [SVM.EXCP_BASE + v, excpName(v)] as const);
    }
    case 'EXTERNAL_INTERRUPT':
      return INTR_CODE;
    case 'TRIPLE_FAULT':
      return SHUTDOWN_CODE;
    case 'INTERRUPT_WINDOW':
      return VINTR_CODE;
    case 'CPUID':
      return CPUID_CODE;
    case 'HLT':
      return HLT_CODE;
    case 'INVLPG':
      return INVLPG_CODE;
    case 'VMCALL':
      return VMMCALL_CODE;
    case 'CR_ACCESS':
      if (exit.kind === 'system' && exit.ins.name === 'MOV FROM CR') return READ_CR3_CODE;
      return exit.kind === 'system' && exit.ins.a === 0 ? WRITE_CR0_CODE : WRITE_CR3_CODE;
    case 'IO_INSTRUCTION':
      return IOIO_CODE;
    case 'EPT_VIOLATION':
      return NPF_CODE;
  }
}

/** KVM's SVM handler for each exit (`svm_exit_handlers[]` in svm.c). */
export const KVM_SVM_HANDLERS: Readonly<Record<ExitReasonName, string>> = {
  EXCEPTION:
    'pf_interception / ud_interception: a #PF without NPT goes to the shadow MMU (kvm_mmu_page_fault); #UD is emulated or re-injected',
  EXTERNAL_INTERRUPT: 'intr_interception: the host takes its own interrupt; the guest’s virtual one is injected when it can take it',
  TRIPLE_FAULT: 'shutdown_interception: the guest is dead; KVM reports KVM_EXIT_SHUTDOWN',
  INTERRUPT_WINDOW: 'interrupt_window_interception: the guest can take interrupts again; the pending one is injected on VMRUN',
  CPUID:
    'kvm_emulate_cpuid: KVM answers from the CPUID table the VMM gave it with KVM_SET_CPUID2 (QEMU and kvmtool set the hypervisor-present bit there) and skips the instruction',
  HLT: 'kvm_emulate_halt: skips the instruction and blocks the vCPU until an interrupt is pending',
  INVLPG: 'invlpg_interception: drops the shadow entry of that page and skips the instruction',
  VMCALL: 'kvm_emulate_hypercall: a hypercall from guest CPL 0 is served; from CPL > 0 it returns −KVM_EPERM',
  CR_ACCESS:
    'cr_interception: emulates the MOV to or from the control register (kvm_set_cr0, kvm_set_cr3, or the guest’s CR3) and skips it',
  IO_INSTRUCTION: 'io_interception: decodes port and direction from EXITINFO1, runs the device model, skips the instruction',
  EPT_VIOLATION: 'npf_interception: EXITINFO2 holds the guest-physical address; KVM maps it in the nested page table and resumes',
};

/** EVENTINJ (APM §15.20): vector, type (0 external interrupt, 3 exception, 4 software interrupt), valid (bit 31). */
export function eventInj(vector: number, cause: 'exception' | 'timer' | 'software'): number {
  const type = cause === 'timer' ? 0 : cause === 'software' ? 4 : 3;
  return ((1 << 31) | (type << 8) | (vector & 0xff)) >>> 0;
}

const read = (field: string, value: number): VmxStep => ({ name: 'VMCB read', field, value: value >>> 0 });
const write = (field: string, value: number): VmxStep => ({ name: 'VMCB write', field, value: value >>> 0 });

/** The intercept bits KVM sets in the VMCB's control area (init_vmcb), as VirtLab's controls select. */
function intercepts(x: VmxContext): number {
  let v = 1 << 0; // INTR
  if (x.controls.hlt) v |= 1 << 24;
  if (x.controls.invlpg) v |= 1 << 25;
  if (x.controls.io) v |= 1 << 27; // IOIO_PROT
  v |= 1 << 18; // CPUID
  return v >>> 0;
}

/** svm_hardware_enable (EFER.SVME, VM_HSAVE_PA), init_vmcb's control and save areas, then the first VMRUN. */
export function svmSetupSteps(vm: Vm, x: VmxContext): VmxStep[] {
  const m = vm.machine;
  const steps: VmxStep[] = [
    { name: 'WRMSR', field: 'EFER.SVME', value: 1 },
    { name: 'WRMSR', field: 'VM_HSAVE_PA', value: 0x1000 * (vm.index + 1) + 0x400 },
    write('control.INTERCEPT_CR', (x.controls.cr3 ? (1 << 3) | (1 << 19) : 0) | (1 << 16)), // CR3 read/write; CR0 write
    write('control.INTERCEPT_EXCEPTIONS', x.exceptionBitmap()),
    write('control.INTERCEPT', intercepts(x)),
    write('control.ASID', x.vpid ? vm.index + 1 : 1),
    write('control.NP_ENABLE', x.nested ? 1 : 0),
  ];
  if (x.nested) steps.push(write('control.N_CR3', 0x1000 * (vm.index + 1) + 0x800));
  steps.push(
    write('save.RIP', m.pc),
    write('save.RSP', m.r[7]),
    write('save.RFLAGS', m.flags),
    write('save.CR0', m.cr0),
    write('save.CR3', x.guestCr3(vm)),
  );
  return steps;
}

/** EXITINFO1 (APM §15.10.2 for IOIO, §15.8.1 for CR access with decode assists, §15.25.6 for NPF). */
function exitInfo1(reason: ExitReasonName, exit: GuestExit): number {
  if (exit.kind === 'system') {
    const ins = exit.ins;
    if (reason === 'IO_INSTRUCTION') {
      const isIn = ins.name === 'IN';
      return ((((isIn ? ins.imm : ins.port) & 0xffff) << 16) | (1 << 4) | (isIn ? 1 : 0)) >>> 0; // port, 8-bit, direction
    }
    if (reason === 'CR_ACCESS') return ((1 << 31) | ((ins.name === 'MOV TO CR' ? ins.b : ins.a) & 15)) >>> 0; // valid, the GPR
  }
  // NPF: a page-fault error code (P = 0: not present; bit 1 a write; bit 4 an instruction fetch).
  if (reason === 'EPT_VIOLATION' && exit.kind === 'tlb-miss') return exit.access === 'write' ? 2 : exit.access === 'fetch' ? 0x10 : 0;
  return 0;
}

/** What KVM reads from the VMCB after #VMEXIT (svm_vcpu_run, svm_handle_exit, the handler). */
export function svmExitReads(vm: Vm, exit: GuestExit, o: Outcome, vectoring: number): VmxStep[] {
  if (o.via.kind !== 'vm-exit') return [];
  const reason = o.via.reason;
  const m = vm.machine;
  const steps = [read('control.EXITCODE', svmExitCode(reason, exit)[0]), read('control.EXITINTINFO', vectoring)];
  const info1 = exitInfo1(reason, exit);
  if (reason === 'IO_INSTRUCTION' || reason === 'CR_ACCESS' || reason === 'EPT_VIOLATION' || reason === 'EXCEPTION')
    steps.push(read('control.EXITINFO1', info1));
  if (reason === 'EPT_VIOLATION' && o.action.do === 'map-ept') steps.push(read('control.EXITINFO2', o.action.frame << 12));
  if (reason === 'EXCEPTION')
    steps.push(read('control.EXITINFO2', exit.kind === 'tlb-miss' ? exit.page << 12 : exit.kind === 'watched-write' ? exit.pa : m.cr2));
  if (
    reason === 'IO_INSTRUCTION' ||
    reason === 'CR_ACCESS' ||
    reason === 'HLT' ||
    reason === 'VMCALL' ||
    reason === 'INVLPG' ||
    reason === 'CPUID'
  )
    steps.push(read('control.NEXT_RIP', m.pc + 8)); // next-RIP save: KVM skips the instruction with it
  return steps;
}

/** What KVM writes into the VMCB before VMRUN. */
export function svmExitWrites(vm: Vm, exit: GuestExit, o: Outcome, pc: number, x: VmxContext): VmxStep[] {
  if (o.via.kind !== 'vm-exit') return [];
  const reason = o.via.reason;
  const m = vm.machine;
  const steps: VmxStep[] = [];
  if (exit.kind === 'system' && exit.ins.name === 'MOV TO CR') {
    if (exit.ins.a === 0) steps.push(write('save.CR0', m.r[exit.ins.b] & CR0_PG));
    if (exit.ins.a === 3 || (exit.ins.a === 0 && !x.nested)) steps.push(write('save.CR3', x.guestCr3(vm)));
  }
  if (exit.kind === 'system' && exit.ins.name === 'INVLPG' && !x.nested && x.vpid)
    steps.push({ name: 'INVLPGA', field: 'ASID', value: vm.index + 1 }); // svm_flush_tlb_gva
  if (reason === 'INTERRUPT_WINDOW') steps.push(write('control.V_IRQ', 0));
  if (reason === 'EXTERNAL_INTERRUPT' && o.action.do === 'pend') steps.push(write('control.V_IRQ', 1)); // svm_enable_irq_window
  if (
    reason === 'IO_INSTRUCTION' ||
    reason === 'CR_ACCESS' ||
    reason === 'HLT' ||
    reason === 'VMCALL' ||
    reason === 'INVLPG' ||
    reason === 'CPUID'
  )
    steps.push(write('save.RIP', (pc + 8) | 0));
  return steps;
}

/** Every VMCB field VirtLab models, with its value now (what the Inspector lists). */
export function vmcbFields(vm: Vm, x: VmxContext): VmcsField[] {
  const m = vm.machine;
  const l = vm.lastExit;
  const f = (group: VmcsField['group'], name: string, value: number): VmcsField => ({ group, name, value: value >>> 0 });
  return [
    f('guest', 'save.RIP', m.pc),
    f('guest', 'save.RSP', m.r[7]),
    f('guest', 'save.RFLAGS', m.flags),
    f('guest', 'save.CR0', m.cr0),
    f('guest', 'save.CR3', x.guestCr3(vm)),
    f('guest', 'save.IDTR.base', m.idtr),
    f('control', 'control.INTERCEPT_CR', (x.controls.cr3 ? (1 << 3) | (1 << 19) : 0) | (1 << 16)),
    f('control', 'control.INTERCEPT_EXCEPTIONS', x.exceptionBitmap()),
    f('control', 'control.INTERCEPT', intercepts(x)),
    f('control', 'control.ASID', x.vpid ? vm.index + 1 : 1),
    f('control', 'control.NP_ENABLE', x.nested ? 1 : 0),
    f('control', 'control.N_CR3', x.nested ? 0x1000 * (vm.index + 1) + 0x800 : 0),
    f('control', 'control.V_IRQ', vm.vcpu.windowArmed ? 1 : 0),
    f('exit', 'control.EXITCODE', l.reason && l.exit ? svmExitCode(l.reason, l.exit)[0] : 0),
    f('exit', 'control.EXITINFO1', l.reason && l.exit ? exitInfo1(l.reason, l.exit) : 0),
    f('exit', 'control.EXITINTINFO', vm.vcpu.vectoring),
    f('entry', 'control.EVENTINJ', vm.vcpu.vectoring),
  ];
}
