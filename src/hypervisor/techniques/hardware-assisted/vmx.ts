// The hypervisor's side of VT-x, as KVM runs it (arch/x86/kvm/vmx/vmx.c): the VMX instructions it
// executes at setup, around each exit and for each entry, and the VMCS fields they touch, with the
// encodings of the Intel SDM (Vol. 3C §25 "VMCS", §28.2 "Exit qualification", §25.8.3 / §27.2 the
// interruption-information format). Only built when someone listens or inspects.
import type { ExitControls } from '../../../config';
import { PAGE_SHIFT } from '../../../isa/constants';
import { CR0_PG } from '../../../machine/machine';
import { EXIT_REASONS, type ExitReasonName, type GuestExit, type Outcome, type VmxStep } from '../../exits';
import type { Vm } from '../../vm';

/** KVM's exit handler for each reason (`kvm_vmx_exit_handlers[]` in vmx.c), and what it does in plain words. */
export const KVM_HANDLERS: Readonly<Record<ExitReasonName, string>> = {
  EXCEPTION:
    'handle_exception_nmi: a #PF without EPT goes to the shadow MMU (kvm_mmu_page_fault), which fills the shadow entry or hands the fault back to the guest; #UD is emulated if it can be, else re-injected',
  EXTERNAL_INTERRUPT:
    'handle_external_interrupt: the host takes its own interrupt (the timer), then KVM injects the guest’s virtual one when the guest can take it',
  TRIPLE_FAULT: 'handle_triple_fault: the guest is dead; KVM reports KVM_EXIT_SHUTDOWN to the VMM',
  INTERRUPT_WINDOW:
    'handle_interrupt_window: the guest can take interrupts again; KVM clears the window control and injects the pending interrupt on entry',
  CPUID:
    'kvm_emulate_cpuid: KVM answers from the CPUID table the VMM gave it with KVM_SET_CPUID2 (QEMU and kvmtool set the hypervisor-present bit there) and skips the instruction',
  HLT: 'kvm_emulate_halt: skips the instruction and blocks the vCPU (kvm_vcpu_block) until an interrupt is pending',
  INVLPG: 'handle_invlpg: drops the shadow entry of that page (kvm_mmu_invlpg) and skips the instruction',
  VMCALL: 'kvm_emulate_hypercall: a hypercall from guest CPL 0 is served; from CPL > 0 it returns −KVM_EPERM; then skips the instruction',
  CR_ACCESS:
    'handle_cr: decodes the exit qualification, emulates the MOV to or from the control register (kvm_set_cr0, kvm_set_cr3, or the guest’s CR3 from vcpu->arch.cr3), skips the instruction',
  IO_INSTRUCTION:
    'handle_io: decodes the port and direction from the exit qualification, runs the device model (kvm_fast_pio), skips the instruction',
  EPT_VIOLATION:
    'handle_ept_violation: reads GUEST_PHYSICAL_ADDRESS, maps that guest frame in the EPT (kvm_mmu_page_fault), and resumes the same instruction',
};

const VALID = 0x80000000;
/** Interruption types (SDM §25.8.3): external interrupt 0, hardware exception 3, software interrupt 4. */
export function intrInfo(vector: number, cause: 'exception' | 'timer' | 'software'): number {
  const type = cause === 'timer' ? 0 : cause === 'software' ? 4 : 3;
  return (VALID | (type << 8) | (vector & 0xff)) >>> 0;
}

