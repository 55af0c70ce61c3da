// The hypercall interface of virtualization.md (Xen-style), served by paravirtualization and by the
// hardware-assisted hypervisor's VMCALL exits. Arguments R1–R3, result R0 (0 success, −1 refused).
import { IF } from '../machine/alu';
import { CR0_PG, type Machine } from '../machine/machine';

export const HYPERCALLS = [
  'console_write',
  'set_trap_table',
  'irq_disable',
  'irq_enable',
  'stack_switch',
  'mmu_set_base',
  'mmu_update',
  'iret',
  'sched_block',
  'shutdown',
  'set_timer',
  'mmu_flush',
] as const;
export type HypercallName = (typeof HYPERCALLS)[number];

export interface HypercallOutcome {
  readonly name: HypercallName | 'unknown';
  readonly args: number[];
  readonly result: number;
  /** What it did, in words, for the event. */
  readonly effect: string;
  /** Paging changed: the hypervisor must switch or rebuild its shadow of the guest's table. */
  readonly pagingChanged: boolean;
  /** A PTE was written through mmu_update (address), for the shadow. */
  readonly pteWritten?: number;
  /** The guest stopped (shutdown) or blocked (sched_block). */
  readonly stopped: boolean;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

/**
 * Serves hypercall n on the vCPU (the machine holds the guest's virtual state) and advances the PC
 * past the VMCALL, except for `iret`, which returns to the interrupted code.
 */
export function serveHypercall(m: Machine, n: number): HypercallOutcome {
  const r = m.r;
  const args = [r[1] >>> 0, r[2] >>> 0, r[3] >>> 0];
  const next = (m.pc + 8) | 0;
  let result = 0;
  let effect = '';
  let pagingChanged = false;
  let pteWritten: number | undefined;
  const stopped = false;
  const name: HypercallName | 'unknown' = HYPERCALLS[n] ?? 'unknown';
  switch (name) {
    case 'console_write':
      m.portOut(0xe9, r[1]);
      effect = `console ← ${JSON.stringify(String.fromCharCode(r[1] & 0xff))}`;
      break;
    case 'set_trap_table':
      m.idtr = r[1];
      effect = `virtual IDT at ${hex(r[1])}`;
      break;
    case 'irq_disable':
      m.flags &= ~IF;
      effect = 'vIF ← 0';
      break;
    case 'irq_enable':
      m.flags |= IF;
      effect = m.irqPending ? 'vIF ← 1; the pending timer interrupt is delivered now' : 'vIF ← 1';
      break;
    case 'stack_switch':
      m.ksp = r[1];
      effect = `kernel stack ← ${hex(r[1])}`;
      break;
    case 'mmu_set_base': {
      m.cr3 = r[1];
      m.cr0 = r[2] ? CR0_PG : 0;
      m.flushTlb('mmu_set_base hypercall');
      pagingChanged = true;
      effect = `page table ${hex(r[1])}, paging ${r[2] ? 'on' : 'off'}`;
      break;
    }
    case 'mmu_update': {
      const addr = r[1] >>> 0;
      const value = r[2];
      // Validation: the PTE must lie in guest memory, and may only name one of the VM's own 16 frames.
      if (addr > 0xfffc || value >>> 16 !== 0) {
        result = -1;
        effect =
          addr > 0xfffc
            ? `refused: PTE address ${hex(addr)} is outside the VM`
            : `refused: ${hex(value)} names frame ${hex(value >>> 12)}, not one of this VM's frames`;
      } else {
        for (let i = 0; i < 4; i++) m.storeByte(addr + i, (value >>> (8 * i)) & 0xff);
        pteWritten = addr;
        effect = `PTE at ${hex(addr)} ← ${hex(value)} (validated)`;
      }
      break;
    }
    case 'iret': {
      if (!m.popInterruptFrame(0)) return { name, args, result: -1, effect: 'the frame could not be read', pagingChanged, stopped };
      m.retire(1);
      return { name, args, result: 0, effect: `return to ${hex(m.pc)} at virtual CPL ${m.cpl}`, pagingChanged, stopped };
    }
    case 'sched_block':
      m.flags |= IF;
      m.pc = next;
      r[0] = 0;
      m.retire(1);
      m.waiting = true;
      return { name, args, result: 0, effect: 'vCPU blocked until its next virtual interrupt', pagingChanged, stopped: true };
    case 'shutdown':
      m.exitCode = r[1];
      r[0] = 0;
      m.pc = next;
      m.retire(1);
      m.setState('powered-off');
      return { name, args, result: 0, effect: `VM powered off with exit code ${r[1] | 0}`, pagingChanged, stopped: true };
    case 'set_timer':
      m.portOut(0x40, r[1]);
      effect = r[1] ? `virtual timer every ${r[1] >>> 0} instructions` : 'virtual timer stopped';
      break;
    case 'mmu_flush':
      if (r[1] === -1) m.flushTlb('mmu_flush hypercall');
      else m.invalidatePage(r[1], 'mmu_flush hypercall');
      pagingChanged = r[1] === -1;
      effect = r[1] === -1 ? 'whole TLB flushed' : `TLB entry of ${hex(r[1])} dropped`;
      break;
    default:
      result = -1;
      effect = `no hypercall ${n}`;
  }
  r[0] = result;
  m.pc = next;
  m.retire(1);
  return { name, args, result, effect, pagingChanged, pteWritten, stopped };
}
