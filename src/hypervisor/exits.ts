// Exits as values (Cloud Hypervisor's `Vcpu::run() -> VmExit`, Firecracker's `handle_kvm_exit`).
//
// Running guest code hands the hypervisor a `GuestExit`: the moment where the real system would leave
// the guest (or where the real CPU would do something the hypervisor pays for). A technique is a
// handler: one exhaustive switch over the exit's kind that returns an `Outcome`, how control left the
// guest (`via`) and what the hypervisor does next (`action`). The monitor applies outcomes in one place,
// where every transition is recorded, counted and charged, and where VM entries follow VM exits.
//
// Outcomes carry numbers and constant strings only: text for events is built by the monitor, and only
// when a sink listens.

import { PAGE_COUNT } from '../isa/constants';
import type { DeliveryCause, SystemInstruction } from '../machine/host';
import type { Access } from '../machine/machine';
import type { CostTable } from './costs';

/** Intel's VM-exit reasons (basic exit reason numbers) used by VX. */
export const EXIT_REASONS = {
  EXCEPTION: 0,
  EXTERNAL_INTERRUPT: 1,
  TRIPLE_FAULT: 2,
  INTERRUPT_WINDOW: 7,
  CPUID: 10,
  HLT: 12,
  INVLPG: 14,
  VMCALL: 18,
  CR_ACCESS: 28,
  IO_INSTRUCTION: 30,
  EPT_VIOLATION: 48,
} as const;
export type ExitReasonName = keyof typeof EXIT_REASONS;

/** What guest code running on the CPU hands to the hypervisor. */
export type GuestExit =
  /** A system instruction (privileged or sensitive, INT, VMCALL) passed the CPU's own privilege check. */
  | { readonly kind: 'system'; readonly ins: SystemInstruction }
  /** The CPU is about to deliver a vector into the guest. */
  | { readonly kind: 'delivery'; readonly vector: number; readonly cause: DeliveryCause; readonly returnPc: number }
  /** The timer fired: an external interrupt reached the CPU. */
  | { readonly kind: 'timer' }
  /** A TLB miss on a virtual page; `pte` is the guest's entry (identity when guest paging is off). */
  | { readonly kind: 'tlb-miss'; readonly page: number; readonly pte: number; readonly access: Access }
  /** A store into a write-protected guest-physical page (a guest page table). */
  | { readonly kind: 'watched-write'; readonly pa: number; readonly size: number; readonly va?: number; readonly value?: number }
  /** Translated code reached an indirect branch (binary translation's translation-cache lookup). */
  | { readonly kind: 'indirect-branch'; readonly ins: SystemInstruction }
  /** The machine stopped: halted, powered off or crashed. */
  | { readonly kind: 'stopped' };

export type GuestExitKind = GuestExit['kind'];

/**
 * A reusable exit: every field of every kind, so that the monitor hands the handler the same object
 * each time instead of allocating one per exit (issue 9: no allocation per trap). `asExit` fills it.
 * Exits nest (a delivery inside an emulation), so the monitor keeps one per dispatch depth.
 */
export interface ExitSlot {
  kind: GuestExitKind;
  ins: SystemInstruction | null;
  vector: number;
  cause: DeliveryCause;
  returnPc: number;
  page: number;
  pte: number;
  access: Access;
  pa: number;
  size: number;
  va: number | undefined;
  value: number | undefined;
}

export function exitSlot(): ExitSlot {
  return {
    kind: 'stopped',
    ins: null,
    vector: 0,
    cause: 'exception',
    returnPc: 0,
    page: 0,
    pte: 0,
    access: 'read',
    pa: 0,
    size: 0,
    va: undefined,
    value: undefined,
  };
}

/** Copies `exit` into `slot` (the VMCS view keeps the last VM exit this way), `ins` into `insSlot`. */
export function keepExit(
  slot: ExitSlot,
  insSlot: { -readonly [K in keyof SystemInstruction]: SystemInstruction[K] },
  exit: GuestExit,
): GuestExit {
  Object.assign(slot, exit);
  if (exit.kind === 'system' || exit.kind === 'indirect-branch') slot.ins = Object.assign(insSlot, exit.ins);
  return slot as GuestExit;
}

/** How control left the guest, if it did. */
export type Via =
  | { readonly kind: 'none' }
  /** The guest faulted into the hypervisor (trap-and-emulate, binary translation's user code, paravirtualization). */
  | { readonly kind: 'trap'; readonly cause: TrapCause }
  /** A hardware-assisted VM exit, with the exit qualification's meaning. */
  | { readonly kind: 'vm-exit'; readonly reason: ExitReasonName }
  /** An explicit hypercall (paravirtualization). */
  | { readonly kind: 'hypercall' }
  /** Translated code calls the hypervisor (binary translation: same ring, no trap). */
  | { readonly kind: 'callout'; readonly cost: 'callout' | 'translatedIo' | 'translatedPageTableWrite' };

/** Why a trap happened: the monitor words it from the exit (only when a sink listens). */
export type TrapCause =
  | 'privileged'
  | 'software-interrupt'
  | 'exception'
  | 'timer'
  | 'hidden-fault'
  | 'page-table-store'
  /** Binary translation: a store hit a traced page (translated code, or a page table from translated code). */
  | 'trace-fault'
  | 'privileged-cpl1'
  | 'software-interrupt-no-trap-table'
  | 'hypercall-from-user';