/** The exit qualification's number (SDM §28.2.1), from the exit. */
export function qualificationValue(reason: ExitReasonName, exit: GuestExit, m: { cr2: number; reg: number }): number {
  switch (reason) {
    case 'CR_ACCESS': {
      if (exit.kind !== 'system') return 0;
      const ins = exit.ins;
      // Bits 3:0 the control register, 5:4 the access type (0 MOV to CR, 1 MOV from CR), 11:8 the register.
      return ins.name === 'MOV TO CR' ? (ins.a & 15) | (ins.b << 8) : (ins.b & 15) | (1 << 4) | (ins.a << 8);
    }
    case 'IO_INSTRUCTION': {
      if (exit.kind !== 'system') return 0;
      const ins = exit.ins;
      const isIn = ins.name === 'IN';
      // Bits 2:0 size − 1 (VX ports take a byte), bit 3 direction (1 = IN), bit 6 immediate port, 31:16 the port.
      return ((((isIn ? ins.imm : ins.port) & 0xffff) << 16) | (isIn ? 8 : 0) | 64) >>> 0;
    }
    case 'INVLPG':
      return m.reg >>> 0;
    case 'EXCEPTION':
      // For #PF the qualification is the linear address that faulted.
      if (exit.kind === 'delivery' && exit.vector === 14) return m.cr2 >>> 0;
      if (exit.kind === 'tlb-miss') return (exit.page << PAGE_SHIFT) >>> 0;
      if (exit.kind === 'watched-write') return exit.pa >>> 0;
      return 0;
    case 'EPT_VIOLATION':
      // Bit 0 read, bit 1 write, bit 2 instruction fetch.
      return exit.kind === 'tlb-miss' ? (exit.access === 'write' ? 2 : exit.access === 'fetch' ? 4 : 1) : 0;
    default:
      return 0;
  }
}

/** Reasons caused by an instruction: KVM skips it (kvm_skip_emulated_instruction: VM_EXIT_INSTRUCTION_LEN, GUEST_RIP). */
function skipsInstruction(reason: ExitReasonName, o: Outcome): boolean {
  switch (reason) {
    case 'CPUID':
    case 'HLT':
    case 'INVLPG':
    case 'VMCALL':
    case 'CR_ACCESS':
    case 'IO_INSTRUCTION':
      return true;
    default:
      return o.action.do === 'refuse-hypercall';
  }
}

const step = (name: string, field: string, value: number): VmxStep => ({ name, field, value: value >>> 0 });

/** The primary processor-based controls KVM sets (SDM Table 25-6 bit positions), as VirtLab's controls select. */
export function cpuBasedControls(c: ExitControls, windowArmed: boolean): number {
  let v = 0;
  if (windowArmed) v |= 1 << 2; // interrupt-window exiting
  if (c.hlt) v |= 1 << 7; // HLT exiting
  if (c.invlpg) v |= 1 << 9; // INVLPG exiting
  if (c.cr3) v |= (1 << 15) | (1 << 16); // CR3-load and CR3-store exiting
  if (c.io) v |= 1 << 24; // unconditional I/O exiting
  v |= 1 << 31; // activate secondary controls (EPT, VPID)
  return v >>> 0;
}

export interface VmxContext {
  readonly controls: ExitControls;
  readonly nested: boolean;
  readonly vpid: boolean;
  /** What GUEST_CR3 holds: the shadow root (a hypervisor frame) or the guest's own CR3. */
  guestCr3(vm: Vm): number;
  exceptionBitmap(): number;
}

