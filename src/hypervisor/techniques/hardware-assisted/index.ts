// `hardware-assisted` (Intel VT-x with KVM): the guest runs in VMX non-root mode at its own CPL, on
// virtual state held in the VMCS. Only what the exit controls select leaves the guest (a VM exit);
// the hypervisor handles it and resumes the guest (a VM entry). Memory: shadow page tables
// (first-generation VT-x) or nested paging (EPT) with a two-dimensional walk.
import { effectiveExitControls } from '../../../config';
import { VECTOR_NAMES } from '../../../isa/table';
import { IF } from '../../../machine/alu';
import type { DeliveryCause, SystemInstruction } from '../../../machine/host';
import { CR0_PG, type Machine } from '../../../machine/machine';
import { serveHypercall } from '../../hypercalls';
import type { RealCpu, VmcsView } from '../../inspection';
import { EXIT_REASONS, type ExitReasonName, HYPERVISOR_IDT, Monitor, type Vm } from '../../monitor';
import type { ExitControls, PagingMode, RunConfig, Technique, TechniqueId } from '../../technique';
import { effectOf } from '../effects';

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase()}`;

/** The VMCS fields a student can inspect: the exit information of the last exit. */
export interface VmcsExitInfo {
  reason: number;
  reasonName: string;
  qualification: string;
  instruction: string;
}

export class HardwareAssistedRun extends Monitor {
  protected readonly techniqueId: TechniqueId = 'hardware-assisted';
  readonly controls: ExitControls;
  readonly nested: boolean;
  lastExit: VmcsExitInfo[];

  constructor(config: RunConfig, paging: PagingMode) {
    super(config, { paging, realMmu: true });
    this.nested = paging === 'nested';
    this.controls = effectiveExitControls(paging, config.exits);
    this.lastExit = this.guests.map(() => ({ reason: -1, reasonName: '', qualification: '', instruction: '' }));
  }

  realCpl(vm: Vm): number {
    return vm.virtualCpl; // non-root mode runs the guest at its own CPL
  }

  protected onVmExit(vm: Vm, reason: ExitReasonName, qualification: string): void {
    this.lastExit[vm.index] = { reason: EXIT_NUMBER[reason], reasonName: reason, qualification, instruction: this.instructionAt(vm) };
  }

  private vmExit(vm: Vm, reason: ExitReasonName, qualification: string): void {
    this.exit(vm, { kind: 'vm-exit', reason, qualification });
  }

  system(m: Machine, ins: SystemInstruction): boolean {
    const vm = this.vmOf(m);
    const c = this.controls;
    switch (ins.name) {
      case 'HLT':
        if (!c.hlt) return false;
        this.vmExit(vm, 'HLT', '');
        this.emulate(vm, 'HLT', effectOf(m, ins));
        // The vCPU blocks in the hypervisor until its next interrupt: the VM entry comes with the
        // injection (a halted VM with vIF = 0 is never entered again).
        vm.vcpu.blocked = true;
        return false;
      case 'IN':
      case 'OUT': {
        if (!c.io) {
          this.charge(vm, 'portIo');
          return false;
        }
        const port = ins.name === 'IN' ? ins.imm : ins.port;
        this.vmExit(vm, 'IO_INSTRUCTION', `port ${hex(port)}, ${ins.name === 'IN' ? 'in' : 'out'}`);
        this.viaHostOs(vm, 'I/O');
        this.emulate(vm, this.instructionAt(vm), effectOf(m, ins));
        // The device model runs inside the exit, before the VM entry.
        m.completeIo(ins.name === 'IN', ins.a, port, ins.src, ins.units);
        if (m.state === 'running') this.vmEntry(vm);
        return true;
      }
      case 'MOV TO CR': {
        if (ins.a === 2) return false;
        const value = m.r[ins.b];
        if (!this.nested) {
          this.vmExit(vm, 'CR_ACCESS', `MOV to CR${ins.a}`);
          this.emulate(vm, this.instructionAt(vm), effectOf(m, ins));
          this.rebuildShadow(vm, ins.a === 0 ? value : m.cr0, ins.a === 3 ? value : m.cr3);
          this.vmEntry(vm);
        } else if (ins.a === 3 && c.cr3) {
          this.vmExit(vm, 'CR_ACCESS', 'MOV to CR3 (CR3-load exiting is on)');
          this.emulate(vm, this.instructionAt(vm), effectOf(m, ins));
          this.vmEntry(vm);
        }
        return false;
      }
      case 'INVLPG':
        if (c.invlpg) {
          this.vmExit(vm, 'INVLPG', `address ${hex(m.r[ins.b])}`);
          if (!this.nested) vm.shadow[(m.r[ins.b] >>> 12) & 15] = 0;
          this.emulate(vm, this.instructionAt(vm), effectOf(m, ins));
          this.vmEntry(vm);
        }
        return false;
      case 'IRET':
        this.charge(vm, 'iret');
        return false;
      case 'VMCALL': {
        this.vmExit(vm, 'VMCALL', `hypercall ${ins.imm}`);
        const pc = m.pc;
        const out = serveHypercall(m, ins.imm);
        this.countHypercall(vm, out.name);
        this.hypercallDone(vm, ins.imm, out.name, out.args, out.result, pc);
        if (out.pagingChanged && !this.nested) this.rebuildShadow(vm, m.cr0, m.cr3);
        if (out.pteWritten !== undefined && !this.nested) this.shadowWrite(vm, out.pteWritten, 4);
        if (m.state === 'running') this.vmEntry(vm);
        return true;
      }
      default:
        // CLI, STI, POPF, PUSHF, SMSW, SIDT, LIDT, MOV KSP, MOV from CR, INT: run directly on the VMCS state.
        return false;
    }
  }

  delivering(m: Machine, vector: number, cause: DeliveryCause, returnPc: number): void {
    const vm = this.vmOf(m);
    if (cause === 'timer') {
      vm.vcpu.blocked = false;
      if (vm.vcpu.windowArmed) {
        vm.vcpu.windowArmed = false;
        this.vmExit(vm, 'INTERRUPT_WINDOW', 'the guest can take interrupts again');
      }
      this.inject(vm, vector, 'inject');
      this.vmEntry(vm);
      return;
    }
    if (cause === 'exception' && this.controls.exceptions.includes(vector)) {
      this.vmExit(vm, 'EXCEPTION', `${VECTOR_NAMES[vector] ?? vector}${vector === 14 ? ` at ${hex(m.cr2)}` : ''}: the guest's own fault`);
      this.inject(vm, vector, 'inject');
      this.vmEntry(vm);
      return;
    }
    // Delivered by the CPU inside non-root mode, through the guest's IDT: no exit at all.
    this.charge(vm, 'exceptionDelivery');
    this.record(vm, { kind: 'interrupt', vector, name: VECTOR_NAMES[vector] ?? `INT ${vector}`, cause, returnPc: returnPc >>> 0 });
  }

  timerFired(m: Machine): void {
    const vm = this.vmOf(m);
    // A vCPU blocked by HLT is not in the guest: the interrupt wakes it, and is injected on entry.
    if (vm.vcpu.blocked) return;
    this.vmExit(vm, 'EXTERNAL_INTERRUPT', 'timer');
    this.viaHostOs(vm, 'host timer interrupt');
    if (!(m.flags & IF)) {
      // vIF = 0: keep it pending and ask for an exit as soon as the guest can take it.
      vm.vcpu.windowArmed = true;
      this.vmEntry(vm);
    }
  }

  tlbMiss(m: Machine, page: number, pte: number): void {
    const vm = this.vmOf(m);
    if (!this.nested) {
      if (this.shadowNeedsFill(vm, page, pte)) {
        this.vmExit(vm, 'EXCEPTION', `#PF at ${hex(page << 12)}: hidden (no shadow entry yet)`);
        this.fillShadow(vm, page);
        this.vmEntry(vm);
      }
      return;
    }
    // Two-dimensional walk: the guest's PTE, then the EPT for the page table and for the page.
    this.charge(vm, 'memoryReference', 3);
    const frames = new Set<number>();
    if (m.cr0 & CR0_PG) frames.add((m.cr3 >>> 12) & 15);
    if (pte & 1) frames.add((pte >>> 12) & 15);
    for (const f of frames) {
      if (vm.ept[f]) continue;
      this.vmExit(vm, 'EPT_VIOLATION', `guest-physical frame ${f} not mapped yet`);
      vm.ept[f] = 1;
      this.record(vm, { kind: 'shadow-update', page: f, detail: `EPT entry: guest frame ${f} → host frame ${vm.p2m[f]}` });
      this.vmEntry(vm);
    }
  }

  watchedWrite(m: Machine, pa: number, size: number): void {
    const vm = this.vmOf(m);
    this.vmExit(vm, 'EXCEPTION', `#PF at ${hex(pa)}: store to a write-protected guest page table`);
    this.emulate(vm, this.instructionAt(vm), this.shadowWrite(vm, pa, size));
    this.vmEntry(vm);
  }

  stateChanged(m: Machine): void {
    if (m.state === 'crashed') this.vmExit(this.vmOf(m), 'TRIPLE_FAULT', m.crashReason);
  }

  protected realState(vm: Vm): RealCpu {
    const m = vm.machine;
    return {
      cpl: m.cpl,
      interruptsEnabled: (m.flags & IF) !== 0,
      mode: 'non-root',
      cr3: this.nested ? 'the guest page table (EPT translates its frames)' : `shadow table of ${vm.name}`,
      idtr: m.idtr >>> 0,
    };
  }

  protected vmcsOf(vm: Vm): VmcsView {
    const m = vm.machine;
    const last = this.lastExit[vm.index];
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
      controls: { ...this.controls, externalInterrupt: true, interruptWindow: vm.vcpu.windowArmed },
      exit: last.reason < 0 ? null : last,
    };
  }

  protected saveExtra(): unknown {
    return this.lastExit;
  }

  protected loadExtra(s: unknown): void {
    this.lastExit = s as VmcsExitInfo[];
  }
}

const EXIT_NUMBER: Readonly<Record<ExitReasonName, number>> = EXIT_REASONS;

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
    return new HardwareAssistedRun(config, resolvePaging(config));
  },
};