/** What the hypervisor (or the CPU) does next. */
export type Action =
  /** The CPU executes the instruction as VX defines it, on the guest's state; `charge` is what it costs besides. */
  | {
      readonly do: 'execute';
      readonly charge?: keyof CostTable;
      /** Interpretation: the steps the software takes besides the instruction itself (charged as interpreted). */
      readonly software?: number;
    }
  /** The hypervisor emulates the instruction on the vCPU (shadow paging follows CR0/CR3/INVLPG). */
  | { readonly do: 'emulate' }
  /** Translated code updates the vCPU inline (binary translation's CLI, STI, PUSHF, POPF). */
  | { readonly do: 'inline' }
  /** The device model performs the IN/OUT now, inside the exit. */
  | { readonly do: 'device' }
  /** KVM refuses a VMCALL from guest CPL > 0: R0 ← −1 (−KVM_EPERM), no call made, the instruction skipped. */
  | { readonly do: 'refuse-hypercall' }
  /** The hypervisor serves hypercall `number` (VMCALL's immediate). */
  | { readonly do: 'hypercall'; readonly number: number }
  /** A sensitive unprivileged instruction runs on the real CPU: its answer may betray the guest. */
  | { readonly do: 'direct'; readonly realCpl: number }
  /** The real CPU faults with `vector` (an unmodified kernel's privileged instruction at real CPL 1). */
  | { readonly do: 'raise'; readonly vector: number }
  /** The hypervisor delivers the vector through the guest's IDT (it builds the frame). */
  | { readonly do: 'reflect'; readonly cost: 'reflect' | 'callout' }
  /** The hypervisor injects the vector (the CPU delivers it as the guest resumes). */
  | { readonly do: 'inject'; readonly cost: 'inject' | 'reflect' }
  /** The CPU delivers the vector inside the guest, no hypervisor involved; `charge` is what it costs. */
  | { readonly do: 'deliver'; readonly charge: 'exceptionDelivery' | 'reflect'; readonly software?: number }
  /** The interrupt stays pending (virtual IF = 0); with `window`, an interrupt-window exit is armed. */
  | { readonly do: 'pend'; readonly window: boolean }
  /** The interrupt is injected as the guest is entered (the delivery that follows). */
  | { readonly do: 'inject-on-entry' }
  /** HLT: the vCPU blocks in the hypervisor until its next interrupt. */
  | { readonly do: 'block' }
  /** The hardware walks a table: `refs` memory references. */
  | { readonly do: 'walk'; readonly refs: number; readonly software?: number }
  /** A hidden page fault: the hypervisor fills the shadow entry of `page` from the guest PTE. */
  | { readonly do: 'fill-shadow'; readonly page: number }
  /** An EPT violation: the hypervisor maps guest frame `frame`; the guest retries the access. */
  | { readonly do: 'map-ept'; readonly frame: number }
  /** The hypervisor emulates a store to a write-protected guest page table and updates the shadow. */
  | {
      readonly do: 'shadow-write';
      /** Adaptive translation: the store took a trace fault; its block is retranslated with a callout for it. */
      readonly retranslate?: boolean;
    }
  /** A store hit translated code on a traced page: a hidden fault drops every block translated from `page`. */
  | { readonly do: 'invalidate-traced'; readonly page: number }
  /** Xen validates and emulates a store to the guest's read-only page table. */
  | { readonly do: 'validate-pte' }
  /** Xen builds a bounce frame for the delivered vector from the guest's trap table (create_bounce_frame). */
  | { readonly do: 'bounce' }
  /** x86_32 Xen's int80_direct_trap: the CPU enters the guest kernel's 0x80 handler directly, no Xen. */
  | { readonly do: 'int80' }
  /** Xen sends virtual IRQ `virq` on its event channel (the timer: VIRQ_TIMER); an upcall may follow. */
  | { readonly do: 'virq'; readonly virq: number }
  /** Translated code looks the branch target up in the translation cache. */
  | { readonly do: 'tc-lookup' }
  /** The VM is gone (a triple fault seen by the hypervisor). */
  | { readonly do: 'stop' }
  /** Nothing else: the guest goes on. */
  | { readonly do: 'resume' };

export interface Outcome {
  readonly via: Via;
  readonly action: Action;
}

// Shared constant values: outcomes that carry no data are not allocated per exit.
export const NONE: Via = { kind: 'none' };
export const HYPERCALL: Via = { kind: 'hypercall' };
export const RESUME: Outcome = { via: NONE, action: { do: 'resume' } };
export const EXECUTE: Outcome = { via: NONE, action: { do: 'execute' } };
export const WALK_1: Outcome = { via: NONE, action: { do: 'walk', refs: 1 } };

/**
 * Outcomes that carry a page (or frame) number, one per page of VX's 16, built once: a hidden fault or
 * an EPT violation allocates nothing. A number outside 0–15 (never produced) gets a fresh outcome.
 */
export function perPage(make: (page: number) => Outcome): (page: number) => Outcome {
  const table = Array.from({ length: PAGE_COUNT }, (_, p) => make(p));
  return (page) => table[page] ?? make(page);
}

/** A VMX (or SVM) instruction the hypervisor executes, with the VMCS field and value (the `vmx` event). */
export interface VmxStep {
  readonly name: string;
  readonly field: string;
  readonly value: number;
}

/** A compile-time check that a switch over a union handled every member. */
export function unreachable(x: never): never {
  throw new Error(`unhandled: ${JSON.stringify(x)}`);
}