/** KVM's setup of a vCPU before its first entry (vmx_vcpu_create, init_vmcs, vmx_vcpu_reset), then VMLAUNCH. */
export function setupSteps(vm: Vm, x: VmxContext): VmxStep[] {
  const m = vm.machine;
  const steps: VmxStep[] = [
    step('VMXON', '', 0), // kvm_cpu_vmxon, when KVM enables virtualization on the CPU
    step('VMCLEAR', '', 0x1000 * (vm.index + 1)), // the VMCS region of this vCPU (alloc_loaded_vmcs)
    step('VMPTRLD', '', 0x1000 * (vm.index + 1)), // vmx_vcpu_load: make it current
    step('VMWRITE', 'PIN_BASED_VM_EXEC_CONTROL', 1), // external-interrupt exiting
    step('VMWRITE', 'CPU_BASED_VM_EXEC_CONTROL', cpuBasedControls(x.controls, false)),
    step('VMWRITE', 'SECONDARY_VM_EXEC_CONTROL', (x.nested ? 1 << 1 : 0) | (x.vpid ? 1 << 5 : 0)), // enable EPT, enable VPID
    step('VMWRITE', 'EXCEPTION_BITMAP', x.exceptionBitmap()),
    step('VMWRITE', 'CR0_GUEST_HOST_MASK', ~((1 << 3) | (1 << 16))), // every CR0 bit but TS and WP belongs to KVM
    step('VMWRITE', 'CR0_READ_SHADOW', m.cr0 & CR0_PG),
  ];
  if (x.vpid) steps.push(step('VMWRITE', 'VIRTUAL_PROCESSOR_ID', vm.index + 1));
  if (x.nested) steps.push(step('VMWRITE', 'EPT_POINTER', 0x1000 * (vm.index + 1) + 0x800));
  steps.push(
    step('VMWRITE', 'GUEST_RIP', m.pc),
    step('VMWRITE', 'GUEST_RSP', m.r[7]),
    step('VMWRITE', 'GUEST_RFLAGS', m.flags),
    step('VMWRITE', 'GUEST_CR0', m.cr0),
    step('VMWRITE', 'GUEST_CR3', x.guestCr3(vm)),
    step('VMWRITE', 'HOST_RIP', 0xfc001000), // vmx_vmexit, the hypervisor's exit entry point
  );
  // kvm_mmu_load → vmx_flush_tlb_current: a fresh EPT root is flushed before first use.
  if (x.nested) steps.push(step('INVEPT', 'single-context', 0x1000 * (vm.index + 1) + 0x800));
  return steps;
}

/** The VMREADs KVM makes on an exit, before its handler acts (vmx_vcpu_run, vmx_handle_exit, the handler). */
export function exitReads(vm: Vm, exit: GuestExit, o: Outcome, vectoring: number, x: VmxContext): VmxStep[] {
  if (o.via.kind !== 'vm-exit') return [];
  const reason = o.via.reason;
  const m = vm.machine;
  const reg = exit.kind === 'system' ? m.r[(exit.ins.name === 'INVLPG' ? exit.ins.a : exit.ins.b) & 7] : 0;
  const steps = [step('VMREAD', 'VM_EXIT_REASON', EXIT_REASONS[reason]), step('VMREAD', 'IDT_VECTORING_INFO_FIELD', vectoring)];
  if (reason === 'EXCEPTION')
    steps.push(
      step('VMREAD', 'VM_EXIT_INTR_INFO', exit.kind === 'delivery' ? intrInfo(exit.vector, 'exception') : intrInfo(14, 'exception')),
    );
  if (
    reason !== 'EXTERNAL_INTERRUPT' &&
    reason !== 'INTERRUPT_WINDOW' &&
    reason !== 'TRIPLE_FAULT' &&
    reason !== 'HLT' &&
    reason !== 'VMCALL'
  )
    steps.push(step('VMREAD', 'EXIT_QUALIFICATION', qualificationValue(reason, exit, { cr2: m.cr2, reg })));
  if (reason === 'EPT_VIOLATION' && o.action.do === 'map-ept') steps.push(step('VMREAD', 'GUEST_PHYSICAL_ADDRESS', o.action.frame << 12));
  if (reason === 'CR_ACCESS' && exit.kind === 'system' && exit.ins.name === 'MOV FROM CR' && !x.nested)
    steps.push(step('VMREAD', 'GUEST_CR3', x.guestCr3(vm))); // the shadow root: KVM answers from vcpu->arch.cr3 instead
  return steps;
}

