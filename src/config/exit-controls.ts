// The VM-execution controls of hardware assistance (virtualization.md), and the one rule about them that
// both the engine (which runs with them) and the page (which shows them, some locked on) must agree on.
import type { PagingMode } from './ids';

export interface ExitControls {
  hlt: boolean;
  io: boolean;
  cr3: boolean;
  invlpg: boolean;
  /** Exception vectors that cause a VM exit (the exception bitmap), ascending. */
  exceptions: number[];
}

/** The page-fault and invalid-opcode vectors (#PF, #UD); this module stays free of imports, so it does not take them from the ISA table. */
const PAGE_FAULT = 14;
const INVALID_OPCODE = 6;

/** The controls the hypervisor cannot do without under a paging mode: those forced on, whatever was asked. */
export interface ForcedExitControls {
  readonly cr3: boolean;
  readonly invlpg: boolean;
  readonly exceptions: readonly number[];
}

/**
 * With shadow page tables the hypervisor must see every CR3 load, INVLPG and #PF to keep the shadow table
 * in step with the guest's; with nested paging the hardware walks the guest's table and none is needed.
 * KVM: without EPT, vmx.c sets CPU_BASED_CR3_LOAD_EXITING and CPU_BASED_INVLPG_EXITING, and
 * vmx_update_exception_bitmap keeps #PF in the bitmap (it clears it only when EPT is on).
 */
export function forcedExitControls(paging: PagingMode): ForcedExitControls {
  const shadow = paging === 'shadow';
  // KVM always intercepts #UD (vmx_update_exception_bitmap starts from (1u << UD_VECTOR)), to emulate
  // what it can and re-inject the rest.
  return { cr3: shadow, invlpg: shadow, exceptions: shadow ? [INVALID_OPCODE, PAGE_FAULT] : [INVALID_OPCODE] };
}

/** The exit controls in force: what was asked, else the defaults of virtualization.md, with the forced ones on. */
export function effectiveExitControls(paging: PagingMode, asked: Partial<ExitControls>): ExitControls {
  const forced = forcedExitControls(paging);
  return {
    hlt: asked.hlt ?? true,
    io: asked.io ?? true,
    cr3: forced.cr3 || (asked.cr3 ?? false),
    invlpg: forced.invlpg || (asked.invlpg ?? false),
    exceptions: [...new Set([...(asked.exceptions ?? []), ...forced.exceptions])].sort((a, b) => a - b),
  };
}
