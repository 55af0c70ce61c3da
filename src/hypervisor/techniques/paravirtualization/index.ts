// `paravirtualization`: a 32-bit Xen PV guest (virtualization.md, "Paravirtualization: Xen's
// interface"; the interface itself is docs/xen-interface.md and src/hypervisor/xen/).
//
// The guest kernel runs at real CPL 1 and calls Xen with hypercalls (VMCALL, Xen's numbers). What the
// real system does at each exit:
// - VMCALL from the guest kernel: the hypercall. From guest user mode: #GP, because Xen's hypercall
//   gate (int $0x82 on x86_32) has DPL 1; Xen reflects it into the guest kernel.
// - An unmodified privileged instruction at ring 1 faults into Xen, whose emulate_privileged_op
//   (xen/arch/x86/pv/emul-priv-op.c) emulates port I/O the domain may do and moves from control
//   registers; anything else (LIDT, MOV to CR/KSP, HLT, CLI/STI without IOPL, INVLPG, IRET) is a #GP
//   bounced into the guest, as Xen's `goto fail` does.
// - INT 0x80 registered as a trap gate goes straight to the guest kernel (x86_32 int80_direct_trap);
//   every other trap, exception or software interrupt bounces through Xen (create_bounce_frame).
// - The timer is Xen's: it sends VIRQ_TIMER on an event channel; the guest gets an upcall when its
//   evtchn_upcall_mask allows (the monitor's `upcall`).
// - A store to a frame typed as page table traps and is validated (writable page tables).
// POPF, PUSHF, SMSW and SIDT run directly at ring 1 and may betray the guest (fidelity violations).
import { ROW_BY_NAME, VECTOR_NAMES } from '../../../isa/table';
import { EXECUTE, type GuestExit, HYPERCALL, NONE, type Outcome, RESUME, unreachable, type Via, WALK_1 } from '../../exits';
import type { Handler } from '../../handler';
import { Monitor } from '../../monitor';
import type { Technique } from '../../technique';
import type { Vm } from '../../vm';
import { INT80, TI_IF, VIRQ_TIMER } from '../../xen/abi';
import { SENSITIVE_UNPRIVILEGED } from '../sensitive';

const trap = (cause: Extract<Via, { kind: 'trap' }>['cause']): Via => ({ kind: 'trap', cause });
const DIRECT: Outcome = { via: NONE, action: { do: 'direct', realCpl: 1 } };
const RAISE_GP: Outcome = { via: NONE, action: { do: 'raise', vector: 13 } };
const EMULATE: Outcome = { via: trap('privileged-cpl1'), action: { do: 'emulate' } };
const DEVICE: Outcome = { via: trap('privileged-cpl1'), action: { do: 'device' } };
const INT80_DIRECT: Outcome = { via: NONE, action: { do: 'int80' } };
const BOUNCE_GP: Outcome = { via: trap('privileged-cpl1'), action: { do: 'bounce' } };
const BOUNCE_USER_VMCALL: Outcome = { via: trap('hypercall-from-user'), action: { do: 'bounce' } };
const BOUNCE_INT: Outcome = { via: trap('software-interrupt'), action: { do: 'bounce' } };
const BOUNCE_EXCEPTION: Outcome = { via: trap('exception'), action: { do: 'bounce' } };
/** A fault Xen raises while it already handles a trap (a refused page-table store): bounced, no second trap. */
const BOUNCE_IN_XEN: Outcome = { via: NONE, action: { do: 'bounce' } };
const TIMER_VIRQ: Outcome = { via: trap('timer'), action: { do: 'virq', virq: VIRQ_TIMER } };
const VALIDATE: Outcome = { via: trap('page-table-store'), action: { do: 'validate-pte' } };

/**
 * Ports a PV domain may use (its I/O permission, as `ioports=` grants it): VX's console and power
 * ports. Never the timer: Xen keeps the PIT to itself, even from dom0 (dom0_build.c denies
 * PIT_CH0…PIT_MODE), so a raw OUT 0x40 is a #GP.
 */
const DOMAIN_PORTS = new Set([0xe9, 0xf4]);