/** The VMWRITEs (and INVVPIDs) KVM makes after its handler, before the entry. `pc` is the guest PC at the exit. */
export function exitWrites(vm: Vm, exit: GuestExit, o: Outcome, pc: number, x: VmxContext): VmxStep[] {
  if (o.via.kind !== 'vm-exit') return [];
  const reason = o.via.reason;
  const m = vm.machine;
  const steps: VmxStep[] = [];
  if (exit.kind === 'system' && exit.ins.name === 'MOV TO CR') {
    if (exit.ins.a === 0)
      steps.push(step('VMWRITE', 'CR0_READ_SHADOW', m.r[exit.ins.b] & CR0_PG), step('VMWRITE', 'GUEST_CR0', m.r[exit.ins.b]));
    if (exit.ins.a === 3 || (exit.ins.a === 0 && !x.nested)) steps.push(step('VMWRITE', 'GUEST_CR3', x.guestCr3(vm)));
  }
  if (exit.kind === 'system' && exit.ins.name === 'INVLPG' && !x.nested && x.vpid)
    steps.push(step('INVVPID', 'individual-address', m.r[exit.ins.a & 7])); // vmx_flush_tlb_gva
  if (reason === 'INTERRUPT_WINDOW') steps.push(step('VMWRITE', 'CPU_BASED_VM_EXEC_CONTROL', cpuBasedControls(x.controls, false)));
  if (reason === 'EXTERNAL_INTERRUPT' && o.action.do === 'pend')
    steps.push(step('VMWRITE', 'CPU_BASED_VM_EXEC_CONTROL', cpuBasedControls(x.controls, true))); // enable_irq_window
  if (skipsInstruction(reason, o)) steps.push(step('VMREAD', 'VM_EXIT_INSTRUCTION_LEN', 8), step('VMWRITE', 'GUEST_RIP', (pc + 8) | 0));
  return steps;
}

/** The VMCS as the Inspector shows it: real field names and values, and what the last exit read and wrote. */
export interface VmcsField {
  readonly group: 'guest' | 'host' | 'control' | 'exit' | 'entry';
  readonly name: string;
  readonly value: number;
}

/** Every VMCS field VirtLab models, with its value now (what the Inspector lists). */
export function vmcsFields(vm: Vm, x: VmxContext): VmcsField[] {
  const m = vm.machine;
  const l = vm.lastExit;
  const reason = l.reason;
  const q = reason && l.exit ? qualificationValue(reason, l.exit, { cr2: l.cr2, reg: l.reg }) : 0;
  const f = (group: VmcsField['group'], name: string, value: number): VmcsField => ({ group, name, value: value >>> 0 });
  return [
    f('guest', 'GUEST_RIP', m.pc),
    f('guest', 'GUEST_RSP', m.r[7]),
    f('guest', 'GUEST_RFLAGS', m.flags),
    f('guest', 'GUEST_CR0', m.cr0),
    f('guest', 'GUEST_CR3', x.guestCr3(vm)),
    f('guest', 'GUEST_IDTR_BASE', m.idtr),
    f('host', 'HOST_RIP', 0xfc001000),
    f('host', 'HOST_IDTR_BASE', 0xfc000000),
    f('control', 'PIN_BASED_VM_EXEC_CONTROL', 1),
    f('control', 'CPU_BASED_VM_EXEC_CONTROL', cpuBasedControls(x.controls, vm.vcpu.windowArmed)),
    f('control', 'SECONDARY_VM_EXEC_CONTROL', (x.nested ? 1 << 1 : 0) | (x.vpid ? 1 << 5 : 0)),
    f('control', 'EXCEPTION_BITMAP', x.exceptionBitmap()),
    f('control', 'CR0_GUEST_HOST_MASK', ~((1 << 3) | (1 << 16))),
    f('control', 'CR0_READ_SHADOW', m.cr0 & CR0_PG),
    f('control', 'VIRTUAL_PROCESSOR_ID', x.vpid ? vm.index + 1 : 0),
    f('control', 'EPT_POINTER', x.nested ? 0x1000 * (vm.index + 1) + 0x800 : 0),
    f('exit', 'VM_EXIT_REASON', reason ? EXIT_REASONS[reason] : 0),
    f('exit', 'EXIT_QUALIFICATION', q),
    f('exit', 'VM_EXIT_INSTRUCTION_LEN', 8),
    f('exit', 'IDT_VECTORING_INFO_FIELD', vm.vcpu.vectoring),
    f('entry', 'VM_ENTRY_INTR_INFO_FIELD', vm.vcpu.vectoring),
  ];
}