export function handleParavirtualized(vm: Vm, exit: GuestExit, privileged: (name: string) => boolean): Outcome {
  const m = vm.machine;
  switch (exit.kind) {
    case 'system': {
      const ins = exit.ins;
      if (ins.name === 'VMCALL') {
        // The number is VMCALL's operand: the hypercall page's stub `mov $nr, %eax` folded into the call.
        if (m.cpl === 3) return RAISE_GP;
        return { via: HYPERCALL, action: { do: 'hypercall', number: ins.imm } };
      }
      if (ins.name === 'INT') return EXECUTE; // delivered at `delivery`
      if (SENSITIVE_UNPRIVILEGED.has(ins.name) && !privileged(ins.name)) return DIRECT;
      if (m.cpl === 0 && privileged(ins.name)) {
        // emulate_privileged_op: what Xen emulates for a PV kernel, the rest fails with #GP.
        if (ins.name === 'MOV FROM CR') return EMULATE;
        if (ins.name === 'IN' && DOMAIN_PORTS.has(ins.imm & 0xffff)) return DEVICE;
        if (ins.name === 'OUT' && DOMAIN_PORTS.has(ins.port)) return DEVICE;
        return RAISE_GP;
      }
      return EXECUTE;
    }
    case 'delivery': {
      const x = vm.vcpu.xen;
      if (exit.cause === 'software') {
        // x86_32 set_int80_direct_trap: only a trap gate (no TI_IF) for 0x80 is installed in the real IDT.
        if (exit.vector === INT80 && x.traps[INT80] && !(x.trapFlags[INT80] & TI_IF) && (x.trapFlags[INT80] & 3) === 3) return INT80_DIRECT;
        return BOUNCE_INT;
      }
      if (x.inXen) return BOUNCE_IN_XEN;
      if (vm.vcpu.privilegeFault) return m.cpl === 3 ? BOUNCE_USER_VMCALL : BOUNCE_GP;
      return BOUNCE_EXCEPTION;
    }
    case 'timer':
      return TIMER_VIRQ;
    case 'tlb-miss':
      // The hardware walks the guest's own (validated) page table: no shadow, no hidden faults.
      return WALK_1;
    case 'watched-write':
      // A typed page-table frame is read-only to the guest: a direct store traps; Xen validates it.
      return VALIDATE;
    case 'indirect-branch':
    case 'stopped':
      return RESUME;
    default:
      return unreachable(exit);
  }
}

function trapWords(vm: Vm, exit: GuestExit, o: Outcome): readonly [string, string] {
  switch (exit.kind) {
    case 'system':
      return [
        `${exit.ins.name} at real CPL 1 (emulate_privileged_op)`,
        o.action.do === 'device' ? 'emulate the port access' : 'emulate it',
      ];
    case 'delivery': {
      const v = exit.vector;
      const cause = o.via.kind === 'trap' ? o.via.cause : '';
      const what =
        cause === 'hypercall-from-user'
          ? '#GP: VMCALL from guest user mode (the hypercall gate has DPL 1)'
          : cause === 'privileged-cpl1'
            ? '#GP: privileged instruction at real CPL 1 (an unmodified kernel)'
            : exit.cause === 'software'
              ? `INT ${v}: not a direct trap gate, so it enters Xen`
              : `${VECTOR_NAMES[v] ?? `INT ${v}`} in the guest`;
      return [what, 'bounce frame to the guest kernel handler (trap table)'];
    }
    case 'timer':
      return ['timer interrupt', 'send VIRQ_TIMER on its event channel'];
    case 'watched-write':
      return ['#PF: store to a page-table frame (read-only to the guest)', 'validate and emulate it (like mmu_update)'];
    default:
      void vm;
      return [exit.kind, o.action.do];
  }
}

export function paravirtualizationHandler(isa: 'classic' | 'strict'): Handler {
  const privileged = (name: string) => ROW_BY_NAME.get(name)?.privileged[isa] === true;
  return {
    id: 'paravirtualization',
    paging: 'direct',
    realMmu: false,
    realCpl: (vm) => (vm.machine.cpl === 0 ? 1 : 3),
    handle: (vm, exit) => handleParavirtualized(vm, exit, privileged),
    trapText: trapWords,
  };
}

export const paravirtualization: Technique = {
  id: 'paravirtualization',
  refuse(config) {
    if (config.paging === 'nested')
      return 'a paravirtualized guest manages its own page table through hypercalls: nested paging does not apply';
    return undefined;
  },
  create(config) {
    return new Monitor(config, paravirtualizationHandler(config.isa));
  },
};
